"""llama.cpp as the backbone of a byte-level model: input embeddings in, final-norm hidden states out.

A byte-level multi-head model (``app.engine.bygpt``) computes each position's input itself (the
merged embedding of its bytes) and its output itself (one head per byte). llama.cpp runs the
transformer in between: the rows go in through ``llama_batch.embd`` (positions are assigned after
the cached ones), and with ``embeddings`` on and pooling none every position's final-norm hidden
state comes back. The KV cache, the abort flag, GPU offload and batching are ``LlamaRuntime``'s.

``cached`` holds one key per evaluated position (an int packing the position's bytes), so the
generation loop's common-prefix logic works on positions exactly as it does on tokens.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

from quantize import llama_log

from .errors import GenerationError
from .runtime import _ABORTED, LlamaRuntime


class EmbeddingRuntime(LlamaRuntime):
    """One llama.cpp context fed with embedding rows; reads back final-norm hidden states."""

    def __init__(self, path: Path, n_ctx: int, n_threads: int, n_gpu_layers: int, n_batch: int = 512,
                 max_ctx: int | None = None, exact: bool = False):
        """``exact`` (for f32 files): an f32 KV cache and no flash attention, whose CPU path rounds
        through f16 — the hidden states then match a float32 reference to ~1e-6 instead of ~1e-3."""
        super().__init__(path, n_ctx, n_threads, n_gpu_layers, n_batch=n_batch, max_ctx=max_ctx, embeddings=True,
                         flash_attn=False if exact else None, kv_f32=exact)
        lib = self._lib
        self.n_embd = int(lib.llama_model_n_embd(self.model))
        if lib.llama_pooling_type(self.ctx) != lib.LLAMA_POOLING_TYPE_NONE:
            self.close()
            raise OSError("llama.cpp pools this model's hidden states; a byte-level model needs one per position")
        self._batch = lib.llama_batch()
        self._batch.token = None
        self._batch.pos = None  # positions follow the cached ones
        self._batch.n_seq_id = None
        self._batch.seq_id = None  # sequence 0
        self._batch.logits = None  # with embeddings on: every position is an output

    def decode_rows(self, rows: np.ndarray, keys: list[int], keep_all: bool = False) -> np.ndarray | None:
        """Evaluate ``rows`` ([n, n_embd] float32) after the cached positions, in batches.

        Returns the final-norm hidden state of the last row ([n_embd]), or of every row ([n, n_embd])
        with ``keep_all``; None when aborted. On an abort or an error the cache is cut back to the
        positions of the batches that finished.
        """
        rows = np.ascontiguousarray(rows, dtype=np.float32)
        if rows.ndim != 2 or rows.shape[1] != self.n_embd or rows.shape[0] != len(keys):
            raise GenerationError(f"embedding rows of shape {list(rows.shape)} do not fit the backbone's width "
                                  f"{self.n_embd} and {len(keys)} positions", self.path)
        lib, width = self._lib, self.n_embd
        kept: list[np.ndarray] = []
        last = None
        for start in range(0, len(keys), self.n_batch):
            if self.abort.is_set():
                return None
            chunk = rows[start:start + self.n_batch]
            n = chunk.shape[0]
            self._batch.n_tokens = n
            self._batch.embd = chunk.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            rc = lib.llama_decode(self.ctx, self._batch)
            if rc != 0:
                lib.llama_memory_seq_rm(self.memory, -1, len(self.cached), -1)
                if rc == _ABORTED:
                    return None
                raise GenerationError(f"llama.cpp failed to evaluate the model (code {rc}; "
                                      f"{llama_log.last_errors() or 'no details'})", self.path)
            self.cached.extend(keys[start:start + n])
            if keep_all:
                ptr = lib.llama_get_embeddings(self.ctx)
                kept.append(np.ctypeslib.as_array(ptr, shape=(n * width,)).reshape(n, width).copy())
            else:
                ptr = lib.llama_get_embeddings_ith(self.ctx, -1)
                last = ptr
        if keep_all:
            return np.concatenate(kept) if kept else np.zeros((0, width), np.float32)
        if not last:
            raise GenerationError("llama.cpp returned no hidden state for the last position "
                                  f"({llama_log.last_errors() or 'no details'})", self.path)
        return np.ctypeslib.as_array(last, shape=(width,)).copy()
