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
from .errors import ConversionCancelled
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


def planned_bytes(arch: _Arch, float_type: str) -> int:
    return sum(int(np.prod(p.shape)) * _BYTES[storage_type(p, float_type)] for p in arch.plan)


def write_gguf(path: Path, arch: _Arch, metadata: Callable[[gguf.GGUFWriter], None], float_type: str,
               with_tensors: bool = True, progress: Callable[[int, int, str], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> None:
    """Write ``path`` with the given metadata and (unless vocab-only) every planned tensor."""
    w = gguf.GGUFWriter(None, arch.gguf_arch)
    metadata(w)
    arch.write_hparams(w)
    w.add_file_type(_FILE_TYPE[float_type])
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)
    plan = arch.plan if with_tensors else []
    for p in plan:
        st = storage_type(p, float_type)
        n = int(np.prod(p.shape))
        np_dtype = {"f32": np.float32, "f16": np.float16, "bf16": np.uint16}[st]
        w.add_tensor_info(p.name, p.shape, np.dtype(np_dtype), n * _BYTES[st],
                          raw_dtype=_GGML[st] if st == "bf16" else None)
    w.write_header_to_file(path=Path(path))
    try:
        w.write_kv_data_to_file()
        w.write_ti_data_to_file()
        total = planned_bytes(arch, float_type) if with_tensors else 0
        done = 0
        for p in plan:
            if cancelled and cancelled():
                raise ConversionCancelled()
            src = arch.ckpt.dtype(p.source)
            data = to_type(p.produce(), src, storage_type(p, float_type))
            if tuple(data.shape) != tuple(p.shape):
                raise AssertionError(f"{p.name}: produced {data.shape}, planned {p.shape}")
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
