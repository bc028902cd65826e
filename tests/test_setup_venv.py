"""scripts/setup-venv.sh on real virtual environments: build configuration, rebuilds, broken venvs.

Each test runs the real script with HANASHI_VENV pointing at a scratch venv. The llama.cpp wheel
for the default configuration comes from Hanashi's wheel cache, which the README's setup filled
when it compiled llama.cpp; a different CMAKE_ARGS must compile again, from source.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "setup-venv.sh"


def _setup(venv: Path, *args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k != "CMAKE_ARGS"}
    full.update({"HANASHI_VENV": str(venv), "PYTHON": sys.executable, **(env or {})})
    return subprocess.run(["bash", str(SCRIPT), *args], cwd=ROOT, env=full, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("setup") / "venv"
    # A half-made venv, as a missing python3-venv leaves it: an interpreter but no pip.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    r = _setup(path)
    assert r.returncode == 0, r.stderr
    assert "incomplete (no working pip); making it again" in r.stderr
    return path


def _stamp(venv: Path) -> str:
    return (venv / ".hanashi-llama-build").read_text()


def test_half_made_venv_is_made_again_and_records_the_build(venv):
    assert _stamp(venv).startswith("llama-cpp-python==")
    assert _stamp(venv).endswith("CMAKE_ARGS=-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON")
    r = subprocess.run([str(venv / "bin" / "python"), "-c", "import llama_cpp, app, quantize; print('ok')"],
                       capture_output=True, text=True, cwd="/")
    assert r.stdout.strip() == "ok", r.stderr


def test_same_configuration_builds_nothing(venv):
    r = _setup(venv)
    assert r.returncode == 0, r.stderr
    assert "Compiling llama.cpp" not in r.stderr and "Installing llama.cpp" not in r.stderr


def test_changed_cmake_args_rebuild_from_source_and_a_failed_build_keeps_the_install(venv, tmp_path):
    before = _stamp(venv)
    # A build configuration that cannot compile: the script must try (from source, not pip's cache),
    # fail with a message, and leave the working llama.cpp in place.
    r = _setup(venv, env={"CMAKE_ARGS": "-DCMAKE_C_COMPILER=/nonexistent/cc",
                          "HANASHI_WHEEL_CACHE": str(tmp_path / "cache")})
    assert r.returncode == 1
    assert "Compiling llama.cpp" in r.stderr and "-DCMAKE_C_COMPILER=/nonexistent/cc" in r.stderr
    assert "compiling llama.cpp failed; the existing install (if any) is unchanged" in r.stderr
    assert "Traceback" not in r.stderr
    assert _stamp(venv) == before
    ok = subprocess.run([str(venv / "bin" / "python"), "-c", "import llama_cpp"], capture_output=True)
    assert ok.returncode == 0


def test_cuda_without_nvcc_names_what_to_install(venv, tmp_path):
    r = _setup(venv, "--cuda", env={"HANASHI_WHEEL_CACHE": str(tmp_path / "cache"), "CUDA_HOME": str(tmp_path),
                                    "PATH": str(_tools(tmp_path, compilers=True))})
    assert r.returncode == 1
    assert "nvcc" in r.stderr and "CUDA toolkit" in r.stderr


def _tools(tmp_path: Path, compilers: bool = False) -> Path:
    """A PATH with the tools the script needs, without nvcc, and without a compiler unless asked."""
    bin_dir = tmp_path / ("bin-cc" if compilers else "bin")
    bin_dir.mkdir(exist_ok=True)
    tools = ["bash", "sed", "head", "cat", "cut", "sha256sum", "ls", "mktemp", "nproc", "rm", "mkdir",
             "cp", "dirname", "tee", "grep", "tail", "basename", "printf"]
    if compilers:
        tools += ["cc", "c++", "gcc", "g++"]
    for tool in tools:
        found = shutil.which(tool)
        if found and not (bin_dir / tool).exists():
            (bin_dir / tool).symlink_to(found)
    return bin_dir


def test_missing_compiler_is_named_before_any_build(venv, tmp_path):
    r = _setup(venv, env={"CMAKE_ARGS": "-DGGML_NATIVE=OFF", "PATH": str(_tools(tmp_path)),
                          "HANASHI_WHEEL_CACHE": str(tmp_path / "cache")})
    assert r.returncode == 1
    assert "no C compiler found" in r.stderr and "build-essential" in r.stderr


def test_missing_python_is_named(tmp_path):
    r = _setup(tmp_path / "v", env={"PYTHON": "/nonexistent/python3"})
    assert r.returncode == 1
    assert "Install Python 3.10 or newer" in r.stderr
