"""Metadata written into every converted GGUF: llama.cpp's standard keys and Hanashi's own.

Hanashi's keys all live under ``hanashi.``; readers of other tools ignore them. The sentencepiece
model is embedded whole so the app can tokenize with it when llama.cpp's tokenizer is not exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import gguf

from .families import FAMILIES, sampling_json
from .vocab import Vocab, add_tokenizer

PREFIX = "hanashi."
FORMAT_VERSION = 1
SOURCE_REPO_KEY = "general.source.huggingface.repository"
SOURCE_REVISION_KEY = PREFIX + "source.revision"


@dataclass
class ModelInfo:
    name: str
    family: str
    source_arch: str
    tokenizer_kind: str
    parity: dict | None = None  # filled after measurement
    token_parity: object | None = None  # the full parity_tokens.TokenParity, when measured
    source_repo: str = ""  # the Hugging Face repository id it was downloaded from, if any
    source_revision: str = ""  # and the commit


def add_metadata(w: gguf.GGUFWriter, info: ModelInfo, vocab: Vocab) -> None:
    fam = FAMILIES[info.family]
    w.add_name(info.name)
    add_tokenizer(w, vocab, info.tokenizer_kind)
    if fam.chat_template:
        w.add_chat_template(fam.chat_template)
    s = fam.sampling
    # llama.cpp's own sampling keys, so other tools start from the card's values too.
    w.add_sampling_temp(s.temperature)
    w.add_sampling_top_p(s.top_p)
    w.add_sampling_top_k(s.top_k)
    w.add_sampling_penalty_repeat(s.repetition_penalty)

    w.add_uint32(PREFIX + "format_version", FORMAT_VERSION)
    w.add_string(PREFIX + "family", fam.name)
    w.add_string(PREFIX + "source.architecture", info.source_arch)
    if info.source_repo:
        w.add_string(SOURCE_REPO_KEY, info.source_repo)
        w.add_string(SOURCE_REVISION_KEY, info.source_revision)
    # All of the card's values in one key (llama.cpp's own keys above lack max_new_tokens).
    w.add_string(PREFIX + "sampling", sampling_json(fam))
    if fam.stop_strings:
        w.add_array(PREFIX + "stop_strings", list(fam.stop_strings))
    w.add_string(PREFIX + "newline", fam.newline)
    if fam.strip_pieces:
        w.add_array(PREFIX + "strip_pieces", list(fam.strip_pieces))
    banned = [vocab.tokens.index(p) for p in fam.banned_pieces if p in vocab.tokens]
    if "unk" in vocab.special and fam.banned_pieces:
        banned = sorted(set(banned) | {vocab.special["unk"]})
    if banned:
        w.add_array(PREFIX + "banned_token_ids", banned)
    if fam.context_limit:
        w.add_uint32(PREFIX + "context_limit", fam.context_limit)
        w.add_uint32(PREFIX + "reply_budget", fam.reply_budget)
    sp = vocab.sp
    w.add_string(PREFIX + "tokenizer.sp_model_type", sp.model_type)
    w.add_key_value(PREFIX + "tokenizer.sp_model", sp.proto_bytes,
                    gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.UINT8)
    p = info.token_parity.metadata() if info.token_parity is not None else info.parity
    if p is not None:
        # matched/total/exact/kind are over the whole corpus; prose.* and edge.* are its two parts.
        w.add_string(PREFIX + "tokenizer.runtime", p["runtime"])
        w.add_bool(PREFIX + "parity.tokenizer.exact", p["exact"])
        w.add_uint32(PREFIX + "parity.tokenizer.matched", p["matched"])
        w.add_uint32(PREFIX + "parity.tokenizer.total", p["total"])
        w.add_string(PREFIX + "parity.tokenizer.kind", p["kind"])
        for part in ("prose", "edge"):
            if f"{part}.total" in p:
                w.add_uint32(PREFIX + f"parity.tokenizer.{part}.matched", p[f"{part}.matched"])
                w.add_uint32(PREFIX + f"parity.tokenizer.{part}.total", p[f"{part}.total"])
