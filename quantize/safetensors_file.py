"""A read-only, memory-mapped view of a .safetensors file.

The format is an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
shape and byte range, then the raw data. Reading it ourselves (instead of through a framework) lets
the converter check every offset against the real file size before touching any data, map the file
without copying it, and read bf16 tensors that numpy has no dtype for.
"""

from __future__ import annotations

import json
import os
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ConversionError
from .mapped_file import MappedFile

# dtype name → (numpy dtype used to view the bytes, bytes per element)
DTYPES = {
    "F64": (np.float64, 8),
    "F32": (np.float32, 4),
    "F16": (np.float16, 2),
    "BF16": (np.uint16, 2),  # viewed as raw 16-bit words; see to_float32()
    "I64": (np.int64, 8),
    "I32": (np.int32, 4),
    "I16": (np.int16, 2),
    "I8": (np.int8, 1),
    "U8": (np.uint8, 1),
    "BOOL": (np.bool_, 1),
}
# The dtypes weights can have; the others only appear in buffers (masks, position ids).
FLOAT_DTYPES = ("F64", "F32", "F16", "BF16")

_MAX_HEADER = 100 * 1024 * 1024
_FIX = "download the file again (its size or checksum does not match the original)"


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: str
    shape: tuple[int, ...]
    start: int  # absolute byte offset in the file
    end: int
    path: Path

    @property
    def n_elements(self) -> int:
        return _count(self.shape)


_MAX_ELEMENTS = 1 << 48  # far beyond any real tensor; keeps byte counts clear of int64 overflow


def _count(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


class SafetensorsFile:
    """Index of one safetensors file; tensors are read lazily through a memory map."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            st = os.stat(self.path)
            if not stat.S_ISREG(st.st_mode):
                raise ConversionError("not a regular file (a folder, pipe or device)", self.path,
                                      "replace it with the real .safetensors file from the model's repository")
            size = st.st_size
            with open(self.path, "rb") as f:
                head = f.read(8)
                if len(head) < 8:
                    raise ConversionError("file is too short to be safetensors (truncated?)", self.path, _FIX)
                (n,) = struct.unpack("<Q", head)
                if n <= 0 or n > _MAX_HEADER or 8 + n > size:
                    raise ConversionError(
                        f"safetensors header length {n} does not fit in the {size}-byte file "
                        "(truncated or not a safetensors file)", self.path, _FIX)
                raw = f.read(n)
        except OSError as e:
            raise ConversionError(f"cannot read file: {e.strerror}", self.path) from e
        try:
            header = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            reason = "nested too deeply" if isinstance(e, RecursionError) else str(e)[:200]
            raise ConversionError(f"safetensors header is not valid JSON ({reason})", self.path, _FIX) from None
        if not isinstance(header, dict):
            raise ConversionError("safetensors header is not a JSON object", self.path, _FIX)
        self.metadata = header.pop("__metadata__", {}) or {}
        data_start = 8 + n
        self.entries: dict[str, TensorEntry] = {}
        for name, info in header.items():
            try:
                dtype = info["dtype"]
                shape = tuple(info["shape"])
                begin, end = info["data_offsets"]
                if not all(type(x) is int for x in (*shape, begin, end)) or not isinstance(dtype, str):
                    raise TypeError("not integers")
            except (KeyError, TypeError, ValueError) as e:
                raise ConversionError(f"tensor {name[:80]!r} has a malformed header entry", self.path, _FIX) from e
            if dtype not in DTYPES:
                raise ConversionError(f"tensor {name[:80]!r} has unsupported dtype {dtype[:20]}", self.path,
                                      "save the checkpoint in float32, float16 or bfloat16")
            n_el = _count(shape)
            if any(d < 0 for d in shape) or len(shape) > 8 or n_el > _MAX_ELEMENTS:
                raise ConversionError(f"tensor {name[:80]!r} has an impossible shape {list(shape)[:8]}", self.path, _FIX)
            if end - begin != n_el * DTYPES[dtype][1] or begin < 0:
                raise ConversionError(
                    f"tensor {name!r}: byte range {begin}..{end} does not match shape {list(shape)} "
                    f"of {dtype}", self.path, _FIX)
            if data_start + end > size:
                raise ConversionError(
                    f"tensor {name!r} ends at byte {data_start + end} but the file has only {size} bytes "
                    "(truncated download?)", self.path, _FIX)
            self.entries[name] = TensorEntry(name, dtype, shape, data_start + begin, data_start + end, self.path)
        self._check_overlaps()
        self._file = MappedFile(self.path)

    def _check_overlaps(self) -> None:
        """Refuse two tensors sharing bytes: one of them would be read as the other's data.

        Gaps between tensors are allowed (writers may pad), overlaps never are.
        """
        last: TensorEntry | None = None  # the non-empty tensor that reaches furthest so far
        for e in sorted(self.entries.values(), key=lambda e: (e.start, e.end)):
            if e.end == e.start:
                continue
            if last is not None and e.start < last.end:
                raise ConversionError(
                    f"tensors {last.name[:80]!r} (bytes {last.start}..{last.end}) and {e.name[:80]!r} "
                    f"(bytes {e.start}..{e.end}) overlap: each tensor must have its own bytes",
                    self.path, _FIX)
            if last is None or e.end > last.end:
                last = e

    def raw(self, name: str) -> np.ndarray:
        """The tensor as stored (bf16 as uint16 words), a zero-copy view of the mapped file."""
        e = self.entries[name]
        np_dtype, size = DTYPES[e.dtype]
        return np.frombuffer(self._file.view(), dtype=np_dtype, count=(e.end - e.start) // size,
                             offset=e.start).reshape(e.shape)

    def release(self, name: str) -> None:
        """Tell the kernel the tensor's pages are no longer needed, so they leave this process's RSS."""
        e = self.entries[name]
        self._file.release(e.start, e.end)

    def close(self) -> None:
        self._file.close()

def bf16_to_float32(words: np.ndarray) -> np.ndarray:
    return (words.astype(np.uint32) << 16).view(np.float32)


def float32_to_bf16(values: np.ndarray) -> np.ndarray:
    """Round-to-nearest-even float32 → bf16 words (NaN kept as a quiet NaN)."""
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)
    rounded = (bits + (0x7FFF + ((bits >> 16) & 1))) >> 16
    nan = np.isnan(values)
    out = rounded.astype(np.uint16)
    if nan.any():
        out[nan] = 0x7FC0
    return out
