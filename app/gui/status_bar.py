"""The status bar: model name, backend (CPU / CUDA + device), tokens/s, context used / size.

The speed is the last reply's, and live while a reply is written (``set_live_speed``). The
context is the current conversation's: shown anew whenever another conversation or model is
shown (``show_conversation``), from the stats of its last reply written by the loaded model at
its context size; "—" when no such reply tells (it is known again after the next reply).
The backend is described in the UI's language (``backend_text``).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.storage import ASSISTANT

from .i18n import tr
from .reply_notes import number

# The engine's description of its backend (``app.engine.engine.Backend.__str__``), read back so it
# can be said in the UI's language; anything else is shown as it is.
_CPU = re.compile(r"^CPU \((\d+) threads?\)$")
_GPU = re.compile(r"^(.+?): (.+) \((\d+)/(\d+) layers on the GPU\)$")


def backend_text(backend) -> str:
    """Where the model runs, translated: a ``Backend`` (from ``app.engine``) or its description."""
    if not isinstance(backend, str):
        if not getattr(backend, "on_gpu", False):
            return _cpu(int(getattr(backend, "threads", 0)))
        name = getattr(backend, "name", "")
        kind = "".join(c for c in name if not c.isdigit()) or "GPU"
        n_layer = int(getattr(backend, "n_layer", 0))
        return _gpu(kind, getattr(backend, "device", "") or name, min(int(backend.gpu_layers), n_layer), n_layer)
    if m := _CPU.match(backend):
        return _cpu(int(m.group(1)))
    if m := _GPU.match(backend):
        return _gpu(m.group(1), m.group(2), int(m.group(3)), int(m.group(4)))
    return backend


def _cpu(threads: int) -> str:
    text = tr("CPU (1 thread)") if threads == 1 else tr("CPU (%1 threads)")
    return text.replace("%1", str(threads))


def _gpu(kind: str, device: str, layers: int, n_layer: int) -> str:
    return (tr("%1: %2 (%3/%4 layers on the GPU)").replace("%1", kind).replace("%2", device)
            .replace("%3", str(layers)).replace("%4", str(n_layer)))


def conversation_context(messages, model: str, n_ctx: int) -> int | None:
    """Tokens of the context the conversation ``messages`` takes with the loaded ``model`` (its
    name) at ``n_ctx``: 0 when it has no reply yet, else what its last reply used when that reply
    was written by this model at this size; None when that is not known."""
    replies = [m for m in messages if m.role == ASSISTANT]
    if not replies:
        return 0
    last = replies[-1]
    used = number(last.stats, "context_used")
    if used is None or last.model != model or number(last.stats, "n_ctx") != n_ctx:
        return None
    return int(used)


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model_label = QLabel(self)
        self.model_label.setObjectName("status-model")
        self.backend_label = QLabel(self)
        self.backend_label.setObjectName("status-backend")
        self.speed_label = QLabel(self)
        self.speed_label.setObjectName("status-speed")
        self.context_label = QLabel(self)
        self.context_label.setObjectName("status-context")
        for w in (self.model_label, self.backend_label, self.speed_label, self.context_label):
            self.addPermanentWidget(w)
        self.model = ""
        self.quant = ""
        self.backend = ""
        self.loading = False
        self.tokens_per_s: float | None = None
        self.context_used: int | None = 0
        self.n_ctx = 0
        self.refresh()

    def set_model(self, name: str, quant: str, backend, n_ctx: int) -> None:
        """The loaded model; ``backend`` is a ``Backend`` or its description."""
        self.model, self.quant, self.backend, self.n_ctx = name, quant, backend, n_ctx
        self.loading = False
        self.tokens_per_s = None
        self.context_used = 0
        self.refresh()

    def set_no_model(self) -> None:
        self.set_model("", "", "", 0)

    def set_loading(self, name: str) -> None:
        self.loading = True
        self.model = name
        self.refresh()

    def set_reply_stats(self, tokens_per_s: float, context_used: int | None, n_ctx: int) -> None:
        """A reply ended: its speed, and the context it left used (None: it was another
        conversation's, so the context shown stays the current one's)."""
        self.tokens_per_s = tokens_per_s
        if context_used is not None:
            self.context_used, self.n_ctx = context_used, n_ctx
        self.refresh()

    def set_live_speed(self, tokens_per_s: float) -> None:
        """The speed of the reply being written."""
        self.tokens_per_s = tokens_per_s
        self.refresh()

    def show_conversation(self, messages, model: str, n_ctx: int) -> None:
        """The context the conversation now shown takes (see ``conversation_context``)."""
        self.context_used = conversation_context(messages, model, n_ctx) if model else 0
        self.refresh()

    def refresh(self) -> None:
        if self.loading:
            self.model_label.setText(tr("Loading %1…").replace("%1", self.model))
        elif self.model:
            self.model_label.setText(f"{self.model} ({self.quant})" if self.quant else self.model)
        else:
            self.model_label.setText(tr("No model loaded"))
        self.backend_label.setText(backend_text(self.backend) if self.backend else "")
        speed = "—" if self.tokens_per_s is None else f"{self.tokens_per_s:.1f}"
        self.speed_label.setText(tr("%1 tokens/s").replace("%1", speed))
        used = "—" if self.context_used is None else str(self.context_used)
        self.context_label.setText(tr("context %1 / %2").replace("%1", used).replace("%2", str(self.n_ctx or "—")))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)
