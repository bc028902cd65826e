"""The runtime tokenizer (llama.cpp's or the embedded sentencepiece) and UTF-8-safe detokenizing."""

from __future__ import annotations

import pytest
import sentencepiece as spm

from app.engine import Engine
from app.engine.tokenizer import IncrementalDetokenizer

TEXTS = [
    "ユーザー: 日本で一番高い山は?<NL>システム: 富士山です。",
    "  二つの空白と\tタブ、そして English words.",
    "12345円 3月14日",
    "珍しい字: 鬱蒼、龘、𠮷野家 😀🍣",  # not in the tiny vocabularies: byte fallback
]


def _sp(engine) -> spm.SentencePieceProcessor:
    return spm.SentencePieceProcessor(model_proto=engine.info.sp_model)


@pytest.mark.parametrize("which", ["rinna_engine", "dolly_engine"])
def test_prompt_tokens_match_the_original_sentencepiece_without_bos(which, request):
    engine = request.getfixturevalue(which)
    sp = _sp(engine)
    for text in TEXTS:
        ids = engine.encode(text)
        assert ids == sp.encode(text, out_type=int)
        assert ids[0] != engine.runtime.bos()
        assert engine.count_tokens(text) == len(ids)


def test_typed_special_token_text_stays_text(rinna_engine):
    ids = rinna_engine.encode("</s>")
    assert rinna_engine.runtime.eos() not in ids and len(ids) > 1


@pytest.mark.parametrize("which", ["rinna_engine", "dolly_engine"])
def test_streamed_detokenizing_never_splits_a_character(which, request):
    engine = request.getfixturevalue(which)
    text = TEXTS[3]
    ids = engine.encode(text)
    pieces = [engine.tokenizer.piece(t) for t in ids]
    # The premise: some tokens carry only part of a character.
    assert any(_incomplete_utf8(p) for p in pieces)
    detok = IncrementalDetokenizer(engine.tokenizer)
    chunks = [detok.feed(t) for t in ids] + [detok.flush()]
    assert all("\ufffd" not in c for c in chunks)
    shown = "".join(chunks)
    expected = _sp(engine).decode(ids)
    assert shown.strip() == expected.strip() == text.strip()


def test_an_unfinished_character_at_the_end_is_dropped(rinna_engine):
    ids = rinna_engine.encode("😀")
    assert len(ids) == 4  # four byte-fallback tokens
    detok = IncrementalDetokenizer(rinna_engine.tokenizer)
    assert [detok.feed(t) for t in ids[:3]] == ["", "", ""]
    assert detok.flush() == ""
    assert detok.feed(rinna_engine.encode("あ")[0]) == "あ"


def test_template_files_follow_their_add_bos_flag(variant):
    path = variant("template-bos", remove_prefixes=("hanashi.",),
                   set_kv={"tokenizer.ggml.add_bos_token": True})
    with Engine.load(path, n_ctx=128) as e:
        ids = e.encode("こんにちは")
        assert ids[0] == e.runtime.bos() == 2
        assert ids.count(2) == 1
        assert e.encode("<s>こんにちは") == ids  # a template that writes BOS itself: no second one


def _incomplete_utf8(piece: bytes) -> bool:
    try:
        piece.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True
