"""Tests for StreamFilter: streamed output must equal filtering the whole text, however it is split."""

from __future__ import annotations

import random
import re

import pytest

from app.formats import StreamFilter, get_format

RINNA_STOPS = ("<NL>ユーザー:", "<NL>システム:")
RINNA_REPL = (("<NL>", "\n"),)
DOLLY_REPL = (("[SEP]", ""), ("\\n", "\n"))


def expected(text, stops, replacements):
    """Reference written independently of the filter: regex search, then regex substitution."""
    cut = len(text)
    for stop in stops:
        found = text.find(stop)
        if found >= 0:
            cut = min(cut, found)
    kept = text[:cut]
    table = dict(replacements)
    if not table:
        return kept, cut < len(text)
    keys = sorted(table, key=len, reverse=True)  # longest alternative first = longest match
    pattern = re.compile("|".join(re.escape(k) for k in keys))
    return pattern.sub(lambda m: table[m.group(0)], kept), cut < len(text)


def run(chunks, stops, replacements):
    filt = StreamFilter(stops, replacements)
    pieces = [filt.feed(c) for c in chunks]
    pieces.append(filt.flush())
    assert "".join(pieces) == filt.text
    return filt, pieces


# Cases: (raw text, stop strings, replacements).
CASES = [
    ("はい。<NL>二行目です。<NL>ユーザー: 次の質問", RINNA_STOPS, RINNA_REPL),
    ("一<NL>二<NL>三<NL", RINNA_STOPS, RINNA_REPL),  # ends inside a possible key
    ("<NL>ユーザ<NL>ユーザー:", RINNA_STOPS, RINNA_REPL),  # near-stop, then a stop
    ("答え<NL>システム", RINNA_STOPS, RINNA_REPL),  # ends on a stop prefix that never completes
    ("<<NL><N<NL>>", RINNA_STOPS, RINNA_REPL),
    ("答えです。\n続き\nユーザー: 質問", ("\nユーザー:", "\nシステム:"), ()),
    ("答え\nユー\nシス", ("\nユーザー:", "\nシステム:"), ()),
    ("富士山\\n高い[SEP]\\n[SE\\", (), DOLLY_REPL),
    ("\\\\n[SEP][SEP]]\\", (), DOLLY_REPL),
    ("abcabd", ("abd",), (("ab", "X"), ("abc", "Y"))),  # longest key wins; stop overlaps a key
    ("xabcab", ("cab",), (("ab", "X"),)),  # stop begins inside a replaced key
    ("aaab", ("aab",), (("a", "1"),)),  # a key is a prefix of the stop
    ("abxabc", ("bc",), (("ab", "X"),)),  # a key whose end could begin a stop
    ("本文</s>後ろ", ("</s>",), ()),
    ("何もない文章", (), ()),
    ("", RINNA_STOPS, RINNA_REPL),
]


@pytest.mark.parametrize("text,stops,repl", CASES)
def test_whole_text_in_one_feed(text, stops, repl):
    filt, _ = run([text], stops, repl)
    want, stopped = expected(text, stops, repl)
    assert filt.text == want
    assert filt.stopped == stopped


@pytest.mark.parametrize("text,stops,repl", CASES)
def test_every_single_split_point(text, stops, repl):
    want, stopped = expected(text, stops, repl)
    for cut in range(len(text) + 1):
        filt, _ = run([text[:cut], text[cut:]], stops, repl)
        assert filt.text == want, cut
        assert filt.stopped == stopped


@pytest.mark.parametrize("text,stops,repl", CASES)
def test_every_pair_of_split_points(text, stops, repl):
    want, _ = expected(text, stops, repl)
    for a in range(len(text) + 1):
        for b in range(a, len(text) + 1):
            filt, _ = run([text[:a], text[a:b], text[b:]], stops, repl)
            assert filt.text == want, (a, b)


@pytest.mark.parametrize("text,stops,repl", CASES)
def test_one_character_at_a_time(text, stops, repl):
    want, stopped = expected(text, stops, repl)
    filt, _ = run(list(text), stops, repl)
    assert filt.text == want
    assert filt.stopped == stopped


