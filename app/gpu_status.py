"""Can Hanashi use the GPU, and if it can't but could, what to do about it.

One status for the desktop app and the terminal chat:

* ``OFFLOAD``: this llama.cpp can offload layers to a GPU;
* ``NVIDIA_UNUSED``: an NVIDIA GPU and its driver are there, but this llama.cpp was built for
  the CPU only. The fix depends on how Hanashi was installed: a source checkout rebuilds with
  ``bash scripts/start.sh --cuda``, a pip install reinstalls llama-cpp-python from source with
  CUDA, and the packaged app (``sys.frozen``) is replaced by its CUDA build;
* ``NO_GPU``: a CPU-only llama.cpp and no NVIDIA GPU seen.

``detect()`` takes what it would otherwise find out as arguments (the root of the driver's paths,
the ``nvidia-smi`` to ask, whether llama.cpp offloads, whether this is the packaged app), so each
case can be checked on any machine; ``current()`` is the machine's own status, found once.
"""

from __future__ import annotations

import functools
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from app import paths
from app.engine import hardware

OFFLOAD = "offload"
NVIDIA_UNUSED = "nvidia-unused"
NO_GPU = "no-gpu"

FIX_SCRIPT = "script"  # a source checkout: rebuild llama.cpp with scripts/start.sh --cuda
FIX_PIP = "pip"  # installed with pip: reinstall llama-cpp-python built with CUDA
FIX_DOWNLOAD = "download"  # the packaged app: download its CUDA build

START_SCRIPT = "scripts/start.sh"
CUDA_BUILD = "the CUDA build of Hanashi"


@dataclass(frozen=True)
class GpuStatus:
    state: str  # OFFLOAD, NVIDIA_UNUSED or NO_GPU
    fix_kind: str = ""  # for NVIDIA_UNUSED: FIX_SCRIPT, FIX_PIP or FIX_DOWNLOAD
    fix_command: str = ""  # the command that fixes it ("" for FIX_DOWNLOAD)

    @property
    def offload(self) -> bool:
        """llama.cpp can put layers on a GPU."""
        return self.state == OFFLOAD

    @property
    def nvidia_unused(self) -> bool:
        """An NVIDIA GPU is there but this llama.cpp can't use it."""
        return self.state == NVIDIA_UNUSED

    def fix_sentence(self) -> str:
        """What to do, in English (the desktop app translates its own version)."""
        if self.fix_kind == FIX_DOWNLOAD:
            return f"download {CUDA_BUILD}"
        return f"run: {self.fix_command}" if self.fix_command else ""


def _offload_supported() -> bool:
    try:
        return hardware.supports_gpu_offload()
    except (ImportError, OSError, RuntimeError, AttributeError):
        return False  # llama.cpp itself can't be loaded: loading a model says why


def _llama_cpp_version() -> str:
    try:
        from importlib.metadata import version

        return version("llama-cpp-python")
    except Exception:  # noqa: BLE001 — metadata missing or unreadable: leave the version open
        return ""


def fix_for(frozen: bool, checkout: Path) -> tuple[str, str]:
    """(fix kind, command) for a CPU-only llama.cpp on a machine with an NVIDIA GPU."""
    if frozen:
        return FIX_DOWNLOAD, ""
    if (checkout / START_SCRIPT).is_file():
        return FIX_SCRIPT, f"cd {shlex.quote(str(checkout))} && bash {START_SCRIPT} --cuda"
    pinned = _llama_cpp_version()
    package = f"llama-cpp-python=={pinned}" if pinned else "llama-cpp-python"
    return FIX_PIP, (f'CMAKE_ARGS="-DGGML_CUDA=on" {shlex.quote(sys.executable)} -m pip install '
                     f"--force-reinstall --no-deps --no-cache-dir --no-binary llama-cpp-python {package}")


def detect(root: str | Path = "/", nvidia_smi=hardware.SEARCH_PATH, offload: bool | None = None,
           frozen: bool | None = None, checkout: Path | None = None,
           timeout: float = hardware.NVIDIA_SMI_TIMEOUT) -> GpuStatus:
    """The GPU status. Each argument left out is found out: ``root`` and ``nvidia_smi`` as in
    ``hardware.nvidia_driver_visible``; ``offload`` from llama.cpp; ``frozen`` from ``sys.frozen``
    (the packaged app); ``checkout`` is Hanashi's source folder (``paths.ROOT``)."""
    if offload is None:
        offload = _offload_supported()
    if offload:
        return GpuStatus(OFFLOAD)
    if not hardware.nvidia_driver_visible(root, nvidia_smi, timeout):
        return GpuStatus(NO_GPU)
    if frozen is None:
        frozen = bool(getattr(sys, "frozen", False))
    kind, command = fix_for(frozen, paths.ROOT if checkout is None else Path(checkout))
    return GpuStatus(NVIDIA_UNUSED, kind, command)


@functools.cache
def current() -> GpuStatus:
    """This machine's status (found on first use; llama.cpp and the driver don't change while running)."""
    return detect()


def ignored_layers_warning(gpu_layers: str | int, status: GpuStatus | None = None) -> str:
    """One line for the terminal when GPU layers are asked for ("all" or a count above 0) but this
    llama.cpp can't offload; "" otherwise. ``status`` defaults to ``current()``, asked only then."""
    word = str(gpu_layers).strip().lower()
    if word == "auto" or (word.isdigit() and int(word) == 0):
        return ""
    status = current() if status is None else status
    if status.offload:
        return ""
    line = (f"hanashi: warning: --gpu-layers {word} is ignored: this llama.cpp was built without GPU "
            "offload, so the model runs on the CPU")
    if status.nvidia_unused:
        line += f" (an NVIDIA GPU was found; to use it, {status.fix_sentence()})"
    return line
