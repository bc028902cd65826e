"""A thin owner of llama.cpp's model, context and KV cache, on the low-level API.

Hanashi drives llama.cpp directly rather than through ``llama_cpp.Llama``: the generation loop
needs only decode, sample and the KV cache, and doing them here keeps per-token overhead to a
few C calls, lets a stop request abort a decode in progress, and leaves stdout/stderr alone.
"""

from __future__ import annotations

import ctypes
import threading
from pathlib import Path

from quantize import llama_lib
from quantize import llama_log
from quantize.llama_vocab import tokenize_with

from .errors import GenerationError

_ABORTED = 2  # llama_decode's return code when the abort callback fired
_backend_ready = False


def _init_backend(llama_cpp) -> None:
    global _backend_ready
    if not _backend_ready:
        llama_cpp.llama_backend_init()
        _backend_ready = True


def _abort_callback():
    """libc's strlen as a ggml abort callback: it returns nonzero iff the flag byte is set.

    llama.cpp polls the abort callback between graph nodes on its compute thread. A Python
    callback there would take the GIL hundreds of times per token; strlen on a two-byte buffer
    ("\\0\\0" or "\\1\\0") answers the same question in C.
    """
    llama_cpp = llama_lib.load()

    try:
        libc = ctypes.CDLL(None)
        return llama_cpp.ggml_abort_callback(ctypes.cast(libc.strlen, ctypes.c_void_p).value)
    except (OSError, AttributeError, TypeError):
        return None


class AbortFlag:
    """A byte llama.cpp reads while it decodes; setting it aborts the decode in progress."""

    def __init__(self) -> None:
        self.buffer = ctypes.create_string_buffer(2)

    def set(self) -> None:
        self.buffer[0] = 1

    def clear(self) -> None:
        self.buffer[0] = 0

    def is_set(self) -> bool:
        return self.buffer[0] != b"\x00"


