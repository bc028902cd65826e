"""``hanashi``'s command line: version, self-test, the converter and the app's own arguments."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import app

ROOT = Path(__file__).resolve().parent.parent


def _hanashi(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


def test_version_matches_the_package():
    declared = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert app.__version__ == declared
    r = _hanashi("--version")
    assert r.returncode == 0 and r.stdout.startswith(f"Hanashi {declared} · llama-cpp-python ")


def test_self_test_answers_with_the_demo_model():
    r = _hanashi("--self-test", timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert [line.split()[0] for line in lines[1:5]] == ["ok"] * 4
    assert "富士山" in r.stdout and "self-test passed" in lines[-1]


def test_quantize_subcommand_is_the_converter():
    r = _hanashi("quantize", "convert", "/nonexistent-model-folder", "-o", "/tmp/x.gguf")
    assert r.returncode == 2 and "model folder not found" in r.stderr and "Traceback" not in r.stderr


def test_app_arguments_go_to_the_app():
    r = _hanashi("--lang", "xx")
    assert r.returncode == 2 and "invalid choice: 'xx'" in r.stderr
