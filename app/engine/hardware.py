"""What the machine offers a model: free memory, GPU devices, and how many layers to offload.

GPU facts come from ggml's device registry (any GPU backend llama.cpp was built with: CUDA,
Metal, Vulkan, ...), with ``nvidia-smi`` as a second source of free VRAM on NVIDIA machines.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

_DEVICE_GPU = 1  # GGML_BACKEND_DEVICE_TYPE_GPU
_GPU_HEADROOM = 512 * 2**20  # compute buffers and the CUDA context
_RAM_HEADROOM = 256 * 2**20


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
    import llama_cpp

    return bool(llama_cpp.llama_supports_gpu_offload())


def _ggml_lib():
    import llama_cpp

    lib_dir = Path(llama_cpp.__file__).parent / "lib"
    for name in ("libggml.so", "libggml.dylib", "ggml.dll"):
        if (lib_dir / name).exists():
            lib = ctypes.CDLL(str(lib_dir / name))
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
    return None


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


def nvidia_free_vram() -> int | None:
    """Free memory of the first NVIDIA GPU according to nvidia-smi, in bytes."""
    exe = shutil.which("nvidia-smi")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "--query-gpu=memory.free", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=10).stdout
        return int(out.split()[0]) * 2**20
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
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
