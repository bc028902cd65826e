"""The byte embedding, merge module and LM heads, stored in the same GGUF as the Llama backbone.

Measured with the llama.cpp Hanashi ships (llama-cpp-python 0.3.36), by
``tests/bygpt/test_convert.py::test_llama_cpp_refuses_extra_tensors``: a llama GGUF that has one
tensor more in its tensor table than the architecture creates does NOT load —
``llama_model_loader::done_getting_tensors`` throws "wrong number of tensors; expected N+1, got N"
and ``llama_model_load_from_file`` returns NULL. So the extra tensors are stored as metadata:

    hanashi.bygpt.tensor.<name>.data    array of uint8: the raw little-endian f16 or f32 values
    hanashi.bygpt.tensor.<name>.shape   array of uint32: numpy order (rows, cols)
    hanashi.bygpt.tensor.<name>.dtype   string: "f16" or "f32"
    hanashi.bygpt.tensors               array of strings: every stored name, in order

Names: ``embd`` [V, E], ``merge.weight`` [H, P·E], ``merge.bias`` [H], ``head.{j}.weight`` [V, H],
``head.{j}.bias`` [V]. They are never quantized: f32 in an f32 file, f16 in every other.
``llama_model_quantize`` copies every metadata value to its output unchanged, so a quantized file
keeps them. llama.cpp turns each metadata array into text once while loading (its metadata dump,
whatever the log level): for a real 6.5B checkpoint (about 0.2 GB of extras in f16) that costs a
few seconds of load time, once per load.

``read_extra(path)`` reads them back as numpy arrays that view a memory map of the file (no copy).
"""

from __future__ import annotations

import mmap
import struct
from pathlib import Path

import gguf
import numpy as np

from .layout import EXTRA_PREFIX, META
from ..errors import GGUFFileError

TENSOR_PREFIX = EXTRA_PREFIX + "tensor."
_DTYPES = {"f16": np.float16, "f32": np.float32}


class RawArray(bytes):
    """Bytes written as one GGUF uint8 array in a single copy (gguf-py packs arrays item by item)."""


class ExtraWriter(gguf.GGUFWriter):
    """A GGUFWriter that writes ``RawArray`` values at memory speed."""

    def _pack_val(self, val, vtype, add_vtype, sub_type=None):
        if isinstance(val, RawArray) and vtype == gguf.GGUFValueType.ARRAY:
            head = struct.pack("<I", int(vtype)) if add_vtype else b""
            return head + struct.pack("<IQ", int(gguf.GGUFValueType.UINT8), len(val)) + val
        return super()._pack_val(val, vtype, add_vtype, sub_type)


def add_extra(w: gguf.GGUFWriter, name: str, array: np.ndarray, dtype: str) -> None:
    """Store ``array`` (any float dtype) as extra tensor ``name`` in ``dtype`` ("f16"/"f32")."""
    data = np.ascontiguousarray(array, dtype=np.dtype(_DTYPES[dtype]).newbyteorder("<"))
    key = TENSOR_PREFIX + name
    w.add_key_value(key + ".data", RawArray(data.tobytes()), gguf.GGUFValueType.ARRAY,
                    sub_type=gguf.GGUFValueType.UINT8)
    w.add_key_value(key + ".shape", [int(d) for d in array.shape], gguf.GGUFValueType.ARRAY,
                    sub_type=gguf.GGUFValueType.UINT32)
    w.add_string(key + ".dtype", dtype)


def add_extra_index(w: gguf.GGUFWriter, names: list[str]) -> None:
    w.add_array(META["extras"], list(names))


def read_extra(path: str | Path) -> dict[str, np.ndarray]:
    """Every extra tensor of a byGPT GGUF: name → read-only array viewing the file's memory map.

    GGUFFileError when the file has none, or one whose shape, dtype or size does not add up.
    """
    path = Path(path)
    with open(path, "rb") as f:
        try:
            buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:
            raise GGUFFileError("not_gguf", "the file is empty", path, "convert the model again") from None
    try:
        spans, small = _scan(buf, path)
    except (struct.error, ValueError, UnicodeDecodeError, OverflowError) as e:
        raise GGUFFileError("corrupt", f"the GGUF header is damaged or truncated ({e})", path,
                            "download or convert the file again") from None
    names = small.get(META["extras"])
    if not isinstance(names, list) or not names:
        raise GGUFFileError("invalid", f"the file has no byte-model tensors ({META['extras']} missing)", path,
                            "convert the model again with hanashi-quantize")
    out = {}
    for name in names:
        key = TENSOR_PREFIX + str(name)
        shape, dtype, span = small.get(key + ".shape"), small.get(key + ".dtype"), spans.get(key + ".data")
        fix = "the file is damaged or was written by another tool: convert the model again"
        if not isinstance(dtype, str) or dtype not in _DTYPES or not isinstance(shape, list) or span is None \
                or not shape:
            raise GGUFFileError("invalid", f"extra tensor {name!r} is incomplete (data, shape or dtype missing "
                                "or of the wrong type)", path, fix)
        if len(shape) > 4 or not all(type(d) is int and 1 <= d < 2**32 for d in shape):
            raise GGUFFileError("invalid", f"extra tensor {name!r} has the shape {str(shape)[:80]} "
                                f"({key}.shape): every dimension must be a whole number from 1 to 2^32-1",
                                path, fix)
        count = 1
        for d in shape:
            count *= d
        itemsize = np.dtype(_DTYPES[dtype]).itemsize
        start, nbytes = span
        if count * itemsize != nbytes or count == 0:
            raise GGUFFileError("invalid", f"extra tensor {name!r}: shape {shape} in {dtype} needs "
                                f"{count * itemsize:,} bytes, the file holds {nbytes:,}", path, fix)
        arr = np.frombuffer(buf, dtype=np.dtype(_DTYPES[dtype]).newbyteorder("<"), count=count, offset=start)
        out[str(name)] = arr.reshape([int(d) for d in shape])
    return out


def _scan(buf, path: Path) -> tuple[dict[str, tuple[int, int]], dict]:
    """(uint8 array keys under the prefix → (offset, length), small values under the prefix)."""
    from ..gguf_info import SUPPORTED_VERSIONS, _Cursor

    cur = _Cursor(buf)
    if bytes(buf[:4]) != b"GGUF":
        raise ValueError("not a GGUF file (wrong magic bytes)")
    cur.pos = 4
    if cur.take("<I") not in SUPPORTED_VERSIONS:
        raise ValueError("unsupported GGUF version")
    _n_tensors, n_kv = cur.take("<Q"), cur.take("<Q")
    spans, small = {}, {}
    for _ in range(n_kv):
        key = cur.string()
        vtype = cur.take("<I")
        mine = key.startswith(EXTRA_PREFIX)
        if vtype == 9 and mine and key.endswith(".data"):
            itype, count = cur.take("<I"), cur.take("<Q")
            if itype != 0:
                raise ValueError(f"{key} must be an array of uint8")
            if cur.pos + count > len(buf):
                raise ValueError(f"{key} runs past the end of the file")
            spans[key] = (cur.pos, count)
            cur.pos += count
            continue
        value = cur.value(vtype, keep=mine)
        if mine:
            small[key] = value
    return spans, small
