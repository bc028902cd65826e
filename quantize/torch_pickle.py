"""A reader for PyTorch checkpoints (``pytorch_model.bin``) that never runs code from the file.

``torch.save`` writes a zip archive: ``<name>/data.pkl`` is a pickle describing the state dict, and
each tensor's bytes live in a ``<name>/data/<key>`` member. A normal ``torch.load`` lets the pickle
call any Python function it names, so a hostile checkpoint can run commands. Here the pickle is read
by an unpickler that knows only the handful of names a state dict uses (the tensor rebuild function,
``OrderedDict`` and the storage types), each mapped to a harmless local stand-in; any other name
stops the read with an error naming it. Tensor bytes are not loaded while unpickling: each tensor
becomes a record (dtype, shape, offset) that is checked against its zip member and read later, one at
a time, through a memory map of the file. torch itself is never imported.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import ConversionError
from .mapped_file import MappedFile
from .torch_unpickler import (DTYPES, _FIX, _FIX_CODE, _MAX_ELEMENTS, _MAX_PICKLE, _MAX_TENSORS, _Forbidden,
                              _Refused, _RestrictedUnpickler, _Storage, _TensorSpec)

# ---------------------------------------------------------------- public records


@dataclass(frozen=True)
class TorchTensor:
    """One tensor of the checkpoint; its bytes stay on disk until ``numpy()`` is called."""

    name: str
    dtype: str  # "F32", "F16", "BF16", "F64" (or an integer/bool buffer type)
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    storage_key: str
    storage_offset: int  # in elements
    _checkpoint: "TorchCheckpoint" = field(repr=False, compare=False)

    @property
    def n_elements(self) -> int:
        return _count(self.shape)

    def numpy(self) -> np.ndarray:
        """The tensor's values (bf16 as uint16 words), read-only; a zero-copy view when stored."""
        return self._checkpoint._array(self)


