"""Importing llama.cpp (through llama-cpp-python) with its backends loaded from its own folder.

Hanashi builds llama.cpp with ``GGML_BACKEND_DL``: the CPU kernels for each x86 generation
(SSE4.2, AVX, AVX2, AVX-512, …) and the CUDA backend are modules that llama.cpp chooses from at
run time, so one build runs on any x86-64 CPU and uses the best instructions it has. llama.cpp's
own search looks beside the executable and in the current directory; here the modules are loaded
from ``llama_cpp/lib`` and nowhere else (a library dropped into the current folder is never
loaded). Builds without ``GGML_BACKEND_DL`` link their CPU backend and need nothing.

Every Hanashi module that uses llama.cpp gets it from ``load()``.
"""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

_loaded = None


class BackendMissingError(RuntimeError):
    """llama.cpp has no CPU backend to run on (a damaged install)."""


def module():
    """The ``llama_cpp`` module as imported, before any backend is loaded (for its log hook)."""
    import llama_cpp

    return llama_cpp


def lib_dir() -> Path:
    import llama_cpp

    return Path(llama_cpp.__file__).resolve().parent / "lib"


def ggml() -> ctypes.CDLL | None:
    """The ggml library libllama itself uses (its backend registry is the one that counts).

    A wheel holds ``libggml.so`` and ``libggml.so.0`` as two copies of one file; libllama links
    the latter (its SONAME), and a library loaded under the other name would be a second,
    separate instance with an empty registry.
    """
    names = {"win32": ("ggml.dll",), "darwin": ("libggml.0.dylib", "libggml.dylib")}.get(
        sys.platform, ("libggml.so.0", "libggml.so"))
    for name in names:
        path = lib_dir() / name
        if path.exists():
            lib = ctypes.CDLL(str(path))
            lib.ggml_backend_reg_count.restype = ctypes.c_size_t
            lib.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
            lib.ggml_backend_load_all_from_path.restype = None
            return lib
    return None


def backend_modules() -> list[str]:
    """The backend libraries in this build: ``libggml-cpu-<variant>.so`` modules that llama.cpp
    chooses from at run time, or the single ``libggml-cpu.so`` of a build made for one CPU."""
    folder = lib_dir()
    suffix = {"win32": ".dll", "darwin": ".so"}.get(sys.platform, ".so")
    prefix = "" if sys.platform == "win32" else "lib"
    return sorted(p.name for p in folder.glob(f"{prefix}ggml-*{suffix}")
                  if p.name.startswith((f"{prefix}ggml-cpu", f"{prefix}ggml-cuda", f"{prefix}ggml-vulkan",
                                        f"{prefix}ggml-metal", f"{prefix}ggml-hip")))


def load():
    """The ``llama_cpp`` module, with llama.cpp's log going through ``llama_log``'s filter and its
    backends registered. Safe to call often."""
    global _loaded
    if _loaded is not None:
        return _loaded
    import llama_cpp

    from . import llama_log

    llama_log.quiet()  # before the backends load: their messages go to Hanashi's log filter
    lib = ggml()
    if lib is not None and lib.ggml_backend_reg_count() == 0:
        lib.ggml_backend_load_all_from_path(str(lib_dir()).encode())
        if lib.ggml_backend_reg_count() == 0:
            raise BackendMissingError(
                f"llama.cpp found no backend to run on in {lib_dir()} (no libggml-cpu-*.so): "
                "reinstall Hanashi (bash scripts/setup-venv.sh) or the bundle")
    _loaded = llama_cpp
    return llama_cpp
