"""The byte encoding: round trips, known groups, streaming, and parity with the reference's encoding."""

from __future__ import annotations

import random

import pytest

from quantize.bygpt import encoding, layout, parity
from quantize.bygpt.encoding import ByteEncoder, StreamDecoder, decode_bytes, encode_text
from quantize.corpus_prose import prose_corpus
from tests.bygpt_reference import ReferenceTokenizer

TEXTS = {
    "japanese prose": "日本三景一覧:\n1. 広島県, 宮島\n2. 京都府, 天橋立\n3. 宮城県, 松島。吾輩は猫である。名前はまだ無い。",
    "emoji": "😀👍🏽 👨‍👩‍👧‍👦 🇯🇵 ❤️ 🫠",
    "rare kanji": "𠮷野家の𩸽と𪚲、𠀋、鿿、〆、々、ヶ、龘、𰻞𰻞麺",
    "mixed": "ＡＢＣ abc １２３ 123 ｶﾀｶﾅ カタカナ ㈱ ① Ⅻ \t\r\n\u3000 \u200b \ufeff",
    "edges": "\x00\x01\x7f\x80\u07ff\u0800\uffff\U00010000\U0010ffff",
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_round_trip(name):
    text = TEXTS[name]
    data = encode_text(text)
    assert len(data) == 4 * len(text)
    assert decode_bytes(data) == text
    ref = ReferenceTokenizer()
    assert list(data) == ref.encode(text)
    assert ref.decode(data) == text


def test_prose_corpus_round_trip_and_byte_ranges():
    for text in prose_corpus():
        data = encode_text(text)
        assert decode_bytes(data) == text
        for k in range(4):
            lo, hi = layout.BYTE_RANGES[k]
            assert all(lo <= b <= hi for b in data[k::4]), text
        assert 0 not in data[3::4]  # 0x00 ends only special tokens


def test_known_groups():
    assert encode_text("a") == bytes([0xE0, 0xC0, 0x80, 0x62])
    assert encode_text("\n") == bytes([0xE0, 0xC0, 0x80, 0x0B]) == ByteEncoder().stop
    assert encode_text("\U0010ffff") == bytes([0xE0 + 6, 0xC0 + 12, 0x80 + 36, 0x01 + 67])  # 1114111 = ((6·24+12)·56+36)·127+67
    assert encoding.MAX_VALUE == 7 * 24 * 56 * 127 > 0x10FFFF


def test_special_tokens():
    enc = ByteEncoder()
    text = "<s>こんにちは</s><pad><unk>"
    data = enc.encode(text, parse_special=True)
    assert data[:4] == enc.bos and data[-12:-8] == enc.eos and len(data) == 4 * (4 + 5)
    assert enc.decode(data) == text
    assert enc.decode(data, skip_special=True) == "こんにちは"
    assert list(data) == ReferenceTokenizer().encode(text, parse_special=True)
    # Without parse_special the names are ordinary text.
    assert enc.decode(enc.encode(text)) == text and len(enc.encode(text)) == 4 * len(text)
    for group in layout.SPECIAL_TOKENS.values():
        assert group[3] == 0 and encoding.decode_group(bytes(group)) is None
    assert enc.prompt("猫") == enc.bos + encode_text("猫")
    assert enc.is_end(enc.stop) and enc.is_end(enc.eos) and not enc.is_end(encode_text("猫"))


def test_invalid_groups_and_surrogates_never_raise():
    assert decode_bytes(bytes([0x00, 0x00, 0x00, 0x00])) == "\ufffd"
    assert decode_bytes(bytes([0xE6, 0xD7, 0xB7, 0x7F])) == "\ufffd"  # above U+10FFFF
    assert decode_bytes(encode_text("a") + b"\xe0\xc0") == "a\ufffd"  # incomplete last group
    assert decode_bytes(encode_text("\ud800")) == "\ufffd"  # a lone surrogate has no UTF-8 form
    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(4096))
    assert isinstance(decode_bytes(junk), str)
    decode_bytes(junk).encode("utf-8")  # always valid UTF-8 for the UI


def test_stream_decoder_any_split():
    text = TEXTS["japanese prose"] + TEXTS["emoji"]
    data = encode_text(text)
    rng = random.Random(1)
    dec = StreamDecoder()
    out, i = [], 0
    while i < len(data):
        n = rng.randrange(1, 9)
        out.append(dec.feed(data[i:i + n]))
        i += n
    out.append(dec.flush())
    assert "".join(out) == text
    dec = StreamDecoder()
    assert dec.feed(b"\xe0\xc0") == "" and dec.flush() == "\ufffd"


def test_parity_with_reference_encoding_on_prose():
    report = parity.measure(ReferenceTokenizer().encode, reference_name="the reference module")
    assert report.exact and report.score("prose") == (len(prose_corpus()), len(prose_corpus()))
    table = report.format()
    assert "vs the reference module" in table and "prose" in table and "— exact" in table


def test_parity_reports_a_different_encoding():
    class Shifted(ReferenceTokenizer):
        def encode_char(self, ch):  # a reference whose last digit has no offset
            b = super().encode_char(ch)
            return b[:3] + bytes([b[3] - 1])

    report = parity.measure(Shifted().encode, sections={"prose": prose_corpus()[:20]}, reference_name="shifted")
    assert report.matched == 0 and not report.exact
    table = report.format()
    assert "NOT exact" in table and "shifted:" in table and "Hanashi:" in table


def test_round_trip_parity_without_reference():
    report = parity.measure()
    assert report.exact and report.total > 400
    assert "round trip" in report.summary() and "--trust-remote-code" in report.format()
