"""The main window's secondary windows: model library, settings, persona/sampling; language and theme.

A mixin of ``MainWindow`` (it uses the window's client, storage, settings and widgets).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import library
from app import settings as settings_io
from app.settings import Settings

from . import i18n, theme
from .dialogs import show_error
from .i18n import tr
from .model_library import ModelLibrary
from .persona_dialog import PersonaDialog
from .settings_dialog import SettingsDialog


class PanelsMixin:
    def _refresh_library(self) -> None:
        if self.library_window is not None:
            self.library_window.refresh(library.list_models(self.settings.opened_models),
                                        self.facts.path if self.facts else "")

    def open_library(self) -> ModelLibrary:
        if self.library_window is None:
            w = ModelLibrary(self, self.settings.import_type)
            w.load_requested.connect(self.load_model)
            w.open_requested.connect(self.open_model_file)
            w.delete_requested.connect(self.delete_model)
            w.imported.connect(lambda path: self._refresh_library())
            w.addActions(self.actions())  # the app's shortcuts (Ctrl+N, Ctrl+Q, …) work from the library too
            self.library_window = w
        self._refresh_library()
        self.library_window.show()
        self.library_window.raise_()
        return self.library_window

    def delete_model(self, path: str) -> None:
        if self.facts is not None and library.same_file(self.facts.path, path):
            show_error(self, tr("The model is in use"), tr("Load another model before deleting this one."))
            return
        entry = next((e for e in library.list_models(self.settings.opened_models) if str(e.path) == path), None)
        if entry is not None:
            try:
                library.delete(entry)
            except (OSError, ValueError) as e:
                show_error(self, tr("The model could not be deleted"), e)
            self.settings.forget_model(path)
            self._save_settings()
        self._refresh_library()

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.settings, self)
        dialog.applied.connect(self.apply_settings)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.dialogs["settings"] = dialog
        return dialog

    def apply_settings(self, new: Settings) -> None:
        old = self.settings
        self.settings = new
        self._save_settings()
        if new.language != old.language:
            i18n.install(new.language)
        if new.theme != old.theme:
            self.apply_theme()
        if new.engine_args() != old.engine_args() and self.facts is not None:
            self.load_model(self.facts.path)
        self.retranslate()

    def apply_theme(self) -> None:
        self.chat.set_dark(theme.apply_theme(QApplication.instance(), self.settings.theme))

    def set_language(self, code: str) -> None:
        self.settings.language = code
        self._save_settings()
        i18n.install(code)
        self.retranslate()

    def open_persona(self) -> PersonaDialog | None:
        if self.current_id is None:
            self.new_conversation()
        convo = self._db(lambda: self.storage.conversation(self.current_id))
        if convo is None:
            return None
        defaults = self.facts.defaults if self.facts else {}
        dialog = PersonaDialog(convo.persona, convo.sampling, defaults, self, storage=self.storage)
        cid = convo.id

        def apply(persona: str, overrides: dict) -> None:
            self._db(lambda: (self.storage.set_persona(cid, persona), self.storage.set_sampling(cid, overrides)))

        dialog.applied.connect(apply)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.dialogs["persona"] = dialog
        return dialog

    def _save_settings(self) -> None:
        try:
            settings_io.save(self.settings)
        except OSError as e:
            show_error(self, tr("The settings could not be saved"), e)

