"""Hanashi's desktop app (PySide6). ``run(argv)`` starts it; ``python -m app.gui`` too.

The GUI wires the Qt-free core (``app.storage``, ``app.library``, ``app.settings``,
``app.chat_flow``, ``app.engine``) to widgets; it holds no chat logic of its own.
"""

from __future__ import annotations


def run(argv: list[str] | None = None) -> int:
    from .app import run as _run

    return _run(argv)


__all__ = ["run"]
