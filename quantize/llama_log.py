"""Keeps llama.cpp's log off the terminal while remembering its last error lines for messages."""

from __future__ import annotations

import ctypes
from collections import deque
from . import llama_lib

_recent: deque[str] = deque(maxlen=20)
_callback = None
_ERROR = 4  # GGML_LOG_LEVEL_ERROR


def quiet() -> None:
    """Install the filtering log callback once per process."""
    global _callback
    if _callback is not None:
        return
    llama_cpp = llama_lib.module()

    @llama_cpp.llama_log_callback
    def _log(level, text, _user):
        if level == _ERROR and text:
            _recent.append(text.decode("utf-8", "replace").rstrip())

    _callback = _log  # keep a reference: llama.cpp calls it for the life of the process
    llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))


def last_errors(n: int = 3) -> str:
    lines = [line for line in list(_recent)[-n:] if line]
    return " | ".join(lines)


def clear() -> None:
    _recent.clear()
