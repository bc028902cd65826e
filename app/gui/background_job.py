"""The part every long conversion job shares: its own thread, progress, cancel and an orderly end.

A subclass makes its worker (a QObject with ``progress``/``finished``/``failed``/``cancelled``
signals and a ``run`` slot) and hands it to ``_attach``. Signals arrive on the thread that made
the job; ``plan`` (a ProgressPlan) holds the overall progress and the time left, updated before
each ``progress``.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal, Slot


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
