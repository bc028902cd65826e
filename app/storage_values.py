"""Values read back from the database, made safe whatever a damaged or hand-edited file holds:
text columns always come back as text, JSON columns as a dict."""

from __future__ import annotations

import json


def text(value) -> str:
    """A text column's value as str (a BLOB is decoded, with bad bytes replaced; NULL is "")."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def json_object(value) -> dict:
    """A JSON column holding an object; anything else (invalid, nested too deep, a list, a
    number) reads as {}."""
    try:
        data = json.loads(text(value) or "{}")
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}
