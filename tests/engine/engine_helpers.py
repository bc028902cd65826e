"""Helpers shared by the engine tests (imported by them and by conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# The rinna-like model's end-of-sequence token (the tiny tokenizers put </s> at id 3).
EOS_ID = 3


def rewrite_gguf(src: Path, dst: Path, set_kv: dict | None = None, remove_prefixes: tuple[str, ...] = (),
                 drop_tensors: tuple[str, ...] = ()) -> Path:
    """Copy a GGUF with metadata keys added/replaced/removed and tensors left out."""
    from tests.gguf_rewrite import rewrite

    return rewrite(dst, set_kv, drop_tensors=drop_tensors, src=src, drop_prefixes=remove_prefixes)


def hanashi_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_hanashi(*args: str, stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    """``hanashi ARGS`` as a subprocess with ``stdin`` piped in (not a terminal)."""
    return subprocess.run([PYTHON, "-m", "app", *args], input=stdin, capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, env=hanashi_env(), timeout=timeout)
