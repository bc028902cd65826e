"""The restricted unpickler behind ``quantize.torch_pickle``: the only names a PyTorch state dict's
pickle may use, each mapped to a harmless local stand-in. Any other name stops the read.

The stand-ins record what the pickle asks for (storages, tensor layouts) and never touch data;
``torch_pickle`` checks each record against the archive and reads the bytes later.
"""

from __future__ import annotations

import io
import pickle
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .torch_pickle import TorchCheckpoint

# storage type name → (dtype name, numpy dtype used to view the bytes, bytes per element)
_STORAGES = {
    "FloatStorage": ("F32", np.float32, 4),
    "HalfStorage": ("F16", np.float16, 2),
    "BFloat16Storage": ("BF16", np.uint16, 2),  # raw 16-bit words, as safetensors_file does
    "DoubleStorage": ("F64", np.float64, 8),
    # Integer and bool buffers (position ids, masks) are harmless data too.
    "LongStorage": ("I64", np.int64, 8),
    "IntStorage": ("I32", np.int32, 4),
    "ShortStorage": ("I16", np.int16, 2),
    "CharStorage": ("I8", np.int8, 1),
    "ByteStorage": ("U8", np.uint8, 1),
    "BoolStorage": ("BOOL", np.bool_, 1),
}
DTYPES = {dtype: (np_dtype, size) for dtype, np_dtype, size in _STORAGES.values()}

_MAX_PICKLE = 64 * 1024 * 1024  # data.pkl of a state dict with 100k tensors is a few MiB
_MAX_TENSORS = 1_000_000
_MAX_ELEMENTS = 1 << 48
_MAX_DIMS = 8
_FIX = "download the model's .safetensors revision instead of pytorch_model.bin (or download the file again)"
_FIX_CODE = ("do not use this file: download the model's .safetensors revision instead "
             "(safetensors files hold only data, never code)")


# ---------------------------------------------------------------- stand-ins the pickle may name


class _Inert:
    """Base of every stand-in: a pickle cannot set attributes on it (BUILD) or copy it."""

    __slots__ = ()

    def __setstate__(self, state):
        raise _Refused("a BUILD instruction on a tensor record")


class _Refused(Exception):
    """Raised inside the unpickler; turned into a ConversionError naming the file."""


class _StorageKind(_Inert):
    __slots__ = ("name",)

    def __init__(self, name: str):
        object.__setattr__(self, "name", name)


@dataclass(frozen=True)
class _Storage:
    key: str
    dtype: str
    numel: int
    data_start: int  # absolute byte offset of the member's data in the file
    compressed: bool

    def __setstate__(self, state):
        raise _Refused("a BUILD instruction on a storage")


@dataclass(frozen=True)
class _TensorSpec:
    storage: _Storage
    offset: int
    shape: tuple
    strides: tuple

    def __setstate__(self, state):
        raise _Refused("a BUILD instruction on a tensor")


class _StateDict(OrderedDict):
    """OrderedDict that ignores the ``_metadata`` attribute torch attaches to state dicts."""

    def __setstate__(self, state):
        if not isinstance(state, dict):
            raise _Refused("a BUILD instruction with non-dict state on a dict")


def _int(value, what: str) -> int:
    if type(value) is not int:
        raise _Refused(f"{what} is {type(value).__name__}, not an integer")
    return value


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    if not isinstance(storage, _Storage):
        raise _Refused("a tensor whose storage is not a storage reference")
    if not isinstance(size, tuple) or not isinstance(stride, tuple):
        raise _Refused("a tensor whose size or stride is not a tuple")
    if len(size) > _MAX_DIMS or len(stride) != len(size):
        raise _Refused(f"a tensor with {len(size)} dimensions and {len(stride)} strides")
    shape = tuple(_int(d, "a tensor dimension") for d in size)
    strides = tuple(_int(s, "a tensor stride") for s in stride)
    return _TensorSpec(storage, _int(storage_offset, "a storage offset"), shape, strides)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None, *_state):
    if not isinstance(data, _TensorSpec):
        raise _Refused("a parameter that does not wrap a tensor")
    return data


_GLOBALS = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("collections", "OrderedDict"): _StateDict,
    **{("torch", name): _StorageKind(name) for name in _STORAGES},
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, checkpoint: "TorchCheckpoint"):
        super().__init__(io.BytesIO(data))
        self._checkpoint = checkpoint
        self._storages: dict[str, _Storage] = {}

    def find_class(self, module, name):
        found = _GLOBALS.get((module, name))
        if found is None:
            raise _Forbidden(f"{module}.{name}")
        return found

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise _Refused(f"an unknown persistent reference {str(pid)[:80]}")
        _, kind, key, _location, numel = pid
        if not isinstance(kind, _StorageKind):
            raise _Refused("a storage reference without a storage type")
        if not isinstance(key, str) or len(key) > 200:
            raise _Refused("a storage reference with an invalid key")
        numel = _int(numel, "a storage size")
        known = self._storages.get(key)
        if known is None:
            known = self._checkpoint._storage(key, _STORAGES[kind.name][0], numel)
            self._storages[key] = known
        elif known.dtype != _STORAGES[kind.name][0] or known.numel != numel:
            raise _Refused(f"storage {key!r} described twice with different types or sizes")
        return known


class _Forbidden(Exception):
    def __init__(self, name: str):
        self.name = name
        super().__init__(name)
