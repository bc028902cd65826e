"""What the machine offers a model: free memory, GPU devices, and how many layers to offload.

GPU facts come from ggml's device registry (any GPU backend llama.cpp was built with: CUDA,
Metal, Vulkan, ...), with ``nvidia-smi`` as a second source of free VRAM on NVIDIA machines.
Whether an NVIDIA GPU is there at all is asked of the driver, not of llama.cpp
(``nvidia_driver_visible``): a CPU-only llama.cpp sees no GPU even where one is waiting.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from quantize import llama_lib

_DEVICE_GPU = 1  # GGML_BACKEND_DEVICE_TYPE_GPU
_GPU_HEADROOM = 512 * 2**20  # compute buffers and the CUDA context
_RAM_HEADROOM = 256 * 2**20
NVIDIA_SMI_TIMEOUT = 3.0  # seconds; a driver that does not answer must not hold up the app
_WSL_NVIDIA_SMI = "/usr/lib/wsl/lib/nvidia-smi"  # WSL's driver tools, often not on PATH


@dataclass(frozen=True)
class GpuDevice:
    name: str  # ggml's backend device name, e.g. "CUDA0"
    description: str  # e.g. "NVIDIA H100 80GB HBM3"
    free: int  # bytes
    total: int


def mem_available(meminfo: str = "/proc/meminfo") -> int | None:
    """MemAvailable in bytes, or None where the system does not report it."""
    try:
        for line in Path(meminfo).read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def supports_gpu_offload() -> bool:
    llama_cpp = llama_lib.load()

    return bool(llama_cpp.llama_supports_gpu_offload())


def _ggml_lib():
    """The ggml instance libllama uses (its device registry), with the device calls typed."""
    llama_lib.load()
    lib = llama_lib.ggml()
    if lib is None:
        return None
    lib.ggml_backend_dev_count.restype = ctypes.c_size_t
    lib.ggml_backend_dev_get.restype = ctypes.c_void_p
    lib.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
    lib.ggml_backend_dev_type.restype = ctypes.c_int
    lib.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
    for fn in (lib.ggml_backend_dev_name, lib.ggml_backend_dev_description):
        fn.restype = ctypes.c_char_p
        fn.argtypes = [ctypes.c_void_p]
    lib.ggml_backend_dev_memory.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t),
                                            ctypes.POINTER(ctypes.c_size_t)]
    return lib


def gpu_devices() -> list[GpuDevice]:
    """The GPUs llama.cpp can offload to (empty for a CPU-only build)."""
    if not supports_gpu_offload():
        return []
    try:
        lib = _ggml_lib()
        if lib is None:
            return []
        out = []
        for i in range(lib.ggml_backend_dev_count()):
            dev = lib.ggml_backend_dev_get(i)
            if lib.ggml_backend_dev_type(dev) != _DEVICE_GPU:
                continue
            free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
            lib.ggml_backend_dev_memory(dev, ctypes.byref(free), ctypes.byref(total))
            out.append(GpuDevice(lib.ggml_backend_dev_name(dev).decode(errors="replace"),
                                 lib.ggml_backend_dev_description(dev).decode(errors="replace"),
                                 free.value, total.value))
        return out
    except (OSError, AttributeError):
        return []


def find_nvidia_smi() -> str | None:
    """The ``nvidia-smi`` program the NVIDIA driver installs, or None."""
    exe = shutil.which("nvidia-smi")
    if exe:
        return exe
    return _WSL_NVIDIA_SMI if os.access(_WSL_NVIDIA_SMI, os.X_OK) else None


def run_nvidia_smi(exe: str, args: list[str], timeout: float = NVIDIA_SMI_TIMEOUT) -> str | None:
    """``exe args``'s standard output, or None when it fails or takes longer than ``timeout``.

    The program runs in its own process group and the whole group is killed at the timeout, so
    a helper it started cannot keep the pipe open and make the caller wait anyway.
    """
    try:
        proc = subprocess.Popen([exe, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, text=True, errors="replace",
                                start_new_session=sys.platform != "win32")
    except OSError:
        return None
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            if sys.platform == "win32":
                proc.kill()
            else:
                os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            proc.communicate(timeout=1.0)
        except subprocess.TimeoutExpired:
            pass
        return None
    return out if proc.returncode == 0 else None


SEARCH_PATH = object()  # nvidia_smi=SEARCH_PATH: look for nvidia-smi on PATH


def nvidia_driver_visible(root: str | Path = "/", nvidia_smi: str | None | object = SEARCH_PATH,
                          timeout: float = NVIDIA_SMI_TIMEOUT) -> bool:
    """Whether an NVIDIA GPU with a working driver is visible to this process (llama.cpp not asked).

    Linux: the driver's ``/proc/driver/nvidia/version`` or a ``/dev/nvidiaN`` device node; then
    (and on other systems) ``nvidia-smi -L`` listing a GPU within ``timeout`` seconds. ``root``
    is where those paths are looked for (a test points it at a fake driver tree); ``nvidia_smi``
    is the program to ask (default: found on PATH; None: don't ask).
    """
    root = Path(root)
    if (root / "proc" / "driver" / "nvidia" / "version").is_file():
        return True
    try:
        if any(re.fullmatch(r"nvidia\d+", p.name) for p in (root / "dev").iterdir()):
            return True
    except OSError:
        pass
    exe = find_nvidia_smi() if nvidia_smi is SEARCH_PATH else nvidia_smi
    if not exe:
        return False
    out = run_nvidia_smi(str(exe), ["-L"], timeout)
    return bool(out) and any(line.startswith("GPU ") for line in out.splitlines())


def nvidia_free_vram() -> int | None:
    """Free memory of the first NVIDIA GPU according to nvidia-smi, in bytes."""
    exe = find_nvidia_smi()
    if not exe:
        return None
    out = run_nvidia_smi(exe, ["--query-gpu=memory.free", "--format=csv,noheader,nounits"], timeout=10)
    try:
        return int(out.split()[0]) * 2**20
    except (AttributeError, ValueError, IndexError):
        return None


def kv_cache_bytes(n_layer: int, n_ctx: int, kv_width: int) -> int:
    """f16 keys and values for every layer and position."""
    return 2 * n_layer * n_ctx * kv_width * 2


def plan_gpu_layers(requested: str | int, n_layer: int, file_size: int, kv_bytes: int,
                    free_vram: int | None) -> int:
    """The number of layers to offload: ``"auto"``, ``"all"`` or a count.

    ``auto`` fits whole layers into free VRAM, estimating a layer as file size / n_layer and
    keeping room for the context cache and compute buffers; it is 0 without a GPU backend.
    Returns n_layer + 1 for "everything" (the output layer too).
    """
    if isinstance(requested, str):
        word = requested.strip().lower()
        if word == "all":
            return n_layer + 1 if supports_gpu_offload() else 0
        if word != "auto":
            try:
                requested = int(word)
            except ValueError:
                raise ValueError(f"gpu layers must be 'auto', 'all' or a number, not {requested!r}") from None
    if not isinstance(requested, str):
        if requested < 0:
            return n_layer + 1 if supports_gpu_offload() else 0
        return min(int(requested), n_layer + 1) if supports_gpu_offload() else 0
    if not supports_gpu_offload() or free_vram is None or n_layer <= 0:
        return 0
    per_layer = file_size / n_layer
    room = free_vram - _GPU_HEADROOM - kv_bytes
    if room >= file_size:
        return n_layer + 1
    return max(0, min(n_layer, int(room // per_layer)))


def ram_needed(file_size: int, n_layer: int, gpu_layers: int, kv_bytes: int) -> int:
    """Memory the CPU side needs: the weights left on the CPU plus the context cache."""
    on_gpu = min(gpu_layers, n_layer) / n_layer if n_layer else 0.0
    kv_cpu = 0 if gpu_layers > n_layer else kv_bytes
    return int(file_size * (1.0 - on_gpu)) + kv_cpu + _RAM_HEADROOM
