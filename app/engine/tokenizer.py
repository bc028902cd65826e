"""Tokenizing prompts and turning generated tokens back into text, one token at a time.

Where the converter measured that llama.cpp tokenizes a file exactly as the original
sentencepiece model does, llama.cpp's tokenizer is used; otherwise the sentencepiece model
embedded in the GGUF tokenizes and its token ids are fed to llama.cpp (the ids are the same).

Generated tokens are decoded through their piece bytes with an incremental UTF-8 decoder: a
byte-fallback token may carry a third of a character, and nothing is shown until the character
is complete.
"""

from __future__ import annotations

import codecs
import re

LLAMA_CPP = "llama.cpp"
SENTENCEPIECE = "sentencepiece"

_BYTE_PIECE = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")


class RuntimeTokenizer:
    """Encodes prompt text to token ids and maps each id to the bytes it stands for.

    ``parse_special``: llama.cpp reads special-token text (``<|im_start|>``) in the prompt as the
    token itself. Hanashi's families never need it (``</s>`` typed by a user stays text); chat
    templates of files converted elsewhere do. ``bos``: a token id put before every prompt.
    """

    kind = ""

    def __init__(self, bos: int | None = None, parse_special: bool = False):
        self.bos = bos
        self.parse_special = parse_special

    def _encode(self, text: str) -> list[int]:
        raise NotImplementedError

    def encode(self, text: str) -> list[int]:
        ids = self._encode(text)
        if self.bos is not None and (not ids or ids[0] != self.bos):
            ids.insert(0, self.bos)
        return ids

    def count(self, text: str) -> int:
        return len(self.encode(text))

    def piece(self, token: int) -> bytes:
        raise NotImplementedError

    def decode(self, tokens) -> str:
        return b"".join(self.piece(t) for t in tokens).decode("utf-8", "replace")


class LlamaTokenizer(RuntimeTokenizer):
    kind = LLAMA_CPP

    def __init__(self, runtime, bos: int | None = None, parse_special: bool = False):
        super().__init__(bos, parse_special)
        self.runtime = runtime

    def _encode(self, text: str) -> list[int]:
        return self.runtime.tokenize(text, self.parse_special)

    def piece(self, token: int) -> bytes:
        return self.runtime.piece(token)


class SentencePieceTokenizer(RuntimeTokenizer):
    """The GGUF's embedded sentencepiece model (``hanashi.tokenizer.sp_model``)."""

    kind = SENTENCEPIECE

    def __init__(self, sp_model: bytes, bos: int | None = None):
        super().__init__(bos, False)
        import sentencepiece as spm

        self.sp = spm.SentencePieceProcessor(model_proto=sp_model)
        self._pieces = [self._piece_bytes(i) for i in range(self.sp.get_piece_size())]

    def _piece_bytes(self, i: int) -> bytes:
        sp = self.sp
        if sp.is_control(i) or sp.is_unknown(i):
            return b""
        piece = sp.id_to_piece(i)
        if sp.is_byte(i):
            m = _BYTE_PIECE.match(piece)
            return bytes([int(m.group(1), 16)]) if m else b""
        return piece.replace("\u2581", " ").encode("utf-8")

    def _encode(self, text: str) -> list[int]:
        return self.sp.encode(text, out_type=int)

    def piece(self, token: int) -> bytes:
        return self._pieces[token] if 0 <= token < len(self._pieces) else b""


class IncrementalDetokenizer:
    """Token ids in, complete characters out; a character split across tokens waits for its end."""

    def __init__(self, tokenizer: RuntimeTokenizer):
        self._piece = tokenizer.piece
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, token: int) -> str:
        return self._utf8.decode(self._piece(token))

    def flush(self) -> str:
        """End of generation: the bytes of an unfinished character are dropped, never shown."""
        self._utf8.reset()
        return ""
