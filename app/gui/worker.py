"""The inference worker: a QObject on its own QThread that owns the Engine (the llama context).

The UI talks to it only through signals and slots (``EngineClient`` wraps both ends). Streamed
text is not sent per token: the worker appends pieces to a ``StreamBuffer`` and a 30 ms QTimer on
the UI thread takes them in one batch, so a fast model cannot flood the UI's event queue and each
UI update is one short append. ``stop()`` is the one call made across threads directly: it sets
the generation's StopRequest, which also aborts a llama.cpp decode in progress.
"""

from __future__ import annotations

import threading
from pathlib import Path
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from app.engine import Engine, ModelLoadError, StopRequest, generate_reply
from app.engine.chat import turn_counts
from app.engine import loader

FLUSH_MS = 30


@dataclass(frozen=True)
class ModelFacts:
    """What the UI may know about the loaded model (the Engine itself stays on the worker thread)."""

    path: str
    name: str
    family: str
    quant: str
    backend: str
    on_gpu: bool
    n_ctx: int
    completion: bool
    defaults: dict = field(default_factory=dict)  # the card's sampling values
    notes: tuple[str, ...] = ()
    count_key: str = ""  # identifies the model's tokenizer for token counts stored with messages

    @classmethod
    def of(cls, engine: Engine) -> "ModelFacts":
        d = engine.defaults
        defaults = {"temperature": d.temperature, "top_p": d.top_p, "top_k": d.top_k,
                    "repetition_penalty": d.repetition_penalty, "max_new_tokens": d.max_new_tokens, "seed": None}
        try:
            st = Path(engine.path).stat()
            key = f"{Path(engine.path).name}:{st.st_size}:{int(st.st_mtime)}"
        except OSError:
            key = ""
        return cls(str(engine.path), engine.name, engine.family, engine.info.file_type, str(engine.backend),
                   engine.backend.on_gpu, engine.n_ctx, engine.completion, defaults, tuple(engine.notes), key)


