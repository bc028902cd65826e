"""The GGUF vocabulary written from a checkpoint's sentencepiece model.

llama.cpp offers two sentencepiece-style tokenizers: ``llama`` (SPM: merges by score, byte fallback)
and ``t5`` (UGM: Viterbi over unigram scores, no byte fallback). Only the types whose preconditions
the vocabulary meets are considered (see tokenizer_kinds); which of them reproduces a given model
is measured, not assumed (see parity_tokens), so this module can write either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gguf

from .checkpoint import Checkpoint
from .errors import ConversionError
from .spm import CONTROL, NORMAL, UNUSED, USER_DEFINED, SpModel
from .tokenizer_kinds import kind_problems

TOKENIZER_KINDS = ("llama", "t5")


@dataclass
class Vocab:
    sp: SpModel
    tokens: list[str]
    scores: list[float]
    types: list[int]
    special: dict[str, int] = field(default_factory=dict)  # bos / eos / unk / pad → id

    def preferred_kinds(self) -> tuple[str, ...]:
        """Every type Hanashi writes, the one that usually reproduces this model first.

        ``llama`` (SPM) merges by score as sentencepiece's BPE does; ``t5`` (UGM) runs the same
        Viterbi search as sentencepiece's unigram model, and on real text it is the closer one.
        """
        return ("t5", "llama") if self.sp.model_type == "unigram" else ("llama", "t5")

    def kind_problems(self, kind: str) -> list[str]:
        """Why llama.cpp would abort with this vocabulary written as ``kind`` (empty: it is safe)."""
        return kind_problems(kind, self.tokens, self.types, self.special, self.sp.precompiled_charsmap)

    def excluded_kinds(self) -> dict[str, list[str]]:
        """The types llama.cpp cannot run for this vocabulary, each with its reasons."""
        return {k: p for k in self.preferred_kinds() if (p := self.kind_problems(k))}

    def candidate_kinds(self) -> tuple[str, ...]:
        """The types llama.cpp can run for this vocabulary, the usual best first.

        Only these are ever probed or written. Raises ConversionError when there is none.
        """
        excluded = self.excluded_kinds()
        kinds = tuple(k for k in self.preferred_kinds() if k not in excluded)
        if not kinds:
            why = "; ".join(f"`{k}`: {', '.join(p)}" for k, p in excluded.items())
            raise ConversionError(
                f"llama.cpp cannot run this tokenizer with any tokenizer type ({why})", self.sp.path,
                "use the tokenizer model (spiece.model) and tokenizer files from the model's own repository")
        return kinds

    def exclusion_note(self) -> str:
        """One line per excluded type, for reports."""
        return "\n".join(f"tokenizer type `{k}` not used: {'; '.join(p)}"
                         for k, p in self.excluded_kinds().items())


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
    problems = vocab.kind_problems(kind)
    if problems:  # never write a file that would make llama.cpp abort
        raise ConversionError(f"llama.cpp cannot run this tokenizer as type `{kind}`: {'; '.join(problems)}",
                              vocab.sp.path, "let Hanashi choose the tokenizer type")
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
