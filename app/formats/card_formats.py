"""The prompt formats of the model families Hanashi converts, written out as their cards build them.

Each ``render`` produces the same text as that family's Jinja ``chat_template`` in
``quantize.families`` (the template written into the converted GGUF); the tests hold the two
together. Persona turns are simply the first turns of the conversation, except for dolly, whose
card puts them in a separate "role instruction" block.
"""

from __future__ import annotations

from collections.abc import Sequence

from quantize import families

from .chat_format import ChatFormat
from .turns import USER, Turn


def _family_rules(name: str) -> dict:
    """ChatFormat settings taken from the family's constants."""
    fam = families.FAMILIES[name]
    replacements = [(piece, "") for piece in fam.strip_pieces]
    if fam.newline:
        replacements.append((fam.newline, "\n"))
    return {
        "stop_strings": fam.stop_strings,
        "replacements": replacements,
        "reply_budget": fam.reply_budget or None,
        "context_limit": fam.context_limit or None,
    }


class RinnaFormat(ChatFormat):
    """rinna's ``ユーザー: …`` / ``システム: …`` turns, ending with an open ``システム: `` turn.

    The instruction models join turns with the literal ``<NL>`` and write newlines inside a turn as
    ``<NL>`` too; the bilingual model uses real newlines throughout.
    """

    def __init__(self, name: str, separator: str):
        super().__init__(name, **_family_rules(name))
        self.separator = separator

    def render(self, persona: Sequence[Turn], turns: Sequence[Turn]) -> str:
        sep = self.separator
        lines = [
            ("ユーザー: " if t.role == USER else "システム: ") + t.content.replace("\n", sep)
            for t in [*persona, *turns]
        ]
        return sep.join(lines) + sep + "システム: "


def dolly_escape(text: str) -> str:
    """dolly was trained on text whose newlines were written as the two characters ``\\n``."""
    return text.replace("\n", "\\n")


def dolly_line(turn: Turn) -> str:
    """A turn as dolly's card writes it: ``User:{text}`` or ``Assistant:{text}``."""
    return ("User:" if turn.role == USER else "Assistant:") + dolly_escape(turn.content)


class DollyFormat(ChatFormat):
    """dolly-japanese-gpt-1b's ``[SEP]`` instruction / input / response prompt.

    {instruction} holds the persona lines (each followed by a space) and then the earlier turns
    joined by spaces; {input} holds the new user message. The card keeps the prompt and the reply
    within 1024 tokens, 100 of them for the reply.
    """

    def __init__(self) -> None:
        super().__init__(families.DOLLY, **_family_rules(families.DOLLY))

    def render(self, persona: Sequence[Turn], turns: Sequence[Turn]) -> str:
        history, message = list(turns), ""
        if history and history[-1].role == USER:
            message = dolly_line(history.pop())
        instruction = "".join(dolly_line(t) + " " for t in persona)
        instruction += " ".join(dolly_line(t) for t in history)
        return families.DOLLY_INPUT_PROMPT.format(instruction=instruction, input=message)

    def display(self, raw_reply: str) -> str:
        """The card's cleanup: drop ``[SEP]``, unescape newlines, keep what follows the last 応答:."""
        text = raw_reply
        for piece in families.FAMILIES[families.DOLLY].strip_pieces:
            text = text.replace(piece, "")
        text = text.replace("\\n", "\n")
        return text.split("応答:")[-1].strip()


class ConcatFormat(ChatFormat):
    """A base model's view: the persona and all turns run together as one text to continue.

    Nothing is inserted between turns, so the chat is a text-completion document; the display keeps
    the continuation exactly as generated.
    """

    def __init__(self, name: str):
        super().__init__(name, completion=True)

    def render(self, persona: Sequence[Turn], turns: Sequence[Turn]) -> str:
        return "".join(t.content for t in [*persona, *turns])

    def display(self, raw_reply: str) -> str:
        return raw_reply
