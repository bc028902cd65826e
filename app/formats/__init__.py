"""Prompt formats for Hanashi's chat: persona parsing, prompt rendering, context fitting, and
turning the model's raw output into display text (also while it streams).

Pure Python: depends only on the standard library, jinja2 and ``quantize.families``.
"""

from .chat_format import ChatFormat, MessageTooLongError
from .registry import KNOWN_FAMILIES, get_format
from .stream_filter import StreamFilter
from .turns import Turn, parse_persona

__all__ = [
    "ChatFormat",
    "KNOWN_FAMILIES",
    "MessageTooLongError",
    "StreamFilter",
    "Turn",
    "get_format",
    "parse_persona",
]
