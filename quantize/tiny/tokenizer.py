"""Training tiny sentencepiece models with the flags of the real Japanese models."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

from .text import training_lines


@dataclass(frozen=True)
class SpFlavor:
    """The tokenizer settings that distinguish the model families."""

    model_type: str = "bpe"  # rinna's type is read from the proto; both are tested
    unk_piece: str = "[UNK]"
    add_dummy_prefix: bool = False
    remove_extra_whitespaces: bool = False
    normalization: str = "identity"
    bracket_specials: str = "user_defined"  # or "control": [CLS] [SEP] [MASK] in the proto
    vocab_size: int = 1000
    byte_fallback: bool = True  # False: no <0xXX> pieces, unknown characters become the unk piece


RINNA_BPE = SpFlavor("bpe")
RINNA_UNIGRAM = SpFlavor("unigram")
RINNA_CONTROL = SpFlavor("bpe", bracket_specials="control")
# rinna japanese-gpt-1b's tokenizer (used by dolly): unigram, dummy prefix, collapses whitespace.
DOLLY = SpFlavor("unigram", unk_piece="<unk>", add_dummy_prefix=True, remove_extra_whitespaces=True,
                 normalization="nmt_nfkc")
# The same tokenizer as published: trained with sentencepiece's default byte_fallback=False, so it
# has no <0xXX> pieces and a character outside its vocabulary becomes <unk>.
DOLLY_NO_BYTES = SpFlavor("unigram", unk_piece="<unk>", add_dummy_prefix=True, remove_extra_whitespaces=True,
                          normalization="nmt_nfkc", vocab_size=800, byte_fallback=False)
# A rinna-style unigram model (identity normalization, no dummy prefix) without byte pieces.
RINNA_UNIGRAM_NO_BYTES = SpFlavor("unigram", vocab_size=800, byte_fallback=False)

BRACKETS = ["[CLS]", "[SEP]", "[MASK]"]


def train(out_dir: Path, flavor: SpFlavor = RINNA_BPE, lines: list[str] | None = None,
          file_name: str = "spiece.model") -> Path:
    import sentencepiece as spm

    out_dir.mkdir(parents=True, exist_ok=True)
    user = ["<NL>"] + (BRACKETS if flavor.bracket_specials == "user_defined" else [])
    control = BRACKETS if flavor.bracket_specials == "control" else []
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines or training_lines()),
        model_writer=buf,
        model_type=flavor.model_type,
        vocab_size=flavor.vocab_size,
        character_coverage=0.995,
        byte_fallback=flavor.byte_fallback,
        add_dummy_prefix=flavor.add_dummy_prefix,
        remove_extra_whitespaces=flavor.remove_extra_whitespaces,
        normalization_rule_name=flavor.normalization,
        allow_whitespace_only_pieces=True,
        split_digits=True,
        user_defined_symbols=user,
        control_symbols=control,
        pad_id=0, pad_piece="[PAD]",
        unk_id=1, unk_piece=flavor.unk_piece,
        bos_id=2, bos_piece="<s>",
        eos_id=3, eos_piece="</s>",
        max_sentence_length=8192,
        num_threads=2,
        minloglevel=2,
    )
    path = out_dir / file_name
    path.write_bytes(buf.getvalue())
    return path


def write_tokenizer_files(out_dir: Path, flavor: SpFlavor = RINNA_BPE) -> None:
    """tokenizer_config.json and special_tokens_map.json as the rinna repositories ship them."""
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": flavor.unk_piece, "pad_token": "[PAD]",
               "cls_token": "[CLS]", "sep_token": "[SEP]", "mask_token": "[MASK]"}
    config = {"tokenizer_class": "T5Tokenizer", "do_lower_case": False, "extra_ids": 0,
              "additional_special_tokens": [], "model_max_length": 2048, **special}
    (out_dir / "tokenizer_config.json").write_text(json.dumps(config, ensure_ascii=False, indent=2))
    (out_dir / "special_tokens_map.json").write_text(json.dumps(special, ensure_ascii=False, indent=2))
