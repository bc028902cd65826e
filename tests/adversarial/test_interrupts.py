"""Ctrl-C, SIGKILL and a full disk during a conversion: it stops at once and leaves nothing behind
(or, after SIGKILL, the next run or app start sweeps what was left)."""

from __future__ import annotations

import signal

import pytest

from . import interrupts


@pytest.mark.parametrize("stage", ["write", "quantize"])
def test_ctrl_c_stops_within_a_second_and_leaves_nothing(stage, big_checkpoint, tmp_path):
    o = interrupts.ctrl_c(big_checkpoint, tmp_path, stage)
    assert o.ok, o.describe()
    assert o.extra["seconds_after_signal"] <= interrupts.SIGNAL_GRACE, o.describe()


def test_sigkill_leftovers_are_swept_by_the_next_conversion(big_checkpoint, bases, tmp_path):
    o = interrupts.sigkill_then_sweep(big_checkpoint, bases["neox"], tmp_path, "quantize")
    assert o.ok, o.describe()


def test_sigkill_leftovers_are_swept_at_app_start(big_checkpoint, bases, tmp_path):
    r, out_dir, _tmp, after = interrupts.signal_at_stage("kill", big_checkpoint, tmp_path / "kill", "quantize",
                                                         signal.SIGKILL)
    assert after is not None, r.output
    assert any(p.name.endswith(".partial") for p in out_dir.iterdir()), "SIGKILL mid-quantize should leave files"
    o = interrupts.gui_sweeps_stale(bases["neox"] / "config.json", tmp_path / "app", out_dir)
    assert o.ok, o.describe()


def test_disk_full_on_a_small_tmpfs(bases, tmp_path):
    o = interrupts.disk_full_tmpfs(bases["neox"], tmp_path)
    assert o.kind == "clean", o.describe()


def test_disk_full_part_way_through_the_write(bases, tmp_path):
    o = interrupts.disk_full_rlimit(bases["neox"], tmp_path)
    assert o.kind == "clean", o.describe()
