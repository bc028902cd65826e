"""The main window: wires the sidebar, chat view, composer and status bar to the core.

The window holds no chat logic: ``app.chat_flow`` decides what send / regenerate / edit do to the
stored conversation, ``app.storage`` commits it, and the ``EngineClient`` (worker thread) writes
the replies. Changes carry the version the view shows (``stale_view``); a reply that cannot be
stored is kept and retried (``reply_saving``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QMainWindow, QMessageBox, QPushButton, QSplitter, QVBoxLayout,
                               QWidget)

from app import library
from app.settings import Settings
from app.storage import Storage, StorageError

from . import i18n
from .chat_view import ChatView, copy_to_clipboard
from .composer import Composer, chain_focus
from .conversation_tools import ConversationToolsMixin
from .dialogs import confirm, show_error
from .gpu_notice import GpuNotice
from .i18n import tr
from .model_switch import ModelSwitchBar
from .reply_flow import ReplyFlowMixin
from .reply_saving import ReplySaver
from .sidebar import Sidebar
from .stale_view import ViewSyncMixin
from .status_bar import StatusBar
from .window_panels import PanelsMixin
from .window_state import WindowState
from .worker import EngineClient, ModelFacts


class MainWindow(ReplyFlowMixin, ConversationToolsMixin, ViewSyncMixin, PanelsMixin, QMainWindow):
    def __init__(self, storage: Storage, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("main-window")
        self.storage, self.settings = storage, settings
        self.client = EngineClient(self)
        self.facts: ModelFacts | None = None
        self.current_id: int | None = None
        self.request = None  # (request id, ReplyRequest) of the reply being written
        self.stream_text = ""
        self.discard_reply = False
        self.library_window = None  # the ModelLibrary, made on first use
        self.dialogs: dict[str, QWidget] = {}

        self.sidebar = Sidebar(self)
        self.chat = ChatView(self)
        self.composer = Composer(self)
        self.status = StatusBar(self)
        self.saver = ReplySaver(self)  # replies that could not be stored yet
        self.saver.saved.connect(self._on_reply_saved)
        self.setStatusBar(self.status)
        self.banner = QWidget(self)
        self.banner.setObjectName("demo-banner")
        self.banner_label = QLabel(self.banner)
        self.banner_label.setWordWrap(True)
        self.banner_button = QPushButton(self.banner)
        self.banner_button.clicked.connect(self.open_library)
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(12, 6, 12, 0)
        row.addWidget(self.banner_label, 1)
        row.addWidget(self.banner_button)
        self.banner.hide()
        self.model_bar = ModelSwitchBar(self)  # offers the conversation's own model
        self.model_bar.switch_requested.connect(self.load_model)
        self.model_bar.library_requested.connect(self.open_library)
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.gpu_notice = GpuNotice(self)  # shown once where an NVIDIA GPU goes unused
        column.addWidget(self.gpu_notice)
        column.addWidget(self.banner)
        column.addWidget(self.model_bar)
        column.addWidget(self.chat, 1)
        column.addWidget(self.saver.bar)
        column.addWidget(self.composer)
        splitter = QSplitter(self)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 760])
        self.setCentralWidget(splitter)
        self.resize(1040, 700)
        self.window_state = WindowState(self, splitter, self.sidebar)  # remembered size, place, sidebar
        self._make_actions()

        self.sidebar.selected.connect(self.select_conversation)
        self.sidebar.new_requested.connect(self.new_conversation)
        self.sidebar.rename_requested.connect(self.rename_conversation)
        self.sidebar.delete_requested.connect(self.delete_conversation)
        self.sidebar.search_changed.connect(lambda _: self.refresh_sidebar())
        self.sidebar.match_selected.connect(self.open_match)
        self.sidebar.export_requested.connect(self.export_conversation)
        self.chat.copy_requested.connect(copy_to_clipboard)
        self.chat.edit_requested.connect(self.edit_message)
        self.chat.regenerate_requested.connect(self.regenerate)
        self.composer.submitted.connect(self.send)
        self.composer.stop_requested.connect(self.stop)
        self.client.loaded.connect(self._on_loaded)
        self.client.load_failed.connect(self._on_load_failed)
        self.client.text.connect(self._on_text)
        self.client.progress.connect(self._on_progress)
        self.client.finished.connect(self._on_finished)
        self.client.failed.connect(self._on_failed)
        self.chat.shown.connect(self._show_context)
        chain_focus(self.composer, (self.sidebar.new_button, self.sidebar.search, self.sidebar.list), self.chat)
        self.chat.set_dark(bool(self.palette().window().color().lightness() < 128))
        self.retranslate()

    def _make_actions(self) -> None:
        def action(slot, shortcut=None) -> QAction:
            a = QAction(self)
            a.triggered.connect(slot)
            if shortcut is not None:
                a.setShortcut(QKeySequence(shortcut))
            self.addAction(a)
            return a

        self.a_new = action(self.new_conversation, QKeySequence.StandardKey.New)
        self.a_library = action(self.open_library, "Ctrl+L")
        self.a_export_md = action(lambda: self.export_conversation(None, "md"), "Ctrl+E")
        self.a_export_json = action(lambda: self.export_conversation(None, "json"))
        self.a_settings = action(self.open_settings, "Ctrl+,")
        self.a_persona = action(self.open_persona, "Ctrl+P")
        self.a_regenerate = action(self.regenerate, "Ctrl+R")
        self.a_rename = action(self.sidebar.rename_current, "F2")
        self.a_search = action(lambda: self.sidebar.search.setFocus(), QKeySequence.StandardKey.Find)
        self.a_quit = action(self.close, QKeySequence.StandardKey.Quit)
        self.a_quit.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) or [QKeySequence("Ctrl+Q")])
        self.esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self.esc.setContext(Qt.ShortcutContext.WindowShortcut)
        self.esc.activated.connect(self.escape)
        bar = self.menuBar()
        self.m_file, self.m_chat, self.m_settings = bar.addMenu(""), bar.addMenu(""), bar.addMenu("")
        self.m_file.addActions([self.a_new, self.a_library, self.a_export_md, self.a_export_json])
        self.m_file.addSeparator()
        self.m_file.addAction(self.a_quit)
        self.m_chat.addActions([self.a_persona, self.a_regenerate, self.a_rename, self.a_search])
        self.m_settings.addAction(self.a_settings)
        self.m_language = self.m_settings.addMenu("")
        self.lang_actions = {}
        for code in ("system", *i18n.LANGUAGES):
            a = self.m_language.addAction("")
            a.setCheckable(True)
            a.triggered.connect(lambda _=False, code=code: self.set_language(code))
            self.lang_actions[code] = a

    # ------------------------------------------------------------ start, models

    def start(self, model: str | Path | None = None) -> None:
        """Show the conversations and load a model: ``model``, else the last used, else the demo."""
        conversations = self._db(lambda: self.storage.conversations()) or []
        self.refresh_sidebar()
        if conversations:
            self.select_conversation(conversations[0].id)
        path = model or library.default_model(self.settings.last_model, self.settings.opened_models)
        if path is None:
            self.status.set_no_model()
            self.open_library()
        else:
            self.load_model(str(path))

    def load_model(self, path: str) -> None:
        if self.client.generating:
            self.client.stop()
        self.composer.set_ready(False)
        self.status.set_loading(Path(path).name)
        self.client.load(path, **self.settings.engine_args())

    def open_model_file(self, path: str) -> None:
        self.load_model(path)

    def _on_loaded(self, facts: ModelFacts) -> None:
        self.facts = facts
        self.status.set_model(facts.name, facts.quant, facts.backend, facts.n_ctx)
        self._show_context()
        self.composer.set_ready(True)
        demo = library.is_demo(facts.path)
        self.banner.setVisible(demo)
        self.settings.remember_model(facts.path, demo or library.in_library(Path(facts.path)))
        self._save_settings()
        self._refresh_library()
        self.model_loaded_for_conversation()

    def _on_load_failed(self, path: str, error: Exception, kept: bool) -> None:
        show_error(self, tr("The model could not be loaded"), error)
        if kept:  # the file was refused before the current model was touched
            if self.facts is not None:
                f = self.facts
                self.status.set_model(f.name, f.quant, f.backend, f.n_ctx)
                self._show_context()
                self.composer.set_ready(True)
            return
        self.facts = None
        self.status.set_no_model()
        self.banner.hide()
        demo = library.demo_model()
        if demo.is_file() and not library.is_demo(path):
            self.load_model(str(demo))  # stay usable: fall back to the demo

    # ------------------------------------------------------------ conversations

    def new_conversation(self) -> None:
        convo = self._db(lambda: self.storage.create_conversation())
        if convo is not None:
            self.sidebar.search.clear()
            self.select_conversation(convo.id)
            self.composer.edit.setFocus()

    def select_conversation(self, conversation_id: int) -> None:
        if not self.show_conversation(conversation_id):
            return
        self.composer.cancel_edit()
        self.refresh_sidebar()
        self._update_title()
        self.offer_conversation_model()

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        self._db(lambda: self.storage.rename(conversation_id, title))  # the list shows it already
        self._update_title()

    def delete_conversation(self, conversation_id: int, ask: bool = True) -> None:
        # Only the conversation as the user saw it: the view's version, or the one shown in the question.
        expect = self.view_version if conversation_id == self.current_id else \
            self._db(lambda: self.storage.version(conversation_id))

        def delete() -> None:
            if self._db(lambda: self.storage.delete_conversation(conversation_id, expect) or True) is None:
                return  # changed elsewhere: explained, nothing deleted
            if self.request is not None and self.request[1].conversation_id == conversation_id:
                self.discard_reply = True
                self.client.stop()
            self.saver.pending.pop(conversation_id, None)
            if self.current_id == conversation_id:
                self.current_id = self.view_version = None
                self.chat.clear()
                self.saver.update()
                self.offer_conversation_model()
            self.refresh_sidebar()
            self._update_title()

        if not ask:
            delete()
            return
        title = self._db(lambda: self.storage.conversation(conversation_id).title) or tr("New conversation")
        confirm(self, tr("Delete conversation"), tr("Delete \"%1\" and all its messages?").replace("%1", title),
                delete, tr("Delete"))

    def _update_title(self) -> None:
        title = ""
        if self.current_id is not None:
            try:
                title = self.storage.conversation(self.current_id).title
            except (KeyError, StorageError):
                title = ""
        self.setWindowTitle(f"{title} — Hanashi (話)" if title else "Hanashi (話)")

    # ------------------------------------------------------------ chat

    # ------------------------------------------------------------ language, closing

    def retranslate(self) -> None:
        self.a_new.setText(tr("&New conversation"))
        self.a_library.setText(tr("Model &library…"))
        self.a_export_md.setText(tr("&Export conversation as Markdown…"))
        self.a_export_json.setText(tr("Export conversation as &JSON…"))
        self.a_settings.setText(tr("&Settings…"))
        self.a_persona.setText(tr("&Persona and sampling…"))
        self.a_regenerate.setText(tr("&Regenerate reply"))
        self.a_rename.setText(tr("Re&name conversation"))
        self.a_search.setText(tr("&Search conversations"))
        self.a_quit.setText(tr("&Quit"))
        self.m_file.setTitle(tr("&File"))
        self.m_chat.setTitle(tr("&Conversation"))
        self.m_settings.setTitle(tr("&Settings"))
        self.m_language.setTitle(tr("&Language"))
        for code, a in self.lang_actions.items():
            a.setText(tr("Follow the system") if code == "system" else i18n.LANGUAGES[code])
            a.setChecked(code == self.settings.language)
        self.banner_label.setText(tr("You are chatting with the tiny demo model: it only knows a few answers. "
                                     "Add a real model for real conversations."))
        self.banner_button.setText(tr("Add a model…"))
        self._update_title()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def ask_stop_import(self) -> bool:
        """Quitting while a model is imported: keep importing (False), or stop it and quit (True)."""
        box = QMessageBox(QMessageBox.Icon.Question, tr("A model is being imported"),
                          tr("Hanashi is still importing a model. Stop the import and quit? "
                             "The unfinished file will be removed."), QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("hanashi-quit-import")
        keep = box.addButton(tr("Keep importing"), QMessageBox.ButtonRole.RejectRole)
        stop = box.addButton(tr("Stop and quit"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is stop

    def closeEvent(self, event) -> None:
        if self.library_window is not None and self.library_window.job is not None:
            if not self.ask_stop_import():  # keep importing: the window stays
                event.ignore()
                return
            self.library_window.stop_import()  # the import may have ended meanwhile: then nothing to do
        if self.window_state.remember():  # changed: saved for the next start
            self._save_settings()
        if self.client.generating:  # keep the reply written so far: stop it and let it be committed
            loop = QEventLoop()
            self.client.finished.connect(loop.quit)
            self.client.failed.connect(loop.quit)
            QTimer.singleShot(5000, loop.quit)
            self.client.stop()
            loop.exec()
        self.client.close()
        super().closeEvent(event)