class StreamBuffer:
    """Text pieces from the worker thread, taken in batches by the UI thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pieces: list[tuple[int, str]] = []
        self._progress: dict[int, tuple[int, float]] = {}  # request id → (pieces written, seconds)

    def put(self, request_id: int, text: str) -> None:
        with self._lock:
            self._pieces.append((request_id, text))

    def progress(self, request_id: int, pieces: int, seconds: float) -> None:
        with self._lock:
            self._progress[request_id] = (pieces, seconds)

    def take_progress(self) -> dict[int, tuple[int, float]]:
        with self._lock:
            out, self._progress = self._progress, {}
        return out

    def take(self) -> list[tuple[int, str]]:
        """Pending text, joined per request, in order."""
        with self._lock:
            pieces, self._pieces = self._pieces, []
        out: list[tuple[int, str]] = []
        for rid, text in pieces:
            if out and out[-1][0] == rid:
                out[-1] = (rid, out[-1][1] + text)
            else:
                out.append((rid, text))
        return out


class InferenceWorker(QObject):
    """Lives on the engine thread. Slots run there one at a time, in the order requested."""

    loaded = Signal(object)  # ModelFacts
    load_failed = Signal(str, object, bool)  # path, exception, whether a model is still loaded
    finished = Signal(int, object)  # request id, app.engine.ReplyResult
    failed = Signal(int, object)  # request id, exception

    def __init__(self, buffer: StreamBuffer):
        super().__init__()
        self.buffer = buffer
        self.engine: Engine | None = None
        self._load_args: tuple[str, dict] | None = None
        self._guard = threading.Lock()
        self._stop: StopRequest | None = None
        self._stopped_upto = 0  # requests up to this id are stopped before they start

    @Slot(str, object)
    def load(self, path: str, kwargs: dict) -> None:
        try:
            loader.read_model_info(path)  # a bad file fails here, and the current model stays
        except ModelLoadError as e:
            self.load_failed.emit(path, e, self.engine is not None)
            return
        previous = self._load_args
        self._close_engine()
        try:
            self.engine = Engine.load(path, **kwargs)
        except Exception as e:  # noqa: BLE001 - every failure is reported, the thread lives on
            self._load_args = None
            if previous is not None and previous != (path, kwargs):
                try:  # put the model that worked back
                    self.engine = Engine.load(previous[0], **previous[1])
                    self._load_args = previous
                except Exception:  # noqa: BLE001
                    self.engine = None
            self.load_failed.emit(path, e, self.engine is not None)
            if self.engine is not None:
                self.loaded.emit(ModelFacts.of(self.engine))
            return
        self._load_args = (path, kwargs)
        self.loaded.emit(ModelFacts.of(self.engine))

    @Slot(int, object)
    def generate(self, request_id: int, request) -> None:
        stop = StopRequest()
        with self._guard:
            if request_id <= self._stopped_upto:
                stop.set()
            self._stop = stop
        try:
            if self.engine is None:
                raise ModelLoadError("no model is loaded", None, "open a model from the model library")
            counts = turn_counts(self.engine)
            counts.seed(getattr(request, "token_counts", {}) or {})
            result = generate_reply(self.engine, request.persona, request.turns, sampling=request.sampling,
                                    on_text=lambda text: self.buffer.put(request_id, text), cancel=stop,
                                    on_progress=lambda n, secs: self.buffer.progress(request_id, n, secs))
            if hasattr(request, "fresh_counts"):  # handed back to the UI thread, which stores them
                request.fresh_counts = counts.fresh()
        except Exception as e:  # noqa: BLE001
            self.failed.emit(request_id, e)
            return
        finally:
            with self._guard:
                self._stop = None
        self.finished.emit(request_id, result)

    def stop(self, upto: int) -> None:
        """Thread-safe: stop the running generation and any queued up to request ``upto``."""
        with self._guard:
            self._stopped_upto = max(self._stopped_upto, upto)
            if self._stop is not None:
                self._stop.set()

    @Slot()
    def shutdown(self) -> None:
        self._close_engine()

    def _close_engine(self) -> None:
        if self.engine is not None:
            self.engine.close()
            self.engine = None


class EngineClient(QObject):
    """The UI thread's handle on the worker: request methods and batched result signals."""

    loaded = Signal(object)  # ModelFacts
    load_failed = Signal(str, object, bool)  # path, exception, whether a model is still loaded
    text = Signal(int, str)  # request id, a batch of display text
    progress = Signal(int, int, float)  # request id, pieces written so far, seconds since the first
    finished = Signal(int, object)  # request id, ReplyResult (after the last text batch)
    failed = Signal(int, object)
    busy_changed = Signal(bool)

    _do_load = Signal(str, object)
    _do_generate = Signal(int, object)
    _do_shutdown = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.buffer = StreamBuffer()
        self.thread = QThread()
        self.thread.setObjectName("hanashi-inference")
        self.worker = InferenceWorker(self.buffer)
        self.worker.moveToThread(self.thread)
        self._do_load.connect(self.worker.load)
        self._do_generate.connect(self.worker.generate)
        self._do_shutdown.connect(self.worker.shutdown)
        self.worker.loaded.connect(self._on_loaded)
        self.worker.load_failed.connect(self._on_load_failed)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.timer = QTimer(self)
        self.timer.setInterval(FLUSH_MS)
        self.timer.timeout.connect(self.flush)
        self._next_id = 0
        self._pending: set[int] = set()
        self.loading = False
        self.facts: ModelFacts | None = None
        self.thread.start()

    @property
    def busy(self) -> bool:
        return bool(self._pending) or self.loading

    @property
    def generating(self) -> bool:
        return bool(self._pending)

    def load(self, path: str, **kwargs) -> None:
        self.loading = True
        self.busy_changed.emit(True)
        self._do_load.emit(str(path), kwargs)

    def generate(self, request) -> int:
        self._next_id += 1
        rid = self._next_id
        self._pending.add(rid)
        self.timer.start()
        self.busy_changed.emit(True)
        self._do_generate.emit(rid, request)
        return rid

    def stop(self) -> None:
        self.worker.stop(self._next_id)

    def flush(self) -> None:
        for rid, text in self.buffer.take():
            self.text.emit(rid, text)
        for rid, (pieces, seconds) in self.buffer.take_progress().items():
            self.progress.emit(rid, pieces, seconds)

    def _settle(self, rid: int | None = None) -> None:
        if rid is not None:
            self._pending.discard(rid)
        if not self._pending:
            self.timer.stop()
        if not self.busy:
            self.busy_changed.emit(False)

    def _on_loaded(self, facts: ModelFacts) -> None:
        self.loading = False
        self.facts = facts
        self.loaded.emit(facts)
        self._settle()

    def _on_load_failed(self, path: str, error: Exception, kept: bool) -> None:
        self.loading = False
        if not kept:
            self.facts = None
        self.load_failed.emit(path, error, kept)
        self._settle()

    def _on_finished(self, rid: int, result) -> None:
        self.flush()
        self._pending.discard(rid)
        self.finished.emit(rid, result)
        self._settle(rid)

    def _on_failed(self, rid: int, error: Exception) -> None:
        self.flush()
        self._pending.discard(rid)
        self.failed.emit(rid, error)
        self._settle(rid)

    def close(self, timeout_ms: int = 10_000) -> None:
        """Stop generating, close the engine on its thread and end the thread."""
        if not self.thread.isRunning():
            return
        self.stop()
        self.timer.stop()
        self._do_shutdown.emit()
        self.thread.quit()
        if self.thread.wait(timeout_ms) and self.worker.engine is not None:
            self.worker.shutdown()  # the thread ended before the queued shutdown ran: close it here
