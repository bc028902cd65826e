"""The GGUF vocabulary written from a checkpoint's sentencepiece model.

llama.cpp offers two sentencepiece-style tokenizers: ``llama`` (SPM: merges by score, byte fallback)
and ``t5`` (UGM: Viterbi over unigram scores, no byte fallback). Which of them reproduces a given
model is measured, not assumed (see parity_tokens), so this module can write either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gguf

from .checkpoint import Checkpoint
from .errors import ConversionError
from .spm import CONTROL, NORMAL, UNUSED, USER_DEFINED, SpModel

TOKENIZER_KINDS = ("llama", "t5")


@dataclass
class Vocab:
    sp: SpModel
    tokens: list[str]
    scores: list[float]
    types: list[int]
    special: dict[str, int] = field(default_factory=dict)  # bos / eos / unk / pad → id

    def candidate_kinds(self) -> tuple[str, ...]:
        """Tokenizer types worth measuring for this model, the usual best first."""
        if self.sp.model_type == "unigram":
            return ("llama", "t5")
        return ("llama",)


def _token_text(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) and value else None


def _special_ids(ckpt: Checkpoint, sp: SpModel, pieces: list[str]) -> dict[str, int]:
    index = {p: i for i, p in enumerate(pieces)}
    out: dict[str, int] = {}
    for role in ("bos", "eos", "unk", "pad"):
        for source in (ckpt.special_tokens_map, ckpt.tokenizer_config):
            text = _token_text(source.get(f"{role}_token"))
            if text is not None and text in index:
                out[role] = index[text]
                break
        else:
            cfg = ckpt.config.get(f"{role}_token_id")
            if isinstance(cfg, int) and 0 <= cfg < len(pieces):
                out[role] = cfg
            else:
                sp_id = getattr(sp, f"{role}_id")
                if 0 <= sp_id < len(pieces):
                    out[role] = sp_id
    return out


def build_vocab(ckpt: Checkpoint, sp: SpModel, n_vocab: int) -> Vocab:
    """Pieces of the proto, then added tokens, then padding up to the embedding's row count."""
    tokens, scores, types = list(sp.pieces), list(sp.scores), list(sp.types)
    index = {p: i for i, p in enumerate(tokens)}
    for text, tid in sorted(ckpt.added_tokens.items(), key=lambda kv: kv[1]):
        if text in index:
            continue
        if tid != len(tokens):
            raise ConversionError(
                f"added token {text!r} has id {tid}, but the next free id is {len(tokens)}",
                ckpt.dir / "added_tokens.json", "download added_tokens.json again")
        tokens.append(text)
        scores.append(0.0)
        types.append(CONTROL if text.startswith("<") and text.endswith(">") else USER_DEFINED)
        index[text] = tid
    if len(tokens) > n_vocab:
        raise ConversionError(
            f"the tokenizer has {len(tokens)} tokens but the model's embedding has only {n_vocab} rows",
            sp.path, "use the tokenizer files from the same repository as the weights")
    while len(tokens) < n_vocab:
        tokens.append(f"[PAD{len(tokens)}]")
        scores.append(-1e9)
        types.append(UNUSED)
    return Vocab(sp=sp, tokens=tokens, scores=scores, types=types,
                 special=_special_ids(ckpt, sp, tokens))


def add_tokenizer(w: gguf.GGUFWriter, vocab: Vocab, kind: str) -> None:
    """Write the tokenizer keys of one llama.cpp tokenizer type."""
    if kind not in TOKENIZER_KINDS:
        raise ValueError(f"unknown tokenizer kind {kind!r}")
    sp = vocab.sp
    w.add_tokenizer_model(kind)
    w.add_tokenizer_pre("default")
    w.add_token_list(vocab.tokens)
    w.add_token_scores(vocab.scores)
    w.add_token_types([t or NORMAL for t in vocab.types])
    special = vocab.special
    if "bos" in special:
        w.add_bos_token_id(special["bos"])
    if "eos" in special:
        w.add_eos_token_id(special["eos"])
    if "unk" in special:
        w.add_unk_token_id(special["unk"])
    if "pad" in special:
        w.add_pad_token_id(special["pad"])
    # Prompts are tokenized exactly as written; the formats add what their family needs.
    w.add_add_bos_token(False)
    w.add_add_eos_token(False)
    w.add_add_space_prefix(sp.add_dummy_prefix)
    if kind == "t5":
        w.add_remove_extra_whitespaces(sp.remove_extra_whitespaces)
        if sp.precompiled_charsmap:
            w.add_precompiled_charsmap(sp.precompiled_charsmap)
