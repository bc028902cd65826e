"""``hanashi-quantize convert`` on hostile folders: a clean error or a file that works, nothing else.

Each case is one deterministic edit of a good tiny checkpoint (tests/adversarial/checkpoints.py),
run through the real command line in a subprocess with a timeout. Must hold for every case: no
crash, no hang, no traceback, no partial or temporary file left behind, the input files unchanged,
and an input that must be refused is refused (exit 0 with an absurd value is a wrong result accepted
silently). When a conversion succeeds, a chat with the file it wrote must work too.
"""

from __future__ import annotations

import pytest

from . import checkpoints, targets

CASES = checkpoints.selected(checkpoints.checkpoint_cases(), "pytest")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_checkpoint(case, bases, tmp_path):
    src = case.build(bases, tmp_path / "src" / f"tiny-{case.base}")
    outcome = targets.convert(case.name, src, tmp_path, args=case.args, output=case.output, expect=case.expect)
    assert outcome.ok, outcome.describe()
    if outcome.kind == "clean":
        # The message names what is wrong; the CLI prints "error: <path>: <what>".
        assert "error" in outcome.run.stderr.lower(), outcome.describe()


def test_no_byte_pieces_converts_and_chats_exactly(bases, tmp_path):
    """A tokenizer without <0xXX> pieces converts, records a type llama.cpp can load, and the chat
    survives text that needs byte pieces (newlines, emoji, control characters)."""
    case = next(c for c in checkpoints.checkpoint_cases() if c.name == "spiece-no-byte-pieces")
    src = case.build(bases, tmp_path / "src" / "tiny-neox")
    outcome = targets.convert(case.name, src, tmp_path, expect="either", follow_up=False)
    assert outcome.kind == "safe", outcome.describe()
    out = tmp_path / "out" / "out.gguf"
    chat = targets.chat(case.name, out, tmp_path / "chat", stdin="改行\n😀 絵文字\n\x01 制御文字\n")
    assert chat.kind == "safe", chat.describe()
