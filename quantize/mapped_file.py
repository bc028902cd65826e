"""A file mapped read-only on first use, whose pages can be handed back after each tensor.

Both weight readers (safetensors, PyTorch .bin) view tensors straight from such a map and release
each tensor's byte range once it is written, so the converter's memory stays near the largest
tensor whatever the model's size.
"""

from __future__ import annotations

import mmap
from pathlib import Path


class MappedFile:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._map: mmap.mmap | None = None

    def view(self) -> mmap.mmap:
        if self._map is None:
            with open(self.path, "rb") as f:
                self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return self._map

    def release(self, start: int, end: int) -> None:
        """Tell the kernel bytes ``start..end`` are no longer needed, so they leave this process's RSS."""
        if self._map is None or not hasattr(self._map, "madvise"):
            return
        start -= start % mmap.PAGESIZE
        if end > start:
            self._map.madvise(mmap.MADV_DONTNEED, start, end - start)

    def close(self) -> None:
        if self._map is not None:
            try:
                self._map.close()
            except BufferError:
                pass  # a tensor view is still alive; the mapping closes when it goes
            self._map = None