def _count(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _contiguous(shape, strides) -> bool:
    expected = 1
    for d, s in zip(reversed(shape), reversed(strides)):
        if d != 1 and s != expected:
            return False
        expected *= d
    return True


class TorchCheckpoint:
    """Index of one torch.save zip checkpoint; ``tensors`` maps names to lazy ``TorchTensor``s."""

    def __init__(self, path):
        self.path = Path(path)
        self._file = MappedFile(self.path)
        self._stored: dict[str, _Storage] = {}  # storage key → its checked record
        try:
            st = os.stat(self.path)
        except OSError as e:
            raise ConversionError(f"cannot read file: {e.strerror}", self.path) from None
        if not stat.S_ISREG(st.st_mode):
            raise ConversionError("not a regular file (a folder, pipe or device)", self.path, _FIX)
        self._size = st.st_size
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except zipfile.BadZipFile as e:
            raise ConversionError(self._not_zip_message(str(e)), self.path, _FIX) from None
        except (OSError, ValueError, EOFError, struct.error) as e:
            raise ConversionError(f"the checkpoint's zip index is damaged ({str(e)[:120]})", self.path,
                                  _FIX) from None
        try:
            self._members = {i.filename: i for i in infos}
            self._prefix = self._find_prefix()
            self._check_byteorder()
            data = self._read_pickle()
            self.tensors = self._unpickle(data)
        except BaseException:
            self.close()
            raise

    def _not_zip_message(self, reason: str) -> str:
        try:
            with open(self.path, "rb") as f:
                head = f.read(4)
        except OSError:
            head = b""
        if head[:1] == b"\x80" or head[:2] == b"PK":
            kind = ("an old-style (pre-zip) torch pickle" if head[:1] == b"\x80"
                    else "a damaged or truncated zip")
            return f"the checkpoint is {kind} that Hanashi does not read ({reason[:80]})"
        return f"not a PyTorch checkpoint: the file is not a zip archive ({reason[:80]})"

    def _find_prefix(self) -> str:
        pickles = [n for n in self._members if n.endswith("data.pkl") and n.count("/") == 1
                   and n.split("/")[1] == "data.pkl"]
        if not pickles:
            raise ConversionError("the zip archive has no data.pkl: it is not a torch.save checkpoint",
                                  self.path, _FIX)
        if len(pickles) > 1:
            raise ConversionError(f"the zip archive has {len(pickles)} data.pkl files; a checkpoint has one",
                                  self.path, _FIX)
        return pickles[0][: -len("data.pkl")]

    def _check_byteorder(self) -> None:
        info = self._members.get(self._prefix + "byteorder")
        if info is None:
            return  # written by torch versions that only ran on little-endian machines
        if info.file_size > 16:
            raise ConversionError("the checkpoint's byteorder entry is malformed", self.path, _FIX)
        value = self._read_member(info, 16).strip()
        if value != b"little":
            raise ConversionError(
                f"the checkpoint was saved with {value[:16].decode('ascii', 'replace')!r} byte order; "
                "Hanashi reads only little-endian checkpoints", self.path,
                "save it again on a little-endian machine, or download the .safetensors revision")

    def _read_member(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        try:
            with self._zip.open(info) as f:
                data = f.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, struct.error,
                RuntimeError) as e:
            raise ConversionError(f"cannot read {info.filename[:120]!r} from the checkpoint "
                                  f"(truncated or damaged: {str(e)[:120]})", self.path, _FIX) from None
        if len(data) > limit:
            raise ConversionError(f"{info.filename[:120]!r} is larger than {limit} bytes", self.path, _FIX)
        return data

    def _read_pickle(self) -> bytes:
        info = self._members[self._prefix + "data.pkl"]
        if info.file_size > _MAX_PICKLE:
            raise ConversionError(
                f"data.pkl is {info.file_size} bytes, more than the {_MAX_PICKLE >> 20} MiB a state dict "
                "needs", self.path, _FIX)
        return self._read_member(info, _MAX_PICKLE)

    def _unpickle(self, data: bytes) -> "OrderedDict[str, TorchTensor]":
        unpickler = _RestrictedUnpickler(data, self)
        try:
            root = unpickler.load()
        except ConversionError:
            raise
        except _Forbidden as e:
            raise ConversionError(
                f"data.pkl asks to call {e.name} (pickle global {e.name.replace('.', ' ', 1)!r}), which is "
                "not part of a tensor checkpoint: loading this file with torch would run code from it",
                self.path, _FIX_CODE) from None
        except _Refused as e:
            raise ConversionError(f"data.pkl contains {e}, which a torch state dict never has",
                                  self.path, _FIX) from None
        except RecursionError:
            raise ConversionError("data.pkl is nested too deeply", self.path, _FIX) from None
        except MemoryError:
            raise ConversionError("data.pkl needs more memory than a state dict can", self.path, _FIX) from None
        except Exception as e:  # any malformed pickle stream: truncated, bad opcode, wrong arity
            raise ConversionError(f"data.pkl is not a valid pickle ({type(e).__name__}: {str(e)[:160]})",
                                  self.path, _FIX) from None
        if not isinstance(root, dict):
            raise ConversionError(f"data.pkl holds a {type(root).__name__}, not a state dict "
                                  "(a mapping of names to tensors)", self.path, _FIX)
        if len(root) > _MAX_TENSORS:
            raise ConversionError(f"data.pkl lists {len(root)} tensors, more than any model has",
                                  self.path, _FIX)
        tensors: OrderedDict[str, TorchTensor] = OrderedDict()
        for name, spec in root.items():
            if not isinstance(name, str):
                raise ConversionError(f"the state dict has a key of type {type(name).__name__}, not a name",
                                      self.path, _FIX)
            if not isinstance(spec, _TensorSpec):
                raise ConversionError(
                    f"state dict entry {name[:80]!r} is a {type(spec).__name__}, not a tensor "
                    "(a training checkpoint rather than model weights?)", self.path,
                    "use the model's weights file (pytorch_model.bin or .safetensors), not a training state")
            tensors[name] = self._tensor(name, spec)
        return tensors

    def _storage(self, key: str, dtype: str, numel: int) -> _Storage:
        info = self._members.get(self._prefix + "data/" + key)
        if info is None:
            raise ConversionError(f"data.pkl refers to storage {key[:40]!r}, but the archive has no "
                                  f"{self._prefix}data/{key[:40]} entry (truncated or edited archive)",
                                  self.path, _FIX)
        size = DTYPES[dtype][1]
        if numel < 0 or numel > _MAX_ELEMENTS or info.file_size != numel * size:
            raise ConversionError(
                f"storage {key[:40]!r} should hold {numel} {dtype} values ({numel * size} bytes) but its "
                f"archive entry has {info.file_size} bytes", self.path, _FIX)
        compressed = info.compress_type != zipfile.ZIP_STORED
        data_start = -1
        if not compressed:
            data_start = self._data_start(info)
        storage = self._stored[key] = _Storage(key, dtype, numel, data_start, compressed)
        return storage

    def _data_start(self, info: zipfile.ZipInfo) -> int:
        """Absolute offset of a stored member's bytes, from its local header (checked against the file)."""
        try:
            with open(self.path, "rb") as f:
                f.seek(info.header_offset)
                header = f.read(30)
        except OSError as e:
            raise ConversionError(f"cannot read file: {e.strerror}", self.path) from None
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise ConversionError(f"the zip entry {info.filename[:80]!r} has a damaged local header "
                                  "(truncated download?)", self.path, _FIX)
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = info.header_offset + 30 + name_len + extra_len
        if start + info.file_size > self._size:
            raise ConversionError(
                f"the zip entry {info.filename[:80]!r} ends at byte {start + info.file_size} but the file "
                f"has only {self._size} bytes (truncated download?)", self.path, _FIX)
        return start

    def _tensor(self, name: str, spec: _TensorSpec) -> TorchTensor:
        shape, strides, storage = spec.shape, spec.strides, spec.storage
        n = _count(shape)
        if any(d < 0 for d in shape) or n > _MAX_ELEMENTS:
            raise ConversionError(f"tensor {name[:80]!r} has an impossible shape {list(shape)}", self.path, _FIX)
        if n and not _contiguous(shape, strides):
            raise ConversionError(
                f"tensor {name[:80]!r} is not contiguous (shape {list(shape)}, strides {list(strides)})",
                self.path, "save the state dict again after calling .contiguous() on every tensor, "
                           "or download the .safetensors revision")
        if spec.offset < 0 or spec.offset + n > storage.numel:
            raise ConversionError(
                f"tensor {name[:80]!r} needs elements {spec.offset}..{spec.offset + n} of storage "
                f"{storage.key[:40]!r}, which has only {storage.numel}", self.path, _FIX)
        return TorchTensor(name, storage.dtype, shape, strides, storage.key, spec.offset, self)

    # ------------------------------------------------------------ reading data

    def _array(self, t: TorchTensor) -> np.ndarray:
        np_dtype, size = DTYPES[t.dtype]
        storage = self._stored[t.storage_key]
        info = self._members[self._prefix + "data/" + t.storage_key]
        n = t.n_elements
        if not storage.compressed:
            start = storage.data_start + t.storage_offset * size
            return np.frombuffer(self._file.view(), dtype=np_dtype, count=n, offset=start).reshape(t.shape)
        # Compressed members are rare (torch stores them uncompressed): stream just this tensor's bytes.
        try:
            with self._zip.open(info) as f:
                f.seek(t.storage_offset * size)
                raw = f.read(n * size)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, struct.error,
                RuntimeError) as e:
            raise ConversionError(f"cannot read tensor {t.name[:80]!r} ({str(e)[:120]})", self.path, _FIX) from None
        if len(raw) != n * size:
            raise ConversionError(f"tensor {t.name[:80]!r} is truncated in the archive", self.path, _FIX)
        array = np.frombuffer(raw, dtype=np_dtype).reshape(t.shape)
        return array

    def release(self, t: TorchTensor) -> None:
        """Hand a stored tensor's pages back to the kernel once it has been used."""
        storage = self._stored[t.storage_key]
        if not storage.compressed:
            size = DTYPES[t.dtype][1]
            start = storage.data_start + t.storage_offset * size
            self._file.release(start, start + t.n_elements * size)

    def close(self) -> None:
        self._file.close()
        zf = getattr(self, "_zip", None)
        if zf is not None:
            zf.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_torch_checkpoint(path) -> TorchCheckpoint:
    """Open a torch.save zip checkpoint without running any code from it."""
    return TorchCheckpoint(path)