class LlamaRuntime:
    """One loaded model with one context (sequence 0). Not thread-safe: use from one thread."""

    def __init__(self, path: Path, n_ctx: int, n_threads: int, n_gpu_layers: int, n_batch: int = 512,
                 flash_attn: bool | None = None, max_ctx: int | None = None, embeddings: bool = False,
                 kv_f32: bool = False):
        """``n_ctx`` is asked of llama.cpp, which rounds it up to a multiple of 256; ``n_ctx`` (the
        attribute) is that room, but at most ``max_ctx`` (default: ``n_ctx``), so that a model is
        never run past its own context. ``embeddings``: every evaluated position's final-norm hidden
        state is kept (pooling none), for models whose output layers run outside llama.cpp.
        ``kv_f32``: keys and values cached in f32 rather than f16 (twice the memory), for results
        that match a float reference exactly."""
        llama_cpp = llama_lib.load()

        _init_backend(llama_cpp)
        llama_log.clear()
        self._lib = llama_cpp
        self.path = Path(path)
        self.model = None
        self.ctx = None
        mparams = llama_cpp.llama_model_default_params()
        mparams.n_gpu_layers = n_gpu_layers
        self.model = llama_cpp.llama_model_load_from_file(str(path).encode("utf-8"), mparams)
        if not self.model:
            raise OSError(llama_log.last_errors() or "llama.cpp could not load the model")
        cparams = llama_cpp.llama_context_default_params()
        # llama.cpp caps a batch at the context size and asserts that no decode call exceeds it:
        # prompts are sent in chunks of the batch size, which therefore never exceeds the context.
        n_batch = max(1, min(int(n_batch), int(n_ctx)))
        cparams.n_ctx = n_ctx
        cparams.n_batch = n_batch
        cparams.n_ubatch = n_batch
        cparams.n_threads = n_threads
        cparams.n_threads_batch = n_threads
        cparams.no_perf = True
        if embeddings:
            cparams.embeddings = True
            cparams.pooling_type = llama_cpp.LLAMA_POOLING_TYPE_NONE
        if kv_f32:
            cparams.type_k = cparams.type_v = llama_cpp.GGML_TYPE_F32
        # Flash attention speeds up GPUs, but on the CPU it slows decoding (by ~20% on the tiny
        # models measured in bench/generate.py), as llama-cpp-python's Llama also leaves it off.
        if flash_attn is None:
            flash_attn = n_gpu_layers > 0
        cparams.flash_attn_type = (llama_cpp.LLAMA_FLASH_ATTN_TYPE_AUTO if flash_attn
                                   else llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED)
        self.ctx = llama_cpp.llama_init_from_model(self.model, cparams)
        if not self.ctx:
            errors = llama_log.last_errors()
            self.close()
            raise OSError(errors or "llama.cpp could not create a context for the model")
        self.vocab = llama_cpp.llama_model_get_vocab(self.model)
        self.memory = llama_cpp.llama_get_memory(self.ctx)
        self.n_ctx = max(1, min(int(max_ctx or n_ctx), llama_cpp.llama_n_ctx(self.ctx)))
        self.n_batch = max(1, min(n_batch, llama_cpp.llama_n_batch(self.ctx), llama_cpp.llama_n_ubatch(self.ctx)))
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        self.n_layer = llama_cpp.llama_model_n_layer(self.model)
        self.n_threads = n_threads
        self.abort = AbortFlag()
        self._callback = _abort_callback()  # keep a reference for the context's lifetime
        if self._callback is not None:
            llama_cpp.llama_set_abort_callback(self.ctx, self._callback,
                                               ctypes.cast(self.abort.buffer, ctypes.c_void_p))
        # Tokens whose keys and values are in the KV cache, in order (positions 0..n-1).
        self.cached: list[int] = []
        self._one = (llama_cpp.llama_token * 1)()
        self._pieces: dict[int, bytes] = {}
        self.lock = threading.Lock()

    # -------------------------------------------------------------- vocabulary

    def token_text(self, token: int) -> str:
        if token is None or token < 0 or token >= self.n_vocab:
            return ""
        raw = self._lib.llama_vocab_get_text(self.vocab, token)
        return raw.decode("utf-8", "replace") if raw else ""

    def bos(self) -> int:
        return self._lib.llama_vocab_bos(self.vocab)

    def eos(self) -> int:
        return self._lib.llama_vocab_eos(self.vocab)

    def add_bos(self) -> bool:
        return bool(self._lib.llama_vocab_get_add_bos(self.vocab))

    def is_eog(self, token: int) -> bool:
        return bool(self._lib.llama_vocab_is_eog(self.vocab, token))

    def tokenize(self, text: str, parse_special: bool = False) -> list[int]:
        try:
            return tokenize_with(self.vocab, text, parse_special)
        except RuntimeError:
            raise GenerationError("llama.cpp could not tokenize the text", self.path) from None

    def piece(self, token: int) -> bytes:
        """The bytes a token stands for (control tokens: none). Cached per token."""
        cached = self._pieces.get(token)
        if cached is None:
            buf = ctypes.create_string_buffer(64)
            n = self._lib.llama_token_to_piece(self.vocab, token, buf, len(buf), 0, False)
            if n < 0:
                buf = ctypes.create_string_buffer(-n)
                n = self._lib.llama_token_to_piece(self.vocab, token, buf, len(buf), 0, False)
            cached = self._pieces[token] = buf.raw[:max(n, 0)]
        return cached

    # -------------------------------------------------------------- KV cache

    def keep_prefix(self, n: int) -> None:
        """Forget the cache from position ``n`` on."""
        if n >= len(self.cached):
            return
        if n <= 0 or not self._lib.llama_memory_seq_rm(self.memory, -1, n, -1):
            self._lib.llama_memory_clear(self.memory, True)
            n = 0
        del self.cached[n:]

    def clear(self) -> None:
        self._lib.llama_memory_clear(self.memory, True)
        self.cached.clear()

    def decode(self, tokens: list[int]) -> bool:
        """Evaluate ``tokens`` after the cached ones, in batches. False when aborted.

        Logits of the last token are then ready for sampling. On an abort or an error the
        cache is cut back to the tokens of the batches that finished.
        """
        for start in range(0, len(tokens), self.n_batch):
            chunk = tokens[start:start + self.n_batch]
            if self.abort.is_set():
                return False
            if len(chunk) == 1:
                self._one[0] = chunk[0]
                arr = self._one
            else:
                arr = (self._lib.llama_token * len(chunk))(*chunk)
            rc = self._lib.llama_decode(self.ctx, self._lib.llama_batch_get_one(arr, len(chunk)))
            if rc != 0:
                self._lib.llama_memory_seq_rm(self.memory, -1, len(self.cached), -1)
                if rc == _ABORTED:
                    return False
                raise GenerationError(f"llama.cpp failed to evaluate the prompt (code {rc}; "
                                      f"{llama_log.last_errors() or 'no details'})", self.path)
            self.cached.extend(chunk)
        return True

    def close(self) -> None:
        lib = getattr(self, "_lib", None)
        if lib is None:
            return
        if self.ctx:
            lib.llama_free(self.ctx)
            self.ctx = None
        if self.model:
            lib.llama_model_free(self.model)
            self.model = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
