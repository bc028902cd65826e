"""Choosing the prompt format for a model from its family name."""

from __future__ import annotations

from quantize import families

from .card_formats import ConcatFormat, DollyFormat, RinnaFormat
from .chat_format import ChatFormat
from .template_format import TemplateFormat

TEMPLATE = "template"
COMPLETION = "completion"

KNOWN_FAMILIES = (*families.FAMILY_NAMES, TEMPLATE, COMPLETION)


def get_format(
    family: str,
    chat_template: str | None = None,
    bos_token: str = "",
    eos_token: str = "",
) -> ChatFormat:
    """The ChatFormat for ``family``.

    The card families ("rinna-instruction", "rinna-bilingual", "dolly", "base") use Hanashi's own
    formatting, which matches the chat template written into converted files; ``chat_template``
    and the token texts are not needed for them. "template" renders ``chat_template`` (the model
    file's own Jinja template). "completion" treats any model as plain text continuation.
    """
    if family == families.RINNA_INSTRUCTION:
        return RinnaFormat(family, "<NL>")
    if family == families.RINNA_BILINGUAL:
        return RinnaFormat(family, "\n")
    if family == families.DOLLY:
        return DollyFormat()
    if family in (families.BASE, COMPLETION):
        return ConcatFormat(family)
    if family == TEMPLATE:
        if not chat_template:
            raise ValueError('the "template" format needs the model\'s chat template, and none was given')
        return TemplateFormat(chat_template, bos_token, eos_token)
    raise ValueError(
        f"unknown prompt format family {family!r}; known families: {', '.join(KNOWN_FAMILIES)}"
    )
