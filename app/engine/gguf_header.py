"""Model-file metadata for the engine: quantize's fast GGUF reader and value checks, with the
engine's error types."""

from __future__ import annotations

from pathlib import Path

from quantize.errors import GGUFFileError, InvalidGGUFError
from quantize.gguf_check import checked_info
from quantize.gguf_info import GGUFInfo, head_counts, read_info

from .errors import CorruptModelError, InvalidModelError, ModelNotFoundError, NotAModelError

_ERRORS = {"missing": ModelNotFoundError, "not_gguf": NotAModelError, "corrupt": CorruptModelError}

__all__ = ["head_counts", "read_checked_info", "read_gguf_info"]


def _engine_error(e: GGUFFileError):
    """The engine's error for a GGUFFileError, with the same code and params (what the UI translates)."""
    if isinstance(e, InvalidGGUFError):
        return InvalidModelError(e.message, e.path, e.fix, e.problems, code=e.code, params=e.params)
    return _ERRORS.get(e.kind, CorruptModelError)(e.message, e.path, e.fix, code=e.code, params=e.params)


def read_gguf_info(path: str | Path) -> GGUFInfo:
    """GGUFInfo of a model file; a ModelLoadError subclass when it cannot be read."""
    try:
        return read_info(path)
    except GGUFFileError as e:
        raise _engine_error(e) from None


def read_checked_info(path: str | Path, first=None) -> GGUFInfo:
    """GGUFInfo once every metadata value has been checked; InvalidModelError names a bad one.
    ``first(info)`` may refuse the file on its header's facts before the values are checked."""
    try:
        return checked_info(path, first)
    except GGUFFileError as e:
        raise _engine_error(e) from None
