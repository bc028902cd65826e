"""The status bar: model name, backend (CPU / CUDA + device), tokens/s, context used / size."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from .i18n import tr


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
        self.context_used = 0
        self.n_ctx = 0
        self.refresh()

    def set_model(self, name: str, quant: str, backend: str, n_ctx: int) -> None:
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

    def set_reply_stats(self, tokens_per_s: float, context_used: int, n_ctx: int) -> None:
        self.tokens_per_s, self.context_used, self.n_ctx = tokens_per_s, context_used, n_ctx
        self.refresh()

    def refresh(self) -> None:
        if self.loading:
            self.model_label.setText(tr("Loading %1…").replace("%1", self.model))
        elif self.model:
            self.model_label.setText(f"{self.model} ({self.quant})" if self.quant else self.model)
        else:
            self.model_label.setText(tr("No model loaded"))
        self.backend_label.setText(self.backend)
        speed = "—" if self.tokens_per_s is None else f"{self.tokens_per_s:.1f}"
        self.speed_label.setText(tr("%1 tokens/s").replace("%1", speed))
        self.context_label.setText(tr("context %1 / %2").replace("%1", str(self.context_used))
                                   .replace("%2", str(self.n_ctx or "—")))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)
