"""Choosing the llama.cpp tokenizer type: only types llama.cpp can run, chosen by prose parity."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from quantize.archs import load_architecture
from quantize.checkpoint import Checkpoint
from quantize.convert import convert
from quantize.errors import ConversionError
from quantize.gguf_info import read_info
from quantize.metadata import ModelInfo, add_metadata
from quantize.parity_tokens import measure
from quantize.spm import load_sp_model
from quantize.tiny import tokenizer as tok
from quantize.tokenizer_kinds import charsmap_problem, missing_bytes
from quantize.vocab import build_vocab
from quantize.write_gguf import write_gguf


def _vocab(src: Path):
    ckpt = Checkpoint(src)
    try:
        arch = load_architecture(ckpt)
        sp = load_sp_model(ckpt.sp_model_path)
        return build_vocab(ckpt, sp, arch.n_vocab)
    finally:
        ckpt.close()


def test_preconditions_of_each_type(tiny):
    with_bytes = _vocab(tiny.neox(name="neox-unigram", flavor=tok.RINNA_UNIGRAM))
    assert missing_bytes(with_bytes.tokens) == []
    assert with_bytes.candidate_kinds() == ("t5", "llama")  # unigram: t5 is the usual best
    no_bytes = _vocab(tiny.neox_no_bytes())
    assert len(missing_bytes(no_bytes.tokens)) > 200
    assert no_bytes.candidate_kinds() == ("t5",)
    assert "byte pieces" in " ".join(no_bytes.excluded_kinds()["llama"])
    # A BPE model keeps `llama` first.
    assert _vocab(tiny.rinna()).candidate_kinds()[0] == "llama"


def test_a_damaged_charsmap_rules_out_t5(tiny):
    vocab = _vocab(tiny.dolly_no_bytes())
    good = vocab.sp.precompiled_charsmap
    assert good and charsmap_problem(good) is None
    for bad in (good[:3], good[: len(good) // 2], good[:-10],
                good[:104] + b"\xff" * 4000 + good[4104:]):
        assert charsmap_problem(bad), len(bad)
    vocab.sp = replace(vocab.sp, precompiled_charsmap=good[: len(good) // 2])
    assert "t5" in vocab.excluded_kinds()
    # No byte pieces and no usable charsmap: nothing llama.cpp could run, said before anything is written.
    with pytest.raises(ConversionError) as exc:
        vocab.candidate_kinds()
    text = str(exc.value)
    assert str(vocab.sp.path) in text and "`llama`" in text and "`t5`" in text and "How to fix" in text


def test_duplicate_tokens_rule_out_every_type(tiny):
    """llama.cpp asserts (aborts) on two tokens with the same text, including text cut at a NUL."""
    vocab = _vocab(tiny.neox(name="neox-unigram", flavor=tok.RINNA_UNIGRAM))
    vocab.tokens[-1] = vocab.tokens[10] + "\0tail"
    assert set(vocab.excluded_kinds()) == {"t5", "llama"}
    with pytest.raises(ConversionError, match="both"):
        vocab.candidate_kinds()


def test_unusable_tokenizer_stops_conversion_cleanly(tiny, tmp_path, monkeypatch):
    """A tokenizer without byte pieces and with a damaged charsmap: no type could run it. The
    sentencepiece check refuses it first; either way nothing is written and no temp file stays."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    src = tmp_path / "model"
    import shutil

    shutil.copytree(tiny.neox_no_bytes(), src)
    m = pb.ModelProto()
    m.ParseFromString((src / "spiece.model").read_bytes())
    m.normalizer_spec.precompiled_charsmap = b"\x10\x00\x00\x00broken"
    (src / "spiece.model").write_bytes(m.SerializeToString())
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    for skip in (False, True):
        out = tmp_path / f"out-{skip}.gguf"
        with pytest.raises(ConversionError) as exc:
            convert(src, out, "q8_0", measure_parity=not skip)
        text = str(exc.value)
        assert "spiece.model" in text and "How to fix" in text
        assert "byte pieces" in text or "sentencepiece cannot load" in text
        assert not out.exists()
        assert os.listdir(scratch) == []


def _measure_each_kind(src: Path, tmp: Path) -> dict:
    """Every runnable type measured on its own weightless GGUF."""
    ckpt = Checkpoint(src)
    try:
        arch = load_architecture(ckpt)
        sp = load_sp_model(ckpt.sp_model_path)
        vocab = build_vocab(ckpt, sp, arch.n_vocab)
        out = {}
        for kind in vocab.candidate_kinds():
            info = ModelInfo(name="probe", family="base", source_arch=ckpt.architecture, tokenizer_kind=kind)
            path = tmp / f"{kind}.gguf"
            write_gguf(path, arch, lambda w: add_metadata(w, info, vocab), "f32", with_tensors=False)
            out[kind] = measure(path, sp, kind)
        return out
    finally:
        ckpt.close()


def test_unigram_with_byte_pieces_records_the_type_that_wins_on_prose(tiny, tmp_path):
    src = tiny.neox(name="neox-unigram", flavor=tok.RINNA_UNIGRAM)
    reports = _measure_each_kind(src, tmp_path)
    assert set(reports) == {"t5", "llama"}
    winner = max(reports.values(), key=lambda r: r.rank())
    result = convert(src, tmp_path / "u.gguf", "f32")
    assert result.token_parity.kind == winner.kind
    assert result.token_parity.sections == winner.sections
    info = read_info(result.path)
    assert info.tokenizer_kind == winner.kind
    p = info.parity
    assert (p["tokenizer.prose.matched"], p["tokenizer.prose.total"]) == winner.sections["prose"]
    assert (p["tokenizer.edge.matched"], p["tokenizer.edge.total"]) == winner.sections["edge"]
    assert info.runtime_tokenizer == winner.runtime
    # The loser is no better on prose, and not better on edge cases when prose ties.
    loser = next(r for r in reports.values() if r.kind != winner.kind)
    assert loser.rank() <= winner.rank()
    table = result.token_parity.format()
    assert "prose" in table and "edge cases + fuzz" in table
