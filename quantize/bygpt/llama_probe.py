"""Running a byte-level model's backbone GGUF in llama.cpp once: final-norm hidden states of given
input embeddings (``embeddings=True``, pooling NONE, ``llama_batch.embd``).

Used to check that a converted file loads and computes, always in a child process
(``hidden_states``), since llama.cpp may abort on a file it does not expect.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

from .. import llama_lib, llama_log
from ..errors import ConversionError


def hidden_states_here(path: str, embeds: np.ndarray, n_threads: int = 1) -> np.ndarray:
    """[n, H] final-norm hidden states for the [n, H] input embeddings (positions 0…n-1). In a child."""
    llama_cpp = llama_lib.load()
    llama_log.clear()
    mparams = llama_cpp.llama_model_default_params()
    mparams.n_gpu_layers = 0
    model = llama_cpp.llama_model_load_from_file(str(path).encode(), mparams)
    if not model:
        raise ConversionError("llama.cpp could not load the model" +
                              (f": {llama_log.last_errors()}" if llama_log.last_errors() else ""), path)
    try:
        n, h = embeds.shape
        if llama_cpp.llama_model_n_embd(model) != h:
            raise ConversionError(f"the model's width is {llama_cpp.llama_model_n_embd(model)}, the input {h}", path)
        cparams = llama_cpp.llama_context_default_params()
        cparams.n_ctx = max(64, n)
        cparams.n_batch = cparams.n_ubatch = max(64, n)
        cparams.embeddings = True
        cparams.type_k = cparams.type_v = 0  # GGML_TYPE_F32 cache: exact comparison with a reference
        cparams.flash_attn_type = 0  # disabled: its CPU path rounds through f16
        cparams.pooling_type = llama_cpp.LLAMA_POOLING_TYPE_NONE
        cparams.n_threads = cparams.n_threads_batch = n_threads
        ctx = llama_cpp.llama_init_from_model(model, cparams)
        if not ctx:
            raise ConversionError("llama.cpp could not create a context", path)
        batch = llama_cpp.llama_batch_init(n, h, 1)
        try:
            data = np.ascontiguousarray(embeds, dtype=np.float32).reshape(-1)
            ctypes.memmove(batch.embd, data.ctypes.data, data.nbytes)
            for i in range(n):
                batch.pos[i] = i
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = 0
                batch.logits[i] = 1
            batch.n_tokens = n
            rc = llama_cpp.llama_decode(ctx, batch)
            if rc != 0:
                raise ConversionError(f"llama_decode failed ({rc})", path)
            out = np.empty((n, h), dtype=np.float32)
            for i in range(n):
                ptr = llama_cpp.llama_get_embeddings_ith(ctx, i)
                out[i] = np.ctypeslib.as_array(ptr, shape=(h,))
            return out
        finally:
            llama_cpp.llama_batch_free(batch)
            llama_cpp.llama_free(ctx)
    finally:
        llama_cpp.llama_model_free(model)


def hidden_states(path: str | Path, embeds: np.ndarray, timeout: float = 120) -> np.ndarray:
    from .. import child

    return child.run("quantize.bygpt.llama_probe:hidden_states_here", (str(path), np.asarray(embeds)),
                     stage="running the byte model's backbone", path=path, timeout=timeout,
                     fix="convert the model again with this version of Hanashi")
