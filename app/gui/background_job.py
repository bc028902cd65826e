"""The part every long conversion job shares: its own thread, progress, cancel and an orderly end.

A subclass makes its worker (a ``ChildWorker`` with a ``run`` slot) and hands it to ``_attach``. Signals arrive on the thread that made
the job; ``plan`` (a ProgressPlan) holds the overall progress and the time left, updated before
each ``progress``.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from quantize.cleanup import sweep_partials
from quantize.errors import ConversionCancelled


class ChildWorker(QObject):
    """Lives on the job's thread and runs the work in a child process (``quantize.child``): an
    input that makes llama.cpp abort ends that process, not the app; Cancel kills it."""

    progress = Signal(str, int, int, str)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, flag: threading.Event):
        super().__init__()
        self.flag = flag
        self.target: Path | None = None  # the output: what a killed child left beside it is removed

    def call_child(self, target: str, args: tuple, kwargs: dict | None = None, *, stage: str, path: object,
                   before=None):
        """``target(*args, **kwargs)`` in a child process, its progress forwarded; ``before()`` runs
        first on this thread. Returns the result, or None once ``cancelled`` or ``failed`` has been
        emitted (with the child's partial files removed)."""
        from quantize import child

        def progress(stage: str, done: int, total: int, detail: str) -> None:
            if not self.flag.is_set():
                self.progress.emit(stage, int(done), int(total), detail or "")

        try:
            if self.flag.is_set():
                raise ConversionCancelled()
            if before is not None:
                before()
            return child.run(target, args, kwargs, stage=stage, path=path, progress=progress,
                             cancelled=self.flag.is_set)
        except ConversionCancelled:
            self._remove_partials()
            self.cancelled.emit()
        except Exception as e:  # noqa: BLE001 - shown to the user in a dialog
            self._remove_partials()
            self.failed.emit(e)
        return None

    def _remove_partials(self) -> None:
        """What a killed child was writing beside the output (its pid is in the names: it is gone)."""
        if self.target is None:
            return
        try:
            sweep_partials(self.target.parent, self.target.name)
        except OSError:
            pass


class BackgroundJob(QObject):
    progress = Signal(str, int, int, str)  # stage, done, total, detail
    finished = Signal(object)  # the job's result
    failed = Signal(object)  # exception
    cancelled = Signal()
    ended = Signal()  # after any of the three above, once the thread is gone

    def __init__(self, plan, thread_name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.flag = threading.Event()
        self._ended = False
        self.plan = plan
        self.thread = QThread()
        self.thread.setObjectName(thread_name)

    def _attach(self, worker: QObject) -> None:
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)
        # Bound slots of this object (which lives on the UI thread): queued, so they run there.
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        """Stop at once (the worker process is killed within a second); ``cancelled`` follows when
        the files it was writing are removed."""
        self.flag.set()

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Cancel and block until the job has ended (its signals delivered); False on a timeout."""
        from PySide6.QtCore import QEventLoop, QTimer

        if not self.thread.isRunning() and self._ended:
            return True
        loop = QEventLoop()
        self.ended.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        self.cancel()
        if not self._ended:
            loop.exec()
        return self._ended

    @property
    def running(self) -> bool:
        return self.thread.isRunning()

    @Slot(str, int, int, str)
    def _on_progress(self, stage: str, done: int, total: int, detail: str) -> None:
        self.plan.update(stage, done, total)
        self.progress.emit(stage, done, total, detail)

    @Slot(object)
    def _on_finished(self, result) -> None:
        self.plan.finish()
        self._end(self.finished, result)

    @Slot(object)
    def _on_failed(self, error) -> None:
        self._end(self.failed, error)

    @Slot()
    def _on_cancelled(self) -> None:
        self._end(self.cancelled)

    def _end(self, signal, *value) -> None:
        self.thread.quit()
        self.thread.wait()
        self._ended = True
        signal.emit(*value)
        self.ended.emit()
