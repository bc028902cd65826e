"""The conversation list: new, rename (double-click or F2), delete, export, search.

Typing in the search box lists the conversations whose title or messages hold the words
(``Storage.search``): each row shows the title and the text around the newest match, the words
in bold; choosing one opens the conversation at that message (``match_selected``). "No matches"
says when nothing matched, and a note says when the search was limited.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QAction, QKeySequence, QPalette, QTextDocument
from PySide6.QtWidgets import (QLabel, QLineEdit, QListWidget, QListWidgetItem, QMenu, QPushButton, QStyle,
                               QStyledItemDelegate, QStyleOptionViewItem, QVBoxLayout, QWidget)

from app.storage import Conversation, SearchResult

from .i18n import tr

ID_ROLE = Qt.ItemDataRole.UserRole
MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 1  # the matching message's id (search results)
HTML_ROLE = Qt.ItemDataRole.UserRole + 2  # the row as HTML: title, then the text around the match


class MatchDelegate(QStyledItemDelegate):
    """Draws a search result's HTML (escaped text, the matches in bold); other rows as usual."""

    def _document(self, option: QStyleOptionViewItem, html: str) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setHtml(html)
        doc.setTextWidth(max(40, option.rect.width() - 8))
        return doc

    def paint(self, painter, option, index) -> None:
        html = index.data(HTML_ROLE)
        if not html:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(opt, html)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        ctx.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        painter.save()
        painter.translate(opt.rect.left() + 4, opt.rect.top() + 2)
        painter.setClipRect(0, 0, opt.rect.width() - 4, opt.rect.height() - 2)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        html = index.data(HTML_ROLE)
        if not html:
            return super().sizeHint(option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        doc = self._document(opt, html)
        return QSize(int(doc.idealWidth()) + 8, int(doc.size().height()) + 4)


class Sidebar(QWidget):
    selected = Signal(int)  # conversation id
    new_requested = Signal()
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)
    search_changed = Signal(str)
    match_selected = Signal(int, int)  # conversation id, message id: a search result was chosen
    export_requested = Signal(int, str)  # conversation id, "md" | "json"

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
        self.list.setItemDelegate(MatchDelegate(self.list))
        self.list.itemClicked.connect(self._item_clicked)
        self.no_matches = QLabel(self)
        self.no_matches.setObjectName("no-matches")
        self.no_matches.setWordWrap(True)
        self.no_matches.hide()
        self.search_note = QLabel(self)
        self.search_note.setObjectName("search-note")
        self.search_note.setWordWrap(True)
        self.search_note.hide()
        self.export_md_action = QAction(self)
        self.export_md_action.triggered.connect(lambda: self._export_current("md"))
        self.export_json_action = QAction(self)
        self.export_json_action.triggered.connect(lambda: self._export_current("json"))
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
        layout.addWidget(self.search_note)
        layout.addWidget(self.no_matches)
        layout.addWidget(self.list, 1)
        self._filling = False
        self.setMinimumWidth(180)
        self.retranslate()

    # ------------------------------------------------------------ content

    def show_conversations(self, conversations: list[Conversation], current: int | None) -> None:
        self.show_rows([(c, None, "") for c in conversations], current)
        self.no_matches.hide()
        self.search_note.hide()

    def show_results(self, result: SearchResult, current: int | None) -> None:
        """The conversations a search found, each with the text around its newest match."""
        rows = []
        for hit in result.hits:
            title = hit.title_html if hit.conversation.title else tr("New conversation")
            more = "" if hit.matches < 2 else " " + tr("(%1 messages)").replace("%1", str(hit.matches))
            snippet = f"<br><small>{hit.snippet_html}{more}</small>" if hit.snippet_html else ""
            rows.append((hit.conversation, hit.message_id, f"<b>{title}</b>{snippet}" if snippet else title))
        self.show_rows(rows, current)
        self.no_matches.setVisible(not result.hits)
        notes = []
        if not result.full_text:
            notes.append(tr("Fast search is not available with this SQLite, so every message is read "
                            "(slower on long histories)."))
        if result.too_many_words:
            notes.append(tr("Search for at most %1 words at a time.").replace("%1", "16"))
        if getattr(result, "too_long_word", False):
            notes.append(tr("Search for words of at most %1 characters.").replace("%1", "1000"))
        if result.total > len(result.hits):
            notes.append(tr("Only the %1 most recent of %2 matching conversations are listed.")
                         .replace("%1", str(len(result.hits))).replace("%2", str(result.total)))
        self.search_note.setText(" ".join(notes))
        self.search_note.setToolTip(result.full_text_missing)
        self.search_note.setVisible(bool(notes))

    def show_rows(self, rows: list, current: int | None) -> None:
        """(conversation, matching message id or None, HTML or "") per row."""
        self._filling = True
        try:
            self.list.clear()
            for c, message_id, html in rows:
                item = QListWidgetItem(c.title or tr("New conversation"))
                item.setData(ID_ROLE, c.id)
                item.setData(MESSAGE_ROLE, message_id)
                if html:
                    item.setData(HTML_ROLE, html)
                item.setToolTip(c.title)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
                if c.id == current:
                    self.list.setCurrentItem(item)
        finally:
            self._filling = False

    def searching(self) -> str:
        return self.search.text().strip()

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
            cid, message_id = current.data(ID_ROLE), current.data(MESSAGE_ROLE)  # the list is refilled
            self.selected.emit(cid)
            if message_id is not None:
                self.match_selected.emit(cid, message_id)

    def _item_clicked(self, item: QListWidgetItem) -> None:
        if item.data(MESSAGE_ROLE) is not None and item is self.list.currentItem():
            self.match_selected.emit(item.data(ID_ROLE), item.data(MESSAGE_ROLE))

    def _export_current(self, fmt: str) -> None:
        cid = self.current_id()
        if cid is not None:
            self.export_requested.emit(cid, fmt)

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
        menu.addActions([self.export_md_action, self.export_json_action])
        menu.addAction(self.delete_action)
        menu.popup(self.list.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        self.new_button.setText(tr("New conversation"))
        self.search.setPlaceholderText(tr("Search conversations"))
        self.rename_action.setText(tr("Rename"))
        self.delete_action.setText(tr("Delete"))
        self.export_md_action.setText(tr("Export as Markdown…"))
        self.export_json_action.setText(tr("Export as JSON…"))
        self.no_matches.setText(tr("No matches"))
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
