"""The vocabulary written so llama.cpp loads the backbone: 259 tokens it never tokenizes with.

llama.cpp needs a vocabulary and a ``token_embd.weight`` to load a llama model. The runtime feeds
merged byte embeddings through ``llama_batch.embd`` and reads hidden states, so neither is used;
this one is small, loads in every llama.cpp (tokenizer model ``llama`` with all 256 byte pieces,
as Hanashi's GGUF checks require) and is honest about what it is.
"""

from __future__ import annotations

import gguf

SPECIALS = ("<unk>", "<s>", "</s>")
N_VOCAB = len(SPECIALS) + 256


def tokens() -> list[str]:
    return list(SPECIALS) + [f"<0x{b:02X}>" for b in range(256)]


def add_byte_vocab(w: gguf.GGUFWriter) -> int:
    """Write the vocabulary keys; returns the token count (token_embd's row count)."""
    toks = tokens()
    w.add_tokenizer_model("llama")
    w.add_tokenizer_pre("default")
    w.add_token_list(toks)
    w.add_token_scores([0.0] * len(toks))
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL] + \
        [gguf.TokenType.BYTE] * 256
    w.add_token_types([int(t) for t in types])
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_add_bos_token(False)
    w.add_add_eos_token(False)
    return len(toks)
