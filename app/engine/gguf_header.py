"""Model-file metadata for the engine: quantize's fast GGUF reader, with the engine's error types."""

from __future__ import annotations

from pathlib import Path

from quantize.errors import GGUFFileError
from quantize.gguf_info import GGUFInfo, head_counts, read_info

from .errors import CorruptModelError, ModelNotFoundError, NotAModelError

_ERRORS = {"missing": ModelNotFoundError, "not_gguf": NotAModelError, "corrupt": CorruptModelError}

__all__ = ["head_counts", "read_gguf_info"]


def read_gguf_info(path: str | Path) -> GGUFInfo:
    """GGUFInfo of a model file; a ModelLoadError subclass when it cannot be read."""
    try:
        return read_info(path)
    except GGUFFileError as e:
        raise _ERRORS[e.kind](e.message, e.path, e.fix) from None
