"""SIGTERM, SIGINT and SIGHUP end the desktop app the way Quit does, without asking.

Python runs signal handlers only when the interpreter gets control, and Qt's event loop runs in
C++: left alone, a SIGTERM would kill the app outright (an import's child process dies with it
and its unfinished files stay in the models folder until the next start). Here the C-level
handler writes the signal's number to a socket (``signal.set_wakeup_fd``); a ``QSocketNotifier``
on the other end wakes the event loop, which then calls ``on_signal(signum)`` once. That callback
cancels what runs, waits for it to clean up, and quits.
"""

from __future__ import annotations

import signal
import socket
from typing import Callable

from PySide6.QtCore import QObject, QSocketNotifier

HANDLED = tuple(s for s in (getattr(signal, n, None) for n in ("SIGTERM", "SIGINT", "SIGHUP")) if s is not None)


class StopSignals(QObject):
    """While installed, the first of ``HANDLED`` calls ``on_signal`` on the event loop; later ones are ignored."""

    def __init__(self, on_signal: Callable[[int], None], parent: QObject | None = None):
        super().__init__(parent)
        self.on_signal = on_signal
        self.signum: int | None = None  # the first signal received
        self.previous: dict[int, object] = {}
        self.previous_fd = -1
        self.reader, self.writer = socket.socketpair()
        for s in (self.reader, self.writer):
            s.setblocking(False)
        self.notifier = QSocketNotifier(self.reader.fileno(), QSocketNotifier.Type.Read, self)
        self.notifier.activated.connect(self._woken)
        self.previous_fd = signal.set_wakeup_fd(self.writer.fileno(), warn_on_full_buffer=False)
        for signum in HANDLED:
            self.previous[signum] = signal.signal(signum, _noted)

    def uninstall(self) -> None:
        """Put back the handlers that were there before."""
        for signum, handler in self.previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        self.previous.clear()
        signal.set_wakeup_fd(self.previous_fd)
        self.notifier.setEnabled(False)
        self.reader.close()
        self.writer.close()

    def _woken(self, *_args) -> None:
        try:
            data = self.reader.recv(512)
        except OSError:
            return
        for signum in data:
            if signum in HANDLED and self.signum is None:
                self.signum = signum
                self.on_signal(signum)


def _noted(_signum, _frame) -> None:
    """The Python-level handler: nothing to do here, the wakeup socket carries the signal."""
