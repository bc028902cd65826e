"""Conversation turns, and reading the persona text the user types into Hanashi.

A persona is a short script placed before every conversation. The user writes it as plain text;
lines that start with a speaker prefix open a new turn:

    User: きみは猫のアシスタントです。
    Assistant: わかったにゃ。

``User:`` / ``ユーザー:`` open a user turn and ``Assistant:`` / ``システム:`` open an assistant turn
(``システム`` is what the rinna models call the assistant). Text without any prefixed line is one
user turn: a plain instruction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

USER = "user"
ASSISTANT = "assistant"


@dataclass(frozen=True)
class Turn:
    """One utterance: ``role`` is ``"user"`` or ``"assistant"``; ``content`` is the text.

    ``message_id``, where the turn is a stored message, lets token counts stored with the message
    be used; it takes no part in comparing turns.
    """

    role: str
    content: str
    message_id: int | None = field(default=None, compare=False, repr=False)


# The speaker prefixes. The colon may be ASCII ":" or the full-width "：" a Japanese input method
# types; one following space (ASCII or ideographic) belongs to the prefix.
_PREFIX = re.compile(r"^(User|ユーザー|Assistant|システム)[:：][ \u3000]?")
_ROLE_OF = {"User": USER, "ユーザー": USER, "Assistant": ASSISTANT, "システム": ASSISTANT}


def _trim_blank_lines(lines: list[str]) -> str:
    """Join ``lines`` with newlines, without the whitespace-only lines at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def parse_persona(text: str) -> list[Turn]:
    """Split persona text into turns.

    Each prefixed line starts a turn (prefix removed); the following unprefixed lines continue it.
    Blank lines at the start or end of a turn are dropped; lines inside it are kept as typed.
    Text before the first prefixed line becomes a user turn of its own, so nothing typed is lost.
    Whitespace-only text gives no turns.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any(_PREFIX.match(line) for line in lines):
        body = text.strip()
        return [Turn(USER, body)] if body else []

    turns: list[Turn] = []
    role: str | None = None
    body_lines: list[str] = []

    def close() -> None:
        if role is not None:
            turns.append(Turn(role, _trim_blank_lines(body_lines)))
        elif _trim_blank_lines(body_lines):
            turns.append(Turn(USER, _trim_blank_lines(body_lines)))

    for line in lines:
        match = _PREFIX.match(line)
        if match is None:
            body_lines.append(line)
            continue
        close()
        role = _ROLE_OF[match.group(1)]
        body_lines = [line[match.end():]]
    close()
    return turns
