"""Errors the converter reports to people: what went wrong, where, and how to fix it."""

from __future__ import annotations


class ConversionError(Exception):
    """A problem with the input or output of a conversion, explained for the user.

    ``path`` names the file or folder at fault; ``fix`` says what to do about it.
    """

    def __init__(self, message: str, path: object = None, fix: str = ""):
        self.message = message
        self.path = str(path) if path is not None else None
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        text = self.message
        if self.path:
            text = f"{self.path}: {text}"
        if self.fix:
            text += f"\n  How to fix: {self.fix}"
        return text


class ConversionCancelled(Exception):
    """Raised inside a conversion when its cancel flag is set; nothing is left on disk."""
