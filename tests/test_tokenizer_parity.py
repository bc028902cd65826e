"""Tokenizer parity is measured per model, and the report shows where llama.cpp differs."""

from __future__ import annotations

import sentencepiece as spm

from quantize.convert import convert
from quantize.gguf_info import read_info
from quantize.llama_vocab import LlamaVocab
from quantize.parity_tokens import measure
from quantize.spm import load_sp_model
from quantize.tiny import tokenizer as tok


def test_bpe_rinna_tokenizer_is_exact(converted, tiny):
    path = converted("rinna", "f32")
    info = read_info(path)
    assert info.tokenizer_kind == "llama"
    assert info.runtime_tokenizer == "llama.cpp"
    assert info.parity["tokenizer.exact"] is True
    assert info.parity["tokenizer.matched"] == info.parity["tokenizer.total"] > 200
    sp = load_sp_model(tiny.rinna() / "spiece.model")
    report = measure(path, sp, "llama")
    assert report.exact and not report.mismatches


def test_special_pieces_are_single_tokens(converted, tiny):
    path = converted("rinna", "f32")
    proc = spm.SentencePieceProcessor(model_file=str(tiny.rinna() / "spiece.model"))
    with LlamaVocab(path) as lv:
        for piece in ("<NL>", "[SEP]"):
            ids = lv.tokenize(f"前{piece}後")
            assert proc.piece_to_id(piece) in ids
            assert ids == proc.encode(f"前{piece}後")


def test_unigram_mismatches_are_caught(tiny, tmp_path):
    """A unigram proto is not reproduced by llama.cpp: the report says so and shows examples."""
    src = tiny.neox(name="neox-unigram", flavor=tok.RINNA_UNIGRAM)
    out = tmp_path / "u.gguf"
    result = convert(src, out, "f32")
    report = result.token_parity
    assert not report.exact
    assert 0 < report.matched < report.total
    assert report.mismatches, "examples of the differences must be kept"
    m = report.mismatches[0]
    assert m.expected != m.got
    text = report.format()
    assert "NOT exact" in text and "sentencepiece:" in text and "llama.cpp:" in text
    info = read_info(out)
    assert info.runtime_tokenizer == "sentencepiece"
    assert info.sp_model == (src / "spiece.model").read_bytes()
    # Each candidate type was measured and the better one kept.
    sp = load_sp_model(src / "spiece.model")
    assert report.kind in ("llama", "t5")


def test_dolly_flags_differ_and_are_recorded(converted, tiny):
    """dolly's tokenizer collapses whitespace and adds a dummy prefix; llama.cpp does neither fully."""
    path = converted("dolly", "f32")
    info = read_info(path)
    sp = load_sp_model(tiny.dolly() / "spiece.model")
    assert sp.add_dummy_prefix and sp.remove_extra_whitespaces
    assert info.runtime_tokenizer == "sentencepiece"
    assert info.parity["tokenizer.exact"] is False
    report = measure(path, sp, info.tokenizer_kind)
    assert any("  " in m.text or "\t" in m.text or "\n" in m.text for m in report.mismatches)


def test_control_bracket_tokens(tiny, tmp_path):
    """Bracketed specials stored as CONTROL pieces (one plausible rinna layout) still convert exactly."""
    src = tiny.neox(name="neox-control-specials", flavor=tok.RINNA_CONTROL)
    result = convert(src, tmp_path / "c.gguf", "f32")
    assert result.token_parity.exact, result.token_parity.format()
