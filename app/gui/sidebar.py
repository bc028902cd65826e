"""The conversation list: new, rename (double-click or F2), delete, search by title."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QMenu, QPushButton, QVBoxLayout, QWidget

from app.storage import Conversation

from .i18n import tr

ID_ROLE = Qt.ItemDataRole.UserRole


class Sidebar(QWidget):
    selected = Signal(int)  # conversation id
    new_requested = Signal()
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)
    search_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.new_button = QPushButton(self)
        self.new_button.setObjectName("new-conversation")
        self.new_button.clicked.connect(self.new_requested)
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.search_changed)
        self.list = QListWidget(self)
        self.list.setObjectName("conversations")
        self.list.setEditTriggers(QListWidget.EditTrigger.DoubleClicked | QListWidget.EditTrigger.EditKeyPressed)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemChanged.connect(self._item_changed)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.rename_action = QAction(self)
        self.rename_action.triggered.connect(self.rename_current)
        self.delete_action = QAction(self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self._delete_current)
        self.list.addAction(self.delete_action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        self._filling = False
        self.setMinimumWidth(180)
        self.retranslate()

    # ------------------------------------------------------------ content

    def show_conversations(self, conversations: list[Conversation], current: int | None) -> None:
        self._filling = True
        try:
            self.list.clear()
            for c in conversations:
                item = QListWidgetItem(c.title or tr("New conversation"))
                item.setData(ID_ROLE, c.id)
                item.setToolTip(c.title)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
                if c.id == current:
                    self.list.setCurrentItem(item)
        finally:
            self._filling = False

    def ids(self) -> list[int]:
        return [self.list.item(i).data(ID_ROLE) for i in range(self.list.count())]

    def item_for(self, conversation_id: int) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            if self.list.item(i).data(ID_ROLE) == conversation_id:
                return self.list.item(i)
        return None

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item else None

    def rename_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def _delete_current(self) -> None:
        cid = self.current_id()
        if cid is not None:
            self.delete_requested.emit(cid)

    def _current_changed(self, current: QListWidgetItem | None, _previous) -> None:
        if not self._filling and current is not None:
            self.selected.emit(current.data(ID_ROLE))

    def _item_changed(self, item: QListWidgetItem) -> None:
        if not self._filling:
            title = item.text().strip()
            if title and title != item.toolTip():
                item.setToolTip(title)
                self.rename_requested.emit(item.data(ID_ROLE), title)

    def _menu(self, pos) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        self.list.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction(self.rename_action)
        menu.addAction(self.delete_action)
        menu.popup(self.list.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        self.new_button.setText(tr("New conversation"))
        self.search.setPlaceholderText(tr("Search conversations"))
        self.rename_action.setText(tr("Rename"))
        self.delete_action.setText(tr("Delete"))
        for i in range(self.list.count()):
            item = self.list.item(i)
            if not item.toolTip():
                self._filling = True
                item.setText(tr("New conversation"))
                self._filling = False

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
