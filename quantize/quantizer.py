"""Quantization through llama.cpp's own ``llama_model_quantize``."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable

from . import llama_lib
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
                  progress: Callable[[int, int, str], None] | None = None, threads: int | None = None,
                  cancelled: Callable[[], bool] | None = None, label: object = None) -> None:
    """Quantize ``src`` (a float GGUF) into ``dst``. Progress is estimated from the output's growth.

    llama.cpp runs in a child process (``quantize.child``): ``cancelled()`` kills it within a
    fraction of a second (``ConversionCancelled``; the caller removes ``dst``), and a crash inside
    llama.cpp is a ``ChildCrashed`` error instead of the end of this process. ``label`` names the
    file in messages (the user's output path rather than a temporary name).
    """
    from . import child

    if qtype not in QUANT_TYPES:
        raise ConversionError(f"unknown quantization type {qtype!r}", label or dst,
                              f"choose one of: {', '.join(QUANT_TYPES)}")
    expected = max(int(n_params * QUANT_TYPES[qtype][1] / 8), 1)
    t0 = time.monotonic()

    def relay(_stage: str, done: int, total: int, detail: str) -> None:
        if progress:
            progress(done, total, detail)

    child.run("quantize.quantizer:quantize_here", (str(src), str(dst), qtype, expected, threads),
              {"label": str(label) if label is not None else None}, stage=f"quantizing to {qtype}",
              path=label or src, progress=relay, cancelled=cancelled,
              fix="the converted weights could not be quantized: try another quantization type, "
                  "or report this with the model folder")
    if progress:
        progress(expected, expected, f"quantized to {qtype} in {time.monotonic() - t0:.1f}s")


def quantize_here(src: str, dst: str, qtype: str, expected: int, threads: int | None = None,
                  label: str | None = None, progress: Callable[[str, int, int, str], None] | None = None) -> None:
    """The child's side of ``quantize_file``: llama.cpp quantizes in this process."""
    llama_cpp = llama_lib.load()

    llama_log.clear()
    out = Path(dst)
    ftype, _bpw = QUANT_TYPES[qtype]
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = threads or os.cpu_count() or 1
    done = threading.Event()

    def watch():  # llama.cpp releases the GIL while it works: report the output's growth meanwhile
        while not done.wait(0.25):
            try:
                size = out.stat().st_size
            except OSError:
                size = 0
            progress("quantize", min(size, expected - 1), expected, f"quantizing to {qtype}")

    watcher = threading.Thread(target=watch, daemon=True) if progress else None
    if watcher:
        watcher.start()
    try:
        rc = llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), params)
    finally:
        done.set()
        if watcher:
            watcher.join()
    if rc != 0:
        detail = llama_log.last_errors()
        where = label or dst
        free = None
        try:
            import shutil

            free = shutil.disk_usage(out.parent).free
        except OSError:
            pass
        if free is not None and free < 64 * 2**20:
            raise ConversionError("disk full while quantizing (nothing was kept)", where,
                                  "free some disk space or write to another disk")
        raise ConversionError(f"llama.cpp failed to quantize to {qtype}" + (f": {detail}" if detail else ""),
                              where)
