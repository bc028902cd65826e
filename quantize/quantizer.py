"""Quantization through llama.cpp's own ``llama_model_quantize``."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable

from . import llama_log
from .errors import ConversionError

# output type → (llama_ftype, approximate bits per weight for progress and disk-space estimates)
QUANT_TYPES = {
    "q8_0": (7, 8.5),
    "q6_k": (18, 6.6),
    "q5_k_m": (17, 5.7),
    "q5_k_s": (16, 5.5),
    "q5_0": (8, 5.5),
    "q4_k_m": (15, 4.9),
    "q4_k_s": (14, 4.6),
    "q4_0": (2, 4.5),
    "q3_k_m": (12, 3.9),
    "q2_k": (10, 3.4),
}


def quantize_file(src: Path, dst: Path, qtype: str, n_params: int,
                  progress: Callable[[int, int, str], None] | None = None, threads: int | None = None) -> None:
    """Quantize ``src`` (a float GGUF) into ``dst``. Progress is estimated from the output's growth."""
    import llama_cpp

    llama_log.quiet()
    llama_log.clear()
    ftype, bpw = QUANT_TYPES[qtype]
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = threads or os.cpu_count() or 1
    expected = max(int(n_params * bpw / 8), 1)
    done = threading.Event()

    def watch():
        while not done.wait(0.25):
            try:
                size = dst.stat().st_size
            except OSError:
                size = 0
            if progress:
                progress(min(size, expected - 1), expected, f"quantizing to {qtype}")

    watcher = threading.Thread(target=watch, daemon=True) if progress else None
    if watcher:
        watcher.start()
    t0 = time.monotonic()
    try:
        rc = llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), params)
    finally:
        done.set()
        if watcher:
            watcher.join()
    if rc != 0:
        detail = llama_log.last_errors()
        free = None
        try:
            import shutil

            free = shutil.disk_usage(dst.parent).free
        except OSError:
            pass
        if free is not None and free < 64 * 2**20:
            raise ConversionError("disk full while quantizing (nothing was kept)", dst,
                                  "free some disk space or write to another disk")
        raise ConversionError(f"llama.cpp failed to quantize to {qtype}" + (f": {detail}" if detail else ""),
                              dst)
    if progress:
        progress(expected, expected, f"quantized to {qtype} in {time.monotonic() - t0:.1f}s")
