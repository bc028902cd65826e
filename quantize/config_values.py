"""Typed, range-checked reading of config.json values.

Every hyper-parameter the converter writes into a GGUF is read through here, so a value of the
wrong type or out of range stops the conversion with a message naming the key, the value and what
is allowed — before anything is written, and before llama.cpp could abort on it.
"""

from __future__ import annotations

import math
from pathlib import Path

from .errors import ConversionError

MAX_DIM = 1 << 20  # hidden sizes, heads
MAX_LAYERS = 512  # llama.cpp's LLAMA_MAX_LAYERS
MAX_POSITIONS = 1 << 24
MAX_VOCAB = 1 << 22
MAX_OUTPUT_NAME = 200  # bytes of the output file name (file systems allow 255, with room for temp suffixes)
_FIX = "correct the value in config.json, or download config.json again from the model's repository"


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


class ConfigValues:
    """Reads one config.json dict; each getter names the first of ``keys`` that is present."""

    def __init__(self, config: dict, path: Path):
        self.cfg = config
        self.path = Path(path)

    def fail(self, key: str, value, allowed: str) -> ConversionError:
        return ConversionError(f"config.json: {key} = {_shown(value)} is not valid ({allowed})", self.path, _FIX)

    def _find(self, keys: tuple[str, ...]):
        for k in keys:
            v = self.cfg.get(k)
            if v is not None:
                return k, v
        return keys[0], None

    def _missing(self, keys) -> ConversionError:
        return ConversionError(f"config.json has no {' / '.join(keys)}", self.path,
                               "download config.json again from the model's repository")

    def int(self, *keys: str, lo: int = 1, hi: int = MAX_DIM, default: int | None = None) -> int:
        key, v = self._find(keys)
        if v is None:
            if default is None:
                raise self._missing(keys)
            return default
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(key, v, f"must be a whole number from {lo:,} to {hi:,}")
        if not lo <= v <= hi:
            raise self.fail(key, v, f"must be from {lo:,} to {hi:,}")
        return v

    def float(self, *keys: str, lo: float, hi: float, default: float | None = None,
              lo_open: bool = True) -> float:
        key, v = self._find(keys)
        if v is None:
            if default is None:
                raise self._missing(keys)
            return default
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(key, v, f"must be a number {'above' if lo_open else 'from'} {lo:g} up to {hi:g}")
        v = float(v)
        if not math.isfinite(v) or v < lo or (lo_open and v == lo) or v > hi:
            raise self.fail(key, v, f"must be a finite number {'above' if lo_open else 'from'} {lo:g} up to {hi:g}")
        return v

    def bool(self, *keys: str, default: bool) -> bool:
        key, v = self._find(keys)
        if v is None:
            return default
        if not isinstance(v, bool):
            raise self.fail(key, v, "must be true or false")
        return v

    def str(self, *keys: str, default: str) -> str:
        key, v = self._find(keys)
        if v is None:
            return default
        if not isinstance(v, str) or len(v) > 200:
            raise self.fail(key, v, "must be a short text")
        return v

    def dict(self, *keys: str) -> dict:
        key, v = self._find(keys)
        if v is None:
            return {}
        if not isinstance(v, dict):
            raise self.fail(key, v, "must be a JSON object")
        return v


def check_output_name(out: Path) -> None:
    """Refuse an output file name the file system would refuse (ENAMETOOLONG) before any work."""
    name = Path(out).name
    if len(name.encode("utf-8", "surrogateescape")) > MAX_OUTPUT_NAME:
        raise ConversionError(f"the output file name is {len(name.encode('utf-8', 'surrogateescape'))} bytes long "
                              f"(at most {MAX_OUTPUT_NAME})", Path(out).parent,
                              "choose a shorter output file name")
