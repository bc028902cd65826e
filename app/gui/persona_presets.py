"""Persona presets in the conversation settings: pick a named system prompt, save the text as one,
update or delete one of your own. Built-in presets can be picked but not changed or deleted (save
an edited copy under a new name). Picking one copies its text into the persona box; the
conversation keeps that text even if the preset changes later."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QWidget)

from app.storage import Persona, PersonaRefused, Storage, StorageError
from app.storage_personas import MAX_NAME, MAX_PROMPT

from .dialogs import confirm
from .i18n import tr


def refusal_text(e: PersonaRefused) -> str:
    texts = {
        "empty_name": tr("Type a name for the preset first."),
        "long_name": tr("A preset's name can be at most %1 characters long.").replace("%1", str(MAX_NAME)),
        "long_prompt": tr("A preset's text can be at most %1 characters long.").replace("%1", str(MAX_PROMPT)),
        "builtin_name": tr("\"%1\" is the name of a built-in preset: choose another name.").replace("%1", e.name),
        "taken": tr("Another preset is already called \"%1\".").replace("%1", e.name),
        "builtin": tr("Built-in presets are part of Hanashi and cannot be changed or deleted: save your "
                      "version under a new name."),
    }
    return texts.get(e.code, str(e))


class PresetPicker(QWidget):
    """Presets for the persona text in ``editor``. ``changed`` fires after a preset was saved or deleted."""

    changed = Signal()

    def __init__(self, storage: Storage, editor: QPlainTextEdit, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("persona-presets")
        self.storage, self.editor = storage, editor
        self.label = QLabel(self)
        self.combo = QComboBox(self)
        self.combo.setObjectName("persona-preset")
        self.combo.activated.connect(self._picked)
        self.name = QLineEdit(self)
        self.name.setObjectName("persona-preset-name")
        self.name.setMaxLength(MAX_NAME)
        self.save_button = QPushButton(self)
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton(self)
        self.delete_button.clicked.connect(self.ask_delete)
        self.message = QLabel(self)
        self.message.setObjectName("persona-preset-message")
        self.message.setWordWrap(True)
        self.message.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.label, 0, 0)
        grid.addWidget(self.combo, 0, 1)
        grid.addWidget(self.delete_button, 0, 2)
        grid.addWidget(self.name, 1, 1)
        grid.addWidget(self.save_button, 1, 2)
        grid.addWidget(self.message, 2, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        self.presets: list[Persona] = []
        self.retranslate()
        self.reload(select_text=editor.toPlainText())

    def reload(self, select_id: int | None = None, select_text: str | None = None) -> None:
        try:
            self.presets = self.storage.personas()
        except StorageError as e:
            self.presets = []
            self._say(str(e))
        self.combo.clear()
        self.combo.addItem(tr("(none)"), None)
        for p in self.presets:
            self.combo.addItem(p.name + (" " + tr("(built in)") if p.builtin else ""), p.id)
        index = 0
        for i, p in enumerate(self.presets, 1):
            if p.id == select_id or (select_id is None and select_text and p.prompt == select_text):
                index = i
                break
        self.combo.setCurrentIndex(index)
        self._update_buttons()

    def current(self) -> Persona | None:
        pid = self.combo.currentData()
        return next((p for p in self.presets if p.id == pid), None)

    def _picked(self, _index: int) -> None:
        p = self.current()
        if p is not None:
            self.editor.setPlainText(p.prompt)
            self.name.setText("" if p.builtin else p.name)
        self.message.hide()
        self._update_buttons()

    def _update_buttons(self) -> None:
        p = self.current()
        self.delete_button.setEnabled(p is not None and not p.builtin)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def save(self) -> Persona | None:
        """Save the persona text under the typed name: updates your preset of that name, else adds one."""
        name = self.name.text()
        key = " ".join(name.split()).casefold()
        same = next((p for p in self.presets if not p.builtin and p.name.casefold() == key), None)
        try:
            saved = self.storage.save_persona(name, self.editor.toPlainText(), same.id if same else None)
        except PersonaRefused as e:
            self._say(refusal_text(e))
            return None
        except StorageError as e:
            self._say(str(e))
            return None
        self.reload(select_id=saved.id)
        self._say(tr("Saved the preset \"%1\".").replace("%1", saved.name))
        self.changed.emit()
        return saved

    def ask_delete(self):
        p = self.current()
        if p is None or p.builtin:
            return None
        return confirm(self, tr("Delete preset"), tr("Delete the preset \"%1\"? Conversations that use its "
                                                     "text keep it.").replace("%1", p.name),
                       lambda: self.delete(p.id), tr("Delete"))

    def delete(self, persona_id: int) -> None:
        try:
            self.storage.delete_persona(persona_id)
        except PersonaRefused as e:
            self._say(refusal_text(e))
            return
        except StorageError as e:
            self._say(str(e))
            return
        self.name.clear()
        self.reload()
        self._say("")
        self.changed.emit()

    def retranslate(self) -> None:
        self.label.setText(tr("Preset:"))
        self.name.setPlaceholderText(tr("Preset name"))
        self.save_button.setText(tr("Save as preset"))
        self.delete_button.setText(tr("Delete preset"))
        if self.combo.count():
            self.reload(select_id=self.combo.currentData())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
