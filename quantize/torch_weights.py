"""PyTorch checkpoints (``pytorch_model.bin``, or its shards and index) as converter input.

Some repositories ship no safetensors (rinna's bilingual-gpt-neox-4b lists only .bin files). Their
weights are read by ``torch_pickle``, which never runs code from the file, and presented with the
same interface as a ``SafetensorsFile``: ``entries`` (name → TensorEntry), ``raw(name)``,
``release(name)``, ``close()``. safetensors is preferred whenever a folder has both.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .safetensors_file import TensorEntry
from .torch_pickle import read_torch_checkpoint
from .torch_unpickler import DTYPES

SINGLE = "pytorch_model.bin"
INDEX = "pytorch_model.bin.index.json"


class TorchWeightsFile:
    """One ``.bin`` file: its tensors, read one at a time through a memory map."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._ckpt = read_torch_checkpoint(self.path)
        self._tensors = self._ckpt.tensors
        self.entries: dict[str, TensorEntry] = {}
        for name, t in self._tensors.items():
            size = DTYPES[t.dtype][1] * t.n_elements
            # The byte range is the tensor's size; tied tensors may share storage in a .bin file.
            self.entries[name] = TensorEntry(name, t.dtype, tuple(t.shape), 0, size, self.path)

    def raw(self, name: str) -> np.ndarray:
        return self._tensors[name].numpy()

    def release(self, name: str) -> None:
        self._ckpt.release(self._tensors[name])

    def close(self) -> None:
        self._ckpt.close()

