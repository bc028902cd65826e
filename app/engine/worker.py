"""Running engine work on a background thread, with events and a stop button.

    worker = EngineWorker()                      # or EngineWorker(on_event=callback)
    job = worker.load("model.gguf")              # events: DONE with the Engine as result
    job = worker.reply(session, "こんにちは")     # events: TEXT (display text) …, then DONE
    worker.stop()                                # from any thread: the reply ends as "cancelled"

Events go to ``on_event`` (called on the worker thread: a GUI forwards them to its own thread,
e.g. with a Qt signal) or, without a callback, to the ``events`` queue. Jobs run one at a time in
the order given.

With ``batch_text=seconds`` streamed text is not one event per token: the pieces collect in a
``TextBuffer`` and a TEXT event (with no text of its own) only says that text is waiting;
``wait`` takes everything that has collected at most once per ``batch_text`` seconds, so a fast
model costs the reader one wake-up per batch instead of one per token. The job's last text is
always taken before its DONE or ERROR event is returned.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .chat import ChatSession
from .engine import Engine
from .generate import StopRequest

TEXT = "text"
DONE = "done"
ERROR = "error"


@dataclass(frozen=True)
class WorkerEvent:
    kind: str  # TEXT | DONE | ERROR
    job: int
    text: str = ""  # TEXT: the next piece of display text
    result: Any = None  # DONE: the job's return value (ReplyResult, Engine, ...)
    error: BaseException | None = None  # ERROR: the exception the job raised


Job = Callable[[Callable[[str], None], StopRequest], Any]

POLL_S = 0.25  # ``wait`` wakes at least this often, so signal handlers (Ctrl-C) run promptly


class TextBuffer:
    """Streamed text per job, put by the worker thread and taken in batches by a reader."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pieces: dict[int, list[str]] = {}

    def put(self, job: int, text: str) -> bool:
        """Add a piece; True when the job had no text waiting (the reader must be told)."""
        with self._lock:
            pieces = self._pieces.setdefault(job, [])
            pieces.append(text)
            return len(pieces) == 1

    def take(self, job: int) -> str:
        """All of the job's waiting text, in order ("" when none)."""
        with self._lock:
            pieces = self._pieces.pop(job, None)
        return "".join(pieces) if pieces else ""


class EngineWorker:
    """One daemon thread that runs jobs: ``fn(on_text, cancel) -> result``."""

    def __init__(self, on_event: Callable[[WorkerEvent], None] | None = None, batch_text: float | None = None):
        self.events: queue.Queue[WorkerEvent] = queue.Queue()
        self.batch_text = batch_text
        self.text = TextBuffer()
        self._on_event = on_event or self.events.put
        self._jobs: queue.Queue = queue.Queue()
        self._ids = itertools.count(1)
        self._guard = threading.Lock()
        self._current: tuple[int, StopRequest] | None = None
        self._idle = threading.Event()
        self._idle.set()
        self.engine: Engine | None = None
        self._thread = threading.Thread(target=self._loop, name="hanashi-engine", daemon=True)
        self._thread.start()

    # ----------------------------------------------------------------- jobs

    def submit(self, fn: Job) -> int:
        with self._guard:
            job = next(self._ids)
            self._idle.clear()
            self._jobs.put((job, fn, StopRequest()))
        return job

    def load(self, path, **kw) -> int:
        """Load a model (``Engine.load`` arguments); the previous engine is closed first."""

        def run(_on_text, _cancel):
            if self.engine is not None:
                self.engine.close()
                self.engine = None
            self.engine = Engine.load(path, **kw)
            return self.engine

        return self.submit(run)

    def reply(self, session: ChatSession, text: str) -> int:
        return self.submit(lambda on_text, cancel: session.reply(text, on_text, cancel))

    def regenerate(self, session: ChatSession) -> int:
        return self.submit(lambda on_text, cancel: session.regenerate(on_text, cancel))

    # ----------------------------------------------------------------- control

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def stop(self, wait: float | None = None) -> bool:
        """Stop the running job (queued ones still run). With ``wait``, wait up to that many
        seconds for the worker to be idle. Returns True when it is idle."""
        with self._guard:
            if self._current is not None:
                self._current[1].set()
        if wait:
            return self._idle.wait(wait)
        return not self.busy

    def wait(self, job: int, on_text: Callable[[str], None] | None = None,
             timeout: float | None = None) -> WorkerEvent:
        """Take events from the queue until ``job`` ends (only without an ``on_event`` callback).

        The job's text goes to ``on_text`` (with ``batch_text``: in batches, at most one per
        ``batch_text`` seconds). Returns the DONE or ERROR event; raises queue.Empty when
        ``timeout`` passes between two events.
        """
        next_take = 0.0
        while True:
            event = self._next_event(timeout)
            if event.job != job:
                if event.kind != TEXT:
                    self.text.take(event.job)  # an ended job nobody waits for: drop its text
                continue
            if event.kind == TEXT:
                if self.batch_text is None:
                    text = event.text
                else:
                    delay = next_take - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)  # more text collects meanwhile; a signal handler still runs
                    next_take = time.monotonic() + self.batch_text
                    text = self.text.take(job)
                if on_text is not None and text:
                    on_text(text)
                continue
            rest = self.text.take(job)
            if on_text is not None and rest:
                on_text(rest)
            return event

    def _next_event(self, timeout: float | None) -> WorkerEvent:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_S if deadline is None else min(POLL_S, deadline - time.monotonic())
            try:
                return self.events.get(timeout=max(0.0, left))
            except queue.Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    def close(self, timeout: float = 5.0) -> None:
        """Stop the current job, end the thread and close the engine."""
        self.stop()
        self._jobs.put(None)
        self._thread.join(timeout)
        if self.engine is not None and not self._thread.is_alive():
            self.engine.close()
            self.engine = None

    # ----------------------------------------------------------------- thread

    def _loop(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, fn, cancel = item
            with self._guard:
                self._current = (job, cancel)

            if self.batch_text is None:
                def on_text(text: str, job=job) -> None:
                    self._on_event(WorkerEvent(TEXT, job, text=text))
            else:
                def on_text(text: str, job=job, put=self.text.put) -> None:
                    if put(job, text):
                        self._on_event(WorkerEvent(TEXT, job))

            try:
                result = fn(on_text, cancel)
                event = WorkerEvent(DONE, job, result=result)
            except BaseException as e:  # reported, never fatal to the thread
                event = WorkerEvent(ERROR, job, error=e)
            with self._guard:
                self._current = None
                if self._jobs.empty():
                    self._idle.set()
            self._on_event(event)
