"""llama.cpp's own tokenizer, loaded from a GGUF without its weights."""

from __future__ import annotations

import ctypes
from pathlib import Path

from . import llama_lib
from . import llama_log
from .errors import ConversionError


class VocabLoadError(ConversionError, ValueError):
    """llama.cpp refused to load a GGUF's vocabulary (it reported an error; it did not abort)."""


def tokenize_with(vocab, text: str, parse_special: bool = False) -> list[int]:
    """Tokenize with a loaded llama.cpp vocabulary; no BOS/EOS is added."""
    llama_cpp = llama_lib.load()

    data = text.encode("utf-8")
    n_max = len(data) + 16
    for _ in range(2):
        buf = (llama_cpp.llama_token * n_max)()
        n = llama_cpp.llama_tokenize(vocab, data, len(data), buf, n_max, False, parse_special)
        if n >= 0:
            return list(buf[:n])
        n_max = -n  # too small: llama.cpp says how many it needs
    raise RuntimeError("llama_tokenize failed")


class LlamaVocab:
    """Tokenizes exactly as llama.cpp will when it runs the file."""

    def __init__(self, path: str | Path):
        llama_cpp = llama_lib.load()

        self._lib = llama_cpp
        params = llama_cpp.llama_model_default_params()
        params.vocab_only = True
        self._model = llama_cpp.llama_model_load_from_file(str(path).encode(), params)
        if not self._model:
            detail = llama_log.last_errors()
            raise VocabLoadError("llama.cpp could not load the vocabulary" + (f": {detail}" if detail else ""),
                                 path, "convert the model again with this version of Hanashi")
        self._vocab = llama_cpp.llama_model_get_vocab(self._model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self._vocab)

    def tokenize(self, text: str, parse_special: bool = False) -> list[int]:
        return tokenize_with(self._vocab, text, parse_special)

    def piece(self, token: int) -> bytes:
        buf = ctypes.create_string_buffer(256)
        n = self._lib.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, True)
        if n < 0:
            buf = ctypes.create_string_buffer(-n)
            n = self._lib.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, True)
        return buf.raw[:n]

    def close(self) -> None:
        if self._model:
            self._lib.llama_model_free(self._model)
            self._model = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
