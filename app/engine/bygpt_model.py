"""The parts of a byte-level multi-head model that run in NumPy: the merge of a position's byte
embeddings into one input row, and the heads that turn a hidden state into next-byte logits.

Both come from the ``hanashi.bygpt.*`` tensors of the GGUF (``quantize.bygpt.gguf_extra``) and
follow the layout table (``quantize.bygpt.layout``): the merge is assumed to be the position's
byte embeddings concatenated in order, then one Linear(P·E → H) with optional bias; head j is a
Linear(H → V) with optional bias on the final-norm hidden state of position t, predicting byte j of
position t+1.

The merge is computed as a sum of P precomputed tables, ``embd @ W[:, jE:(j+1)E].T`` for slot j:
the same product, regrouped, so one step's input costs P row lookups instead of a matrix product.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .errors import InvalidModelError

FIX = "convert the model again with this version of hanashi-quantize"


def _openblas_thread_setter():
    """OpenBLAS's ``openblas_set_num_threads_local`` (the calling thread only) where NumPy's BLAS
    is OpenBLAS 0.3.27 or later; None elsewhere."""
    import ctypes
    import glob

    root = Path(np.__file__).resolve().parent
    for pattern in ("../numpy.libs/*openblas*", ".dylibs/*openblas*", "../numpy.libs/*openblas*.dll"):
        for lib in sorted(glob.glob(str(root / pattern))):
            try:
                fn = ctypes.CDLL(lib).openblas_set_num_threads_local
            except (OSError, AttributeError):
                continue
            fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
            return fn
    return None


_set_local_threads = _openblas_thread_setter()


class OneBlasThread:
    """While a step runs, NumPy's BLAS uses one thread in this thread.

    llama.cpp's threads and a multithreaded BLAS contend for the same cores: measured on two cores,
    the heads' product took 70× longer when BLAS spread it over threads that llama.cpp also used.
    Where the BLAS thread count cannot be set for one thread, the heads use ``np.vecdot`` (NumPy's
    own single-threaded loop) instead of BLAS.
    """

    available = _set_local_threads is not None

    def __enter__(self):
        self.previous = _set_local_threads(1) if self.available else None
        return self

    def __exit__(self, *exc):
        if self.available and self.previous is not None and self.previous > 0:
            _set_local_threads(self.previous)


def _f32(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(a, dtype=np.float32))


class ByteHeads:
    """Merge and heads of one model. ``merge(groups)`` → input rows; ``logits(hidden)`` → [.., heads, V]."""

    def __init__(self, tensors: Mapping[str, np.ndarray], n_embd: int, per_position: int, n_heads: int,
                 path: Path | None = None, *, vocab: int | None = None, width: int | None = None):
        self.per_position, self.n_heads, self.n_embd = per_position, n_heads, n_embd
        problems = []

        def want(name: str, shape: tuple | None, optional: bool = False) -> np.ndarray | None:
            t = tensors.get(name)
            if t is None:
                if not optional:
                    problems.append(f"{name}: missing (expected {list(shape) if shape else '2-D'})")
                return None
            if shape is not None and tuple(t.shape) != tuple(shape):
                problems.append(f"{name}: shape {list(t.shape)}, expected {list(shape)}")
                return None
            if not np.isfinite(t).all():
                problems.append(f"{name}: holds NaN or infinite values")
                return None
            return _f32(t)

        embd = want("embd", None)
        if embd is not None and embd.ndim != 2:
            problems.append(f"embd: shape {list(embd.shape)}, expected [vocab, width]")
            embd = None
        if embd is None:
            self._refuse(problems, path)
        V, E = embd.shape
        if V < 256:
            problems.append(f"embd: {V} rows, but a byte vocabulary needs one for each of the 256 byte values")
        if vocab is not None and vocab != V:
            problems.append(f"embd: {V} rows, but hanashi.bygpt.vocab_size says {vocab}")
        if width is not None and width != E:
            problems.append(f"embd: {E} wide, but hanashi.bygpt.byte_embedding_size says {width}")
        w = want("merge.weight", (n_embd, per_position * E))
        b = want("merge.bias", (n_embd,), optional=True)
        heads = [want(f"head.{j}.weight", (V, n_embd)) for j in range(n_heads)]
        hbias = [want(f"head.{j}.bias", (V,), optional=True) for j in range(n_heads)]
        if problems:
            self._refuse(problems, path)
        self.n_vocab = V
        # slot tables [P, V, H]: row b of table j is byte b's contribution at slot j
        self.slots = np.stack([embd @ w[:, j * E:(j + 1) * E].T for j in range(per_position)]).astype(np.float32)
        self.merge_bias = b
        self.head_weight = np.ascontiguousarray(np.concatenate(heads))  # [heads*V, H]
        self.head_bias = (np.concatenate([hb if hb is not None else np.zeros(V, np.float32) for hb in hbias])
                          if any(hb is not None for hb in hbias) else None)

    @staticmethod
    def _refuse(problems: list[str], path: Path | None):
        raise InvalidModelError("the byte-level model's own tensors do not match its layout: "
                                + "; ".join(problems), path, FIX)

    def merge(self, groups: np.ndarray) -> np.ndarray:
        """[n, P] bytes → [n, H] float32 input rows."""
        groups = np.asarray(groups, dtype=np.intp).reshape(-1, self.per_position)
        out = self.slots[0][groups[:, 0]]
        for j in range(1, self.per_position):
            out += self.slots[j][groups[:, j]]
        if self.merge_bias is not None:
            out += self.merge_bias
        return out

    def merge_one(self, group) -> np.ndarray:
        """One position's bytes → its [1, H] input row (the decode step's path)."""
        out = self.slots[0, group[0]].copy()
        for j in range(1, self.per_position):
            out += self.slots[j, group[j]]
        if self.merge_bias is not None:
            out += self.merge_bias
        return out[None, :]

    def logits(self, hidden: np.ndarray) -> np.ndarray:
        """[H] → [heads, V] (or [n, H] → [n, heads, V]) float32 logits. Use inside ``OneBlasThread``."""
        if hidden.ndim == 1 and not OneBlasThread.available:
            out = np.vecdot(self.head_weight, hidden)
        else:
            out = hidden @ self.head_weight.T
        if self.head_bias is not None:
            out += self.head_bias
        return out.reshape(*hidden.shape[:-1], self.n_heads, self.n_vocab)