def test_random_chunkings_of_random_text():
    rng = random.Random(20240607)
    alphabet = ["<NL>", "<N", "L>", "<", "ユーザー:", "ユー", "システム", ":", "は", "い", "\n", " "]
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        want, stopped = expected(text, RINNA_STOPS, RINNA_REPL)
        cuts = sorted(rng.sample(range(len(text) + 1), k=min(len(text) + 1, rng.randint(0, 5))))
        chunks = [text[i:j] for i, j in zip([0, *cuts], [*cuts, len(text)])]
        filt, _ = run(chunks, RINNA_STOPS, RINNA_REPL)
        assert filt.text == want, (text, chunks)
        assert filt.stopped == stopped


def test_stop_split_across_chunks_drops_it_and_everything_after():
    filt = StreamFilter(RINNA_STOPS, RINNA_REPL)
    assert filt.feed("はい、") == "はい、"
    assert filt.feed("そうです<N") == "そうです"  # "<N" could start "<NL>" or a stop
    assert filt.feed("L>ユー") == ""  # could still be "<NL>ユーザー:"
    assert filt.stopped is False
    assert filt.feed("ザー: 次") == ""
    assert filt.stopped is True
    assert filt.feed("もっと") == ""
    assert filt.flush() == ""
    assert filt.text == "はい、そうです"


def test_partial_prefix_that_is_not_a_stop_is_released():
    filt = StreamFilter(RINNA_STOPS, RINNA_REPL)
    assert filt.feed("一行目<NL>ユー") == "一行目"
    assert filt.feed("モア") == "\nユーモア"  # the held "<NL>ユー" was not a stop after all
    assert filt.stopped is False
    assert filt.flush() == ""
    assert filt.text == "一行目\nユーモア"


def test_replacement_key_split_across_chunks():
    filt = StreamFilter((), DOLLY_REPL)
    assert filt.feed("富士山\\") == "富士山"
    assert filt.feed("n高い[SE") == "\n高い"
    assert filt.feed("P]です") == "です"
    assert filt.flush() == ""
    assert filt.text == "富士山\n高いです"


def test_flush_releases_an_unfinished_prefix_verbatim():
    filt = StreamFilter(RINNA_STOPS, RINNA_REPL)
    assert filt.feed("終わり<NL>シス") == "終わり"
    assert filt.flush() == "\nシス"
    assert filt.text == "終わり\nシス"
    assert filt.stopped is False


def test_longest_key_waits_for_more_text():
    filt = StreamFilter((), (("ab", "X"), ("abc", "Y")))
    assert filt.feed("ab") == ""  # "ab" could still become "abc"
    assert filt.feed("c") == "Y"
    assert filt.feed("ab") == ""
    assert filt.feed("d") == "Xd"
    assert filt.flush() == ""


def test_stop_at_the_very_start():
    filt = StreamFilter(("\nユーザー:",), ())
    assert filt.feed("\nユーザー: こんにちは") == ""
    assert filt.stopped is True
    assert filt.text == ""


def test_no_rules_passes_text_straight_through():
    filt = StreamFilter()
    assert filt.feed("そのまま") == "そのまま"
    assert filt.feed("<NL>") == "<NL>"
    assert filt.flush() == ""


def test_empty_stop_and_key_are_ignored():
    filt = StreamFilter(("",), (("", "x"),))
    assert filt.feed("abc") == "abc"
    assert filt.stopped is False


@pytest.mark.parametrize("family", ["rinna-instruction", "rinna-bilingual", "dolly", "base"])
def test_family_rules_stream_like_display(family):
    fmt = get_format(family)
    raw = {
        "rinna-instruction": "はい。<NL>説明します。<NL>ユーザー: ありがとう",
        "rinna-bilingual": "はい。\n説明します。\nシステム: 重複",
        "dolly": "はい。\\n説明します。[SEP]",
        "base": "むかしむかし、山の上に",
    }[family]
    filt = StreamFilter(fmt.stop_strings, fmt.replacements)
    shown = "".join(filt.feed(ch) for ch in raw) + filt.flush()
    assert shown == filt.text
    if family == "base":
        assert shown == fmt.display(raw) == raw
    else:
        assert shown.strip() == fmt.display(raw) == "はい。\n説明します。"
