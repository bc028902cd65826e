"""Fixtures for the adversarial suite: good tiny models, and the hostile inputs made from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import ggufs
from .harness import run
from .targets import cli_command, base_env


@pytest.fixture(scope="session")
def bases(tiny, tmp_path_factory) -> dict[str, Path]:
    """Good checkpoints ("neox", "gpt2") and their f32 GGUFs ("neox-gguf", "gpt2-gguf")."""
    b = {"neox": tiny.neox(), "gpt2": tiny.gpt2()}
    out = tmp_path_factory.mktemp("adversarial-bases")
    for name in ("neox", "gpt2"):
        gguf = out / f"{name}.gguf"
        r = run(cli_command("hanashi-quantize", "quantize.cli") + ["convert", str(b[name]), "-o", str(gguf), "--type", "f32"],
                timeout=300, env=base_env())
        assert r.rc == 0, f"the good {name} checkpoint must convert:\n{r.output}"
        b[f"{name}-gguf"] = gguf
    return b


@pytest.fixture(scope="session")
def hostile_ggufs(bases, tmp_path_factory) -> dict[str, Path]:
    """Every GGUF case the suite runs, built once: case name → file."""
    folder = tmp_path_factory.mktemp("hostile-ggufs")
    gbases = {"neox": bases["neox-gguf"], "gpt2": bases["gpt2-gguf"]}
    return {c.name: ggufs.build(c, gbases, folder / f"{c.name}.gguf")
            for c in ggufs.selected(ggufs.gguf_cases(), "pytest")}


@pytest.fixture(scope="session")
def big_checkpoint(tiny) -> Path:
    """A checkpoint large enough that writing and quantizing last long enough to interrupt."""
    return tiny.neox(name="tiny-neox-big-for-interrupts", hidden=1024, layers=8, heads=16, ffn=4096)
