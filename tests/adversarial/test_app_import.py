"""The desktop app's *Import folder…* on hostile folders, and Cancel / quit part-way through.

The real window runs offscreen in a subprocess (drive_gui.py); the import must end in an error box
or an imported model, never take the window down, and leave nothing in the models folder or the
temp directory when it fails, is cancelled, or the app quits.
"""

from __future__ import annotations

import pytest

from . import checkpoints, targets

FOLDERS = ["spiece-no-byte-pieces", "st-fifo", "config-deep", "st-header-deep-nesting",
           "config-num_attention_heads-zero", "st-nan-weights", "index-dotdot-path", "added-tokens-wrong-types"]
BY_NAME = {c.name: c for c in checkpoints.checkpoint_cases()}


@pytest.mark.parametrize("name", FOLDERS)
def test_import_hostile_folder(name, bases, tmp_path):
    case = BY_NAME[name]
    src = case.build(bases, tmp_path / "src" / f"tiny-{case.base}")
    o = targets.gui_import(name, src, tmp_path / "run", expect=case.expect)
    assert o.ok, o.describe()


@pytest.mark.parametrize("stage", ["Writing", "Quantizing"])
@pytest.mark.parametrize("how", ["cancel_after", "quit_after"])
def test_import_stops_part_way_and_leaves_nothing(how, stage, big_checkpoint, tmp_path):
    """Cancel, or quitting (answering "Stop and quit"), while writing or quantizing: ends within 2 s,
    and neither the models folder nor the temp directory keeps anything."""
    o = targets.gui_import(f"import-{how}-{stage}", big_checkpoint, tmp_path, out_type="q4_k_m", at_stage=stage,
                           **{how: 0.2})
    assert o.ok, o.describe()
    result = o.extra["result"]
    assert "note" not in result, f"the import ended before it could be interrupted: {result}"
    if how == "quit_after":
        assert result.get("asked"), f"quitting during an import must ask first: {result}"
