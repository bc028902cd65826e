"""The conversation's own model: a quiet bar offering to switch to it.

Each conversation remembers the model it was last used with (``Conversation.model``: a file path;
conversations from before Hanashi remembered paths hold their replies' model name, looked up in
the library). Opening a conversation while another model is loaded shows a bar (never a modal
box) with "Switch" and "Keep current"; when that model's file is gone, the bar says so and offers
the model library instead. "Keep current" is remembered for the conversation until the app closes.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app import library

from .i18n import tr


def looks_like_path(model: str) -> bool:
    return os.sep in model or (os.altsep or os.sep) in model or model.lower().endswith(".gguf")


def wanted_model(model: str, loaded_path: str = "", loaded_name: str = "",
                 opened: list[str] | tuple[str, ...] = ()) -> tuple[str, str | None]:
    """What to offer for a conversation whose model is ``model``: ("", None) nothing (no model
    remembered, or it is the one loaded), ("switch", path), or ("missing", path or None)."""
    if not model:
        return "", None
    if looks_like_path(model):
        if loaded_path and library.same_file(model, loaded_path):
            return "", None
        return ("switch", model) if Path(model).is_file() else ("missing", model)
    if model == loaded_name:
        return "", None
    for entry in library.list_models(opened):
        if entry.usable and model in (entry.name, entry.path.stem):
            if loaded_path and library.same_file(entry.path, loaded_path):
                return "", None
            return "switch", str(entry.path)
    return "missing", None


class ModelSwitchBar(QFrame):
    """``switch_requested(path)``: load that model; ``library_requested``: open the model library."""

    switch_requested = Signal(str)
    library_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("model-switch")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.switch_button = QPushButton(self)
        self.switch_button.setObjectName("switch-model")
        self.switch_button.clicked.connect(self._switch)
        self.library_button = QPushButton(self)
        self.library_button.clicked.connect(self._library)
        self.keep_button = QPushButton(self)
        self.keep_button.setObjectName("keep-model")
        self.keep_button.clicked.connect(self.keep_current)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.switch_button)
        row.addWidget(self.library_button)
        row.addWidget(self.keep_button)
        self.kind, self.path, self.model, self.conversation_id = "", None, "", None
        self.kept: set[tuple[int, str]] = set()  # (conversation, model) the user chose not to switch to
        self.hide()
        self.retranslate()

    def offer(self, conversation_id: int | None, model: str, loaded_path: str = "", loaded_name: str = "",
              opened: list[str] | tuple[str, ...] = ()) -> str:
        """Show what fits conversation ``conversation_id`` (remembering ``model``) with the loaded
        model; returns the bar's kind ("" when hidden)."""
        kind, path = ("", None) if conversation_id is None else wanted_model(model, loaded_path, loaded_name, opened)
        if (conversation_id, model) in self.kept:
            kind = ""
        self.kind, self.path, self.model, self.conversation_id = kind, path, model, conversation_id
        self.retranslate()
        self.setVisible(bool(kind))
        return kind

    def keep_current(self) -> None:
        if self.conversation_id is not None:
            self.kept.add((self.conversation_id, self.model))
        self.kind = ""
        self.hide()

    def _switch(self) -> None:
        path = self.path
        self.kind = ""
        self.hide()
        if path:
            self.switch_requested.emit(path)

    def _library(self) -> None:
        self.keep_current()
        self.library_requested.emit()

    def _name(self) -> str:
        return Path(self.model).name if looks_like_path(self.model) else self.model

    def retranslate(self) -> None:
        self.switch_button.setText(tr("Switch"))
        self.keep_button.setText(tr("Keep current"))
        self.library_button.setText(tr("Model library…"))
        self.switch_button.setVisible(self.kind == "switch")
        self.library_button.setVisible(self.kind == "missing")
        if self.kind == "switch":
            self.label.setText(tr("This conversation was last used with %1. Switch to it?").replace("%1", self._name()))
        elif self.kind == "missing":
            where = tr(" (%1 is no longer there)").replace("%1", self.model) if looks_like_path(self.model) else ""
            self.label.setText(tr("This conversation was last used with %1, but that model file is not on this "
                                  "computer any more%2. Keep chatting with the current model, or add it again "
                                  "in the model library.").replace("%1", self._name()).replace("%2", where))
        self.label.setToolTip(self.model)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
