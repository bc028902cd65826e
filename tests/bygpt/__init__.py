"""Tests of the byte-level multi-head model's layout table, encoding and converter."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_built: dict[str, Path] = {}


def tiny_checkpoint() -> Path:
    """The tiny checkpoint, written once per test process by ``python -m quantize.tiny bygpt OUTDIR``."""
    if "tiny" not in _built:
        base = Path(tempfile.mkdtemp(prefix="hanashi-bygpt-tiny-"))
        atexit.register(shutil.rmtree, base, True)
        out = base / "tiny-bygpt"
        proc = subprocess.run([sys.executable, "-m", "quantize.tiny", "bygpt", str(out)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, "OMP_NUM_THREADS": "1"})
        assert proc.returncode == 0, proc.stderr
        _built["tiny"] = out
    return _built["tiny"]


def copy_checkpoint(dest: Path) -> Path:
    shutil.copytree(tiny_checkpoint(), dest)
    return dest
