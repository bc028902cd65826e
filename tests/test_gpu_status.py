"""The GPU status without a GPU: a fake driver tree and fake nvidia-smi programs stand in for the
NVIDIA driver; llama.cpp's own answer (a CPU build here) is asked for real. And ``hanashi chat
--gpu-layers`` on a build without offload, as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import pytest

from app import gpu_status, paths
from app import settings as settings_io
from app.engine import hardware
from app.gpu_status import FIX_DOWNLOAD, FIX_PIP, FIX_SCRIPT, NO_GPU, NVIDIA_UNUSED, OFFLOAD, GpuStatus

ROOT = Path(__file__).resolve().parents[1]
OFFLOAD_BUILD = hardware.supports_gpu_offload()


def driver_tree(tmp_path: Path, proc: bool = True, dev: tuple[str, ...] = ()) -> Path:
    """A folder laid out like / on a machine with the NVIDIA driver loaded."""
    root = tmp_path / "root"
    (root / "dev").mkdir(parents=True, exist_ok=True)
    if proc:
        version_file = root / "proc" / "driver" / "nvidia" / "version"
        version_file.parent.mkdir(parents=True)
        version_file.write_text("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15\n")
    for name in dev:
        (root / "dev" / name).write_text("")
    return root


def fake_program(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


# ------------------------------------------------------------ the driver


def test_the_driver_is_seen_in_proc_or_dev_and_nowhere_else(tmp_path):
    assert hardware.nvidia_driver_visible(driver_tree(tmp_path / "a"), nvidia_smi=None)
    assert hardware.nvidia_driver_visible(driver_tree(tmp_path / "b", proc=False, dev=("nvidia0",)), nvidia_smi=None)
    # The control devices alone (no GPU node) and an empty tree are no GPU.
    assert not hardware.nvidia_driver_visible(driver_tree(tmp_path / "c", proc=False, dev=("nvidiactl", "nvidia-uvm")),
                                              nvidia_smi=None)
    assert not hardware.nvidia_driver_visible(tmp_path / "missing", nvidia_smi=None)


def test_nvidia_smi_listing_a_gpu_counts_and_a_failing_one_does_not(tmp_path):
    empty = driver_tree(tmp_path, proc=False)
    lists = fake_program(tmp_path, "smi-ok", 'echo "GPU 0: NVIDIA H200 (UUID: GPU-0f6e2b1c)"')
    no_driver = fake_program(tmp_path, "smi-fail", "echo \"NVIDIA-SMI has failed because it couldn't communicate "
                                                   "with the NVIDIA driver.\"; exit 9")
    nothing = fake_program(tmp_path, "smi-none", "echo 'No devices found.'")
    assert hardware.nvidia_driver_visible(empty, nvidia_smi=lists)
    assert not hardware.nvidia_driver_visible(empty, nvidia_smi=no_driver)
    assert not hardware.nvidia_driver_visible(empty, nvidia_smi=nothing)
    assert not hardware.nvidia_driver_visible(empty, nvidia_smi=str(tmp_path / "not-installed"))


def test_a_hanging_nvidia_smi_is_given_up_on_with_its_children(tmp_path):
    pid_file = tmp_path / "child.pid"
    # The shell starts a child that holds the output pipe open: killing the shell alone would hang.
    hangs = fake_program(tmp_path, "smi-hang", f"sleep 60 & echo $! > {pid_file}; wait")
    t0 = time.monotonic()
    assert not hardware.nvidia_driver_visible(driver_tree(tmp_path, proc=False), nvidia_smi=hangs, timeout=0.5)
    assert time.monotonic() - t0 < 5
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while not gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(child)


def gone(pid: int) -> bool:
    """The process has ended (a zombie waiting for init to reap it counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


# ------------------------------------------------------------ the status


def test_an_nvidia_gpu_with_a_cpu_build_says_how_to_fix_it(tmp_path):
    root = driver_tree(tmp_path)
    status = gpu_status.detect(root, nvidia_smi=None, offload=False, frozen=False)
    assert (status.state, status.fix_kind) == (NVIDIA_UNUSED, FIX_SCRIPT)
    assert status.nvidia_unused and not status.offload
    assert status.fix_command.endswith("&& bash scripts/start.sh --cuda")
    assert status.fix_command.startswith(f"cd {paths.ROOT}")
    assert (paths.ROOT / "scripts" / "start.sh").is_file()

    packaged = gpu_status.detect(root, nvidia_smi=None, offload=False, frozen=True)
    assert (packaged.state, packaged.fix_kind, packaged.fix_command) == (NVIDIA_UNUSED, FIX_DOWNLOAD, "")
    assert packaged.fix_sentence() == "download the CUDA build of Hanashi"

    pip_installed = gpu_status.detect(root, nvidia_smi=None, offload=False, frozen=False, checkout=tmp_path / "site")
    assert pip_installed.fix_kind == FIX_PIP
    assert pip_installed.fix_command.startswith('CMAKE_ARGS="-DGGML_CUDA=on" ')
    assert f"llama-cpp-python=={version('llama-cpp-python')}" in pip_installed.fix_command
    assert "--no-cache-dir" in pip_installed.fix_command  # never pip's cached CPU wheel


def test_no_gpu_and_a_gpu_build_need_no_fix(tmp_path):
    root = driver_tree(tmp_path)
    assert gpu_status.detect(tmp_path / "bare", nvidia_smi=None, offload=False) == GpuStatus(NO_GPU)
    assert gpu_status.detect(root, nvidia_smi=None, offload=True) == GpuStatus(OFFLOAD)


def test_llama_cpp_is_asked_when_offload_is_not_given(tmp_path):
    status = gpu_status.detect(driver_tree(tmp_path), nvidia_smi=None, frozen=False)
    assert status.offload == OFFLOAD_BUILD
    assert status.state == (OFFLOAD if OFFLOAD_BUILD else NVIDIA_UNUSED)
    assert gpu_status.current().offload == OFFLOAD_BUILD


def test_the_terminal_warning_names_the_setting_and_the_fix(tmp_path):
    nvidia = gpu_status.detect(driver_tree(tmp_path), nvidia_smi=None, offload=False, frozen=False)
    warn = gpu_status.ignored_layers_warning
    for quiet in ("auto", "0", 0):
        assert warn(quiet, nvidia) == ""
    assert warn("all", GpuStatus(OFFLOAD)) == ""
    line = warn("all", GpuStatus(NO_GPU))
    assert line == ("hanashi: warning: --gpu-layers all is ignored: this llama.cpp was built without GPU "
                    "offload, so the model runs on the CPU")
    line = warn("12", nvidia)
    assert "--gpu-layers 12 is ignored" in line and "bash scripts/start.sh --cuda" in line and "\n" not in line


def test_the_notice_flag_is_saved_and_a_bad_value_falls_back(tmp_path):
    path = tmp_path / "settings.json"
    s = settings_io.Settings(gpu_notice_seen=True)
    settings_io.save(s, path)
    assert settings_io.load(path).gpu_notice_seen is True
    path.write_text(json.dumps({"gpu_notice_seen": "yes", "theme": "dark"}))
    loaded = settings_io.load(path)
    assert (loaded.gpu_notice_seen, loaded.theme) == (False, "dark")


# ------------------------------------------------------------ hanashi chat --gpu-layers


def chat(gpu_layers: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "app", "chat", str(paths.DEMO_MODEL), "--gpu-layers", gpu_layers,
                           "--temp", "0", "--max-tokens", "8", "--ctx", "256", "--threads", "1"],
                          input="こんにちは\n", capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env,
                          timeout=120)


@pytest.mark.parametrize("gpu_layers", ["all", "5", "auto"])
def test_chat_with_gpu_layers_without_offload_warns_and_runs_on_the_cpu(gpu_layers):
    proc = chat(gpu_layers)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip(), proc.stderr  # a reply was written
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    if OFFLOAD_BUILD or gpu_layers == "auto":
        assert warnings == []
        return
    assert warnings == [gpu_status.ignored_layers_warning(gpu_layers)]
    assert f"--gpu-layers {gpu_layers} is ignored" in warnings[0]
    assert ", CPU (1 thread" in proc.stderr  # the backend line: the model runs on the CPU
