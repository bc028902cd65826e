"""Writes a GGUF from an architecture plan, streaming one tensor at a time.

Tensors are produced from the memory-mapped checkpoint only when the writer reaches them and are
dropped right after, so peak memory stays near the largest single tensor, not the model.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import gguf
import numpy as np

from .archs import Planned, _Arch
from .errors import ConversionCancelled, ConversionError
from .safetensors_file import bf16_to_float32, float32_to_bf16

FLOAT_TYPES = ("f32", "f16", "bf16")
_GGML = {"f32": gguf.GGMLQuantizationType.F32, "f16": gguf.GGMLQuantizationType.F16,
         "bf16": gguf.GGMLQuantizationType.BF16}
_BYTES = {"f32": 4, "f16": 2, "bf16": 2}
_FILE_TYPE = {"f32": 0, "f16": 1, "bf16": 32}  # llama_ftype values


def storage_type(p: Planned, float_type: str) -> str:
    """Vectors (norms, biases) stay f32, as llama.cpp expects; matrices take the chosen type."""
    return float_type if p.is_matrix else "f32"


def to_type(a: np.ndarray, src_dtype: str, dst: str) -> np.ndarray:
    """Convert one tensor, with at most one full-size temporary beyond the result."""
    same = {("F32", "f32"), ("F16", "f16"), ("BF16", "bf16")}
    if (src_dtype, dst) in same:
        return np.ascontiguousarray(a)  # no copy when the view is already contiguous
    if src_dtype == "BF16":
        f32 = bf16_to_float32(a)
        return f32 if dst == "f32" else np.ascontiguousarray(f32, dtype=np.float16)
    if dst == "bf16":
        return float32_to_bf16(a)
    return np.ascontiguousarray(a, dtype=np.float32 if dst == "f32" else np.float16)


_CHUNK = 1 << 22  # elements checked at a time: bounds the temporary mask to a few MiB
_MAX = {"f32": float(np.finfo(np.float32).max), "f16": float(np.finfo(np.float16).max),
        "bf16": 3.3895313892515355e38}


def count_nonfinite(data: np.ndarray, kind: str) -> int:
    """How many elements of ``data`` (stored as ``kind``; bf16 as raw words) are NaN or ±Inf."""
    flat = data.reshape(-1)
    bad = 0
    for i in range(0, flat.size, _CHUNK):
        chunk = flat[i:i + _CHUNK]
        if kind == "bf16":  # exponent bits all set: Inf or NaN
            bad += int(np.count_nonzero((chunk & 0x7F80) == 0x7F80))
        else:
            bad += chunk.size - int(np.count_nonzero(np.isfinite(chunk)))
    return bad


def _source_counts(a: np.ndarray, src_dtype: str) -> tuple[int, int, float]:
    """(NaN count, ±Inf count, largest finite magnitude) of a source tensor, for the error message."""
    flat = a.reshape(-1)
    nan = inf = 0
    biggest = 0.0
    for i in range(0, flat.size, _CHUNK):
        chunk = flat[i:i + _CHUNK]
        chunk = bf16_to_float32(chunk) if src_dtype == "BF16" else chunk
        nan += int(np.count_nonzero(np.isnan(chunk)))
        inf += int(np.count_nonzero(np.isinf(chunk)))
        finite = chunk[np.isfinite(chunk)]
        if finite.size:
            biggest = max(biggest, float(np.abs(finite).max()))
    return nan, inf, biggest


def nonfinite_error(p: Planned, arch: _Arch, stored: str, bad: int, n: int) -> ConversionError:
    """Why ``bad`` of the ``n`` values written for ``p`` are not finite: the source or an overflow."""
    src_dtype = arch.ckpt.dtype(p.source)
    where = arch.ckpt.entries[p.source].path
    nan, inf, biggest = _source_counts(p.produce(), src_dtype)
    if nan or inf:
        parts = [f"{c:,} {w}" for c, w in ((nan, "NaN"), (inf, "infinite")) if c]
        return ConversionError(
            f"tensor {p.source!r} has {' and '.join(parts)} value(s) (of {n:,}): the weights are damaged, "
            "and a model with them produces garbage or nothing", where,
            "download the weights again (or use the original checkpoint); to convert them as they are "
            "anyway, pass --allow-nonfinite")
    if stored == "f32":  # only float64 weights get here: no GGUF float type holds them
        fix = ("the weights are probably damaged: download them again; to write these values as infinite "
               "anyway, pass --allow-nonfinite")
    else:
        fix = (f"choose an output type that holds them (--type f32{' or bf16' if stored == 'f16' else ''}); "
               "to write them as infinite anyway, pass --allow-nonfinite")
    return ConversionError(
        f"tensor {p.source!r} has {bad:,} value(s) (of {n:,}) too large for {stored} (largest magnitude "
        f"{biggest:.4g}; {stored} holds at most {_MAX[stored]:.6g}): they would become infinite", where, fix)


def planned_bytes(arch: _Arch, float_type: str) -> int:
    return sum(int(np.prod(p.shape)) * _BYTES[storage_type(p, float_type)] for p in arch.plan)


def write_gguf(path: Path, arch: _Arch, metadata: Callable[[gguf.GGUFWriter], None], float_type: str,
               with_tensors: bool = True, progress: Callable[[int, int, str], None] | None = None,
               cancelled: Callable[[], bool] | None = None, allow_nonfinite: bool = False) -> None:
    """Write ``path`` with the given metadata and (unless vocab-only) every planned tensor.

    Each tensor is checked as it is converted: a NaN or infinite value (in the checkpoint, or from a
    value too large for the output type) is a ConversionError naming the tensor, unless
    ``allow_nonfinite``. The caller's atomic output then removes the partial file.
    """
    w = gguf.GGUFWriter(None, arch.gguf_arch)
    metadata(w)
    arch.write_hparams(w)
    w.add_file_type(_FILE_TYPE[float_type])
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)
    plan = arch.plan if with_tensors else []
    add_tensor_infos(w, plan, float_type)
    w.write_header_to_file(path=Path(path))
    total = planned_bytes(arch, float_type) if with_tensors else 0
    write_tensors(w, arch, plan, float_type, progress, cancelled, allow_nonfinite, 0, total)


def add_tensor_infos(w: gguf.GGUFWriter, plan, float_type: str) -> None:
    """Declare each planned tensor (name, shape, stored type) in the header."""
    for p in plan:
        st = storage_type(p, float_type)
        n = int(np.prod(p.shape))
        np_dtype = {"f32": np.float32, "f16": np.float16, "bf16": np.uint16}[st]
        w.add_tensor_info(p.name, p.shape, np.dtype(np_dtype), n * _BYTES[st],
                          raw_dtype=_GGML[st] if st == "bf16" else None)


def write_tensors(w: gguf.GGUFWriter, arch: _Arch, plan, float_type: str,
                  progress: Callable[[int, int, str], None] | None, cancelled: Callable[[], bool] | None,
                  allow_nonfinite: bool, done: int, total: int) -> None:
    """Write the metadata, the tensor table and each tensor's data (after the header), checked
    as it is converted; flush to disk and close the writer, whatever happens."""
    try:
        w.write_kv_data_to_file()
        w.write_ti_data_to_file()
        for p in plan:
            if cancelled and cancelled():
                raise ConversionCancelled()
            src = arch.ckpt.dtype(p.source)
            stored = storage_type(p, float_type)
            with np.errstate(over="ignore", invalid="ignore"):
                data = to_type(p.produce(), src, stored)
            if tuple(data.shape) != tuple(p.shape):
                raise AssertionError(f"{p.name}: produced {data.shape}, planned {p.shape}")
            if not allow_nonfinite:
                bad = count_nonfinite(data, stored)
                if bad:
                    raise nonfinite_error(p, arch, stored, bad, data.size)
            w.write_tensor_data(data)
            done += data.nbytes
            del data
            arch.ckpt.release(p.source)
            if progress:
                progress(done, total, p.name)
        for f in w.fout or []:
            f.flush()
            os.fsync(f.fileno())
    finally:
        w.close()
