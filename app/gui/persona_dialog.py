"""Per-conversation persona and sampling, starting from the model card's values.

Only values that differ from the card's are stored with the conversation, so a conversation
follows the card of whichever model answers it unless the user changed something. With the
conversation database at hand, named persona presets can be picked, saved and deleted
(``persona_presets``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (QDialog, QDoubleSpinBox, QFormLayout, QLabel, QPlainTextEdit,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from .dialogs import ok_cancel_buttons
from .i18n import tr
from .persona_presets import PresetPicker


class PersonaDialog(QDialog):
    """``applied`` carries (persona text, sampling overrides) when OK is pressed."""

    applied = Signal(str, dict)

    def __init__(self, persona: str, overrides: dict, defaults: dict, parent: QWidget | None = None,
                 storage=None):
        super().__init__(parent)
        self.setObjectName("persona-dialog")
        self.setModal(False)
        self.resize(520, 520)
        self.defaults = dict(defaults)
        self.persona_label = QLabel(self)
        self.persona_label.setWordWrap(True)
        self.persona = QPlainTextEdit(self)
        self.persona.setPlainText(persona)
        storage = storage if storage is not None else getattr(parent, "storage", None)
        self.presets = PresetPicker(storage, self.persona, self) if storage is not None else None
        self.fields: dict[str, QSpinBox | QDoubleSpinBox] = {
            "temperature": self._double(0.0, 2.0, 0.05), "top_p": self._double(0.01, 1.0, 0.01),
            "top_k": self._int(0, 1000), "repetition_penalty": self._double(0.5, 2.0, 0.01),
            "max_new_tokens": self._int(1, 8192), "seed": self._int(-1, 2**31 - 1),
        }
        self.form = QFormLayout()
        self.labels = {k: QLabel(self) for k in self.fields}
        for k, w in self.fields.items():
            self.form.addRow(self.labels[k], w)
        self.card_button = QPushButton(self)
        self.card_button.clicked.connect(lambda: self.set_values(self.defaults))
        self.buttons = ok_cancel_buttons(self)
        layout = QVBoxLayout(self)
        if self.presets is not None:
            layout.addWidget(self.presets)
        layout.addWidget(self.persona_label)
        layout.addWidget(self.persona, 1)
        layout.addLayout(self.form)
        layout.addWidget(self.card_button)
        layout.addWidget(self.buttons)
        self.retranslate()
        self.set_values({**self.defaults, **overrides})

    def _double(self, lo: float, hi: float, step: float) -> QDoubleSpinBox:
        w = QDoubleSpinBox(self)
        w.setRange(lo, hi)
        w.setSingleStep(step)
        w.setDecimals(2)
        return w

    def _int(self, lo: int, hi: int) -> QSpinBox:
        w = QSpinBox(self)
        w.setRange(lo, hi)
        return w

    def set_values(self, values: dict) -> None:
        for k, w in self.fields.items():
            v = values.get(k)
            w.setValue(-1 if k == "seed" and v is None else (v if v is not None else w.minimum()))

    def values(self) -> dict:
        out = {}
        for k, w in self.fields.items():
            v = w.value()
            out[k] = None if k == "seed" and v < 0 else (int(v) if isinstance(w, QSpinBox) else round(float(v), 4))
        return out

    def overrides(self) -> dict:
        """The values that differ from the model card's."""
        out = {}
        for k, v in self.values().items():
            d = self.defaults.get(k)
            if v is None and d is None:
                continue
            if isinstance(v, float) and isinstance(d, (int, float)) and abs(v - d) < 1e-6:
                continue
            if v != d:
                out[k] = v
        return out

    def accept(self) -> None:
        self.applied.emit(self.persona.toPlainText(), self.overrides())
        super().accept()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Conversation settings"))
        self.persona_label.setText(tr(
            "Persona: text placed before the conversation. Lines starting with \"User:\" / \"ユーザー:\" or "
            "\"Assistant:\" / \"システム:\" become turns (rinna's first turns, dolly's role lines); other "
            "text is one instruction."))
        self.persona.setPlaceholderText(tr("User: あなたは親切なアシスタントです。\nAssistant: はい、わかりました。"))
        names = {"temperature": tr("Temperature (0 = greedy):"), "top_p": tr("Top-p:"), "top_k": tr("Top-k:"),
                 "repetition_penalty": tr("Repetition penalty:"), "max_new_tokens": tr("Longest reply (tokens):"),
                 "seed": tr("Seed:")}
        for k, label in self.labels.items():
            label.setText(names[k])
        self.fields["seed"].setSpecialValueText(tr("random"))
        self.card_button.setText(tr("Use the model card's values"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
