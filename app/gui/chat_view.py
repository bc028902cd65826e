"""The message view: the conversation as bubbles, the reply being written growing as text arrives.

Bubbles carry their actions: Copy on every message, Edit on the user's, Regenerate on the last
reply. The view only displays; the main window decides what the actions do. Replies show as
Markdown once written, with their stats and any notice of what was left out or cut short. On a wide
window the messages keep a readable width (``READABLE_EM``), centred; long lines wrap there.

For the keyboard the conversation is one Tab stop (it scrolls with the arrows, Page Up/Down and
Ctrl+Home/End, and shows a frame while it has the focus): the bubbles' buttons are clicked, not
tabbed through, so Tab goes from the message box to Send and on to the sidebar.

A conversation may hold any number of messages, so only the newest are built as bubbles when it
opens (``INITIAL``); older ones are built a batch at a time when the view nears its top (scrolling
up, Page Up, Ctrl+Home, or keyboard focus reaching the oldest bubble built), and let go again once
the view is back at the newest message. Opening a conversation therefore costs the same at ten or
a hundred thousand messages. ``bubbles`` holds the bubbles built: the newest messages, in order,
then the reply being written.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFontInfo, QGuiApplication
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.storage import ASSISTANT, Message

from .i18n import tr
from .message_bubble import MessageBubble, MessageText
from .theme import bubble_colors

__all__ = ["ChatView", "MessageBubble", "MessageText", "copy_to_clipboard"]

INITIAL = 40  # bubbles built when a conversation opens: its newest messages
BATCH = 25  # older messages built each time the view nears its top
KEEP = 120  # more bubbles than this are let go (the oldest) once the view is back at the bottom
NEAR_TOP = 400  # pixels from the top at which older messages are built
AT_BOTTOM = 24  # pixels from the bottom that still count as following the newest text
READABLE_EM = 45  # the widest a message gets, in em (45 Japanese characters, about 90 Latin ones a line)
MARGIN = 12  # pixels around the messages


class ChatView(QScrollArea):
    copy_requested = Signal(str)
    edit_requested = Signal(int)
    regenerate_requested = Signal()
    shown = Signal()  # another conversation (or none) is shown: its messages are in ``messages``

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("chat-view")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click on a bubble's button leaves the typing where it is
        self.setStyleSheet("QScrollArea#chat-view { border: 2px solid transparent; } "
                           "QScrollArea#chat-view:focus { border-color: palette(highlight); }")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inner = QWidget(self)
        self.inner.setObjectName("chat-inner")
        self.column = QVBoxLayout(self.inner)
        self.column.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        self.column.setSpacing(10)
        self.empty = QLabel(self.inner)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setObjectName("chat-empty")
        self.column.addWidget(self.empty)
        self.column.addStretch(1)
        self.setWidget(self.inner)
        self.messages: list[Message] = []  # the whole conversation (finished messages)
        self.first = 0  # messages[first:] have bubbles
        self.bubbles: list[MessageBubble] = []
        self.colors = bubble_colors(False)
        self._stick = True  # follow the newest text
        self._keep_from_bottom = False  # bubbles were added above: keep the view's distance from the end
        self._from_bottom = 0
        self._adjusting = False
        self._check_pending = False
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range)
        bar.valueChanged.connect(self._on_value)
        QApplication.instance().focusChanged.connect(self._on_focus)
        self.retranslate()

    # ------------------------------------------------------------ content

    @property
    def message_count(self) -> int:
        """Finished messages shown (built as bubbles or not), without the reply being written."""
        return len(self.messages)

    @property
    def streaming_bubble(self) -> MessageBubble | None:
        return self.bubbles[-1] if self.bubbles and self.bubbles[-1].streaming else None

    def clear(self) -> None:
        for b in self.bubbles:
            b.setParent(None)
            b.deleteLater()
        self.bubbles = []
        self.messages = []
        self.first = 0
        self.empty.show()
        self.shown.emit()

    def show_messages(self, messages: list[Message]) -> None:
        self.blockSignals(True)  # one ``shown``, with the messages
        try:
            self.clear()
        finally:
            self.blockSignals(False)
        self.messages = list(messages)
        self.first = max(0, len(self.messages) - INITIAL)
        for m in self.messages[self.first:]:
            self._insert(len(self.bubbles), self._bubble(m))
        self._mark_last_reply()
        self.scroll_to_end()
        self.shown.emit()

    def add_message(self, message: Message) -> MessageBubble:
        bubble = self._bubble(message)
        streaming = self.streaming_bubble
        self.messages.append(message)
        self._insert(len(self.bubbles) - (streaming is not None), bubble)
        self._mark_last_reply()
        self.scroll_to_end()
        return bubble

    def begin_reply(self, model: str = "") -> MessageBubble:
        bubble = MessageBubble(ASSISTANT, "", None, "", model, streaming=True)
        self._connect(bubble)
        self._insert(len(self.bubbles), bubble)
        self._mark_last_reply()
        self.scroll_to_end()
        return bubble

    def append_stream(self, text: str) -> None:
        bubble = self.streaming_bubble
        if bubble is not None:
            bar = self.verticalScrollBar()
            self._stick = bar.value() >= bar.maximum() - AT_BOTTOM
            self._keep_from_bottom = False  # the text grows below: what is on screen stays put
            bubble.append(text)

    def finish_reply(self, message: Message, stats: dict | None = None) -> None:
        """The reply being written is done: ``message`` as stored; ``stats`` as just measured (they
        complete what was stored)."""
        bubble = self.streaming_bubble
        if bubble is None:
            bubble = self.add_message(message)
            if stats:
                bubble.finish(message, stats)
            return
        self._keep_from_bottom = False
        bubble.finish(message, stats)
        self.messages.append(message)
        self._mark_last_reply()

    def drop_streaming(self) -> None:
        bubble = self.streaming_bubble
        if bubble is not None:
            self._keep_from_bottom = False
            self.bubbles.pop()
            bubble.setParent(None)
            bubble.deleteLater()
            self._mark_last_reply()

    def _bubble(self, m: Message) -> MessageBubble:
        bubble = MessageBubble(m.role, m.content, m.id, m.status, m.model, stats=m.stats)
        self._connect(bubble)
        return bubble

    def _connect(self, bubble: MessageBubble) -> None:
        bubble.apply_colors(self.colors)
        bubble.copy_requested.connect(self.copy_requested)
        bubble.edit_requested.connect(self.edit_requested)
        bubble.regenerate_requested.connect(self.regenerate_requested)

    def _insert(self, index: int, bubble: MessageBubble) -> None:
        """Put ``bubble`` at ``index`` of ``bubbles`` (and of the column, after the empty label)."""
        self.empty.hide()
        self.column.insertWidget(1 + index, bubble)
        self.bubbles.insert(index, bubble)

    def _mark_last_reply(self) -> None:
        last = self.bubbles[-1] if self.bubbles else None
        busy = last is not None and last.streaming
        for b in self.bubbles:
            b.set_regenerate(b is last and b.role == ASSISTANT and not b.streaming)
            b.edit_button.setEnabled(not busy)

    # ------------------------------------------------------------ older messages, on demand

    def load_older(self) -> int:
        """Build bubbles for up to ``BATCH`` older messages above the oldest built; returns how many.

        What is on screen stays where it is: the view keeps its distance from the end.
        """
        if self.first == 0:
            return 0
        start = max(0, self.first - BATCH)
        busy = self.streaming_bubble is not None
        made = []
        for m in self.messages[start:self.first]:
            bubble = self._bubble(m)
            bubble.set_regenerate(False)  # never the last message
            bubble.edit_button.setEnabled(not busy)
            made.append(bubble)
        for i, bubble in enumerate(made):
            self._insert(i, bubble)
        self.first = start
        if not self._stick:
            self._keep_from_bottom = True
        self._settle(made)
        return len(made)

    def _settle(self, made: list[MessageBubble]) -> None:
        """Lay the column out now (with the ``made`` bubbles), so no frame shows it before the view
        is put back in place."""
        for bubble in made:
            bubble.show()
        for _ in range(2):  # the texts take their width, then their height
            self.column.activate()
        height = max(self.viewport().height(), self.inner.minimumSizeHint().height())
        if height != self.inner.height():
            self.inner.resize(self.inner.width(), height)  # the scroll range follows at once

    def _let_go_of_oldest(self) -> None:
        """Back at the newest message: drop the bubbles built while reading far up."""
        extra = len(self.bubbles) - INITIAL - (self.streaming_bubble is not None)
        if len(self.bubbles) <= KEEP or extra <= 0:
            return
        focus = QApplication.focusWidget()
        for bubble in self.bubbles[:extra]:
            if focus is not None and bubble.isAncestorOf(focus):
                return  # the keyboard is there: keep them
        for bubble in self.bubbles[:extra]:
            bubble.setParent(None)
            bubble.deleteLater()
        del self.bubbles[:extra]
        self.first += extra
        self._settle([])

    def _check_edges(self) -> None:
        self._check_pending = False
        bar = self.verticalScrollBar()
        if self.first > 0 and bar.value() <= NEAR_TOP and self.isVisible():
            self.load_older()
        elif self._stick and bar.value() >= bar.maximum() - AT_BOTTOM:
            self._let_go_of_oldest()

    def _schedule_check(self) -> None:
        if not self._check_pending:
            self._check_pending = True
            QTimer.singleShot(0, self, self._check_edges)

    def _on_focus(self, _old, new) -> None:
        # Tabbing backwards through the bubbles reaches the oldest built one: build the ones before.
        if new is None or self.first == 0 or not self.bubbles:
            return
        if any(b.isAncestorOf(new) for b in self.bubbles[:2]):
            self.load_older()

    # ------------------------------------------------------------ scrolling, looks, language

    def scroll_to_end(self) -> None:
        self._stick = True
        self._keep_from_bottom = False
        QTimer.singleShot(0, self, lambda: self.verticalScrollBar().setValue(self.verticalScrollBar().maximum()))

    def _set_value(self, value: int) -> None:
        bar = self.verticalScrollBar()
        if bar.value() != value:
            self._adjusting = True
            try:
                bar.setValue(value)
            finally:
                self._adjusting = False

    def _on_range(self, _min: int, maximum: int) -> None:
        if self._stick:
            self._set_value(maximum)
        elif self._keep_from_bottom:
            self._set_value(max(0, maximum - self._from_bottom))
        self._from_bottom = maximum - self.verticalScrollBar().value()
        self._schedule_check()

    def _on_value(self, value: int) -> None:
        if self._adjusting:
            return
        self._from_bottom = self.verticalScrollBar().maximum() - value
        self._stick = self._from_bottom <= AT_BOTTOM
        self._schedule_check()

    def readable_width(self) -> int:
        """The widest the messages get, in pixels: ``READABLE_EM`` of the view's font."""
        return READABLE_EM * (QFontInfo(self.font()).pixelSize() or self.fontMetrics().height())

    def _fit_width(self) -> None:
        """On a wide window the messages keep a readable width, centred; on a narrow one they fill it."""
        side = max(MARGIN, (self.viewport().width() - self.readable_width()) // 2)
        if self.column.contentsMargins().left() != side:
            self.column.setContentsMargins(side, MARGIN, side, MARGIN)

    def viewportEvent(self, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:  # the window, or the scroll bar coming and going
            self._fit_width()
        return super().viewportEvent(event)

    def set_dark(self, dark: bool) -> None:
        self.colors = bubble_colors(dark)
        for b in self.bubbles:
            b.apply_colors(self.colors)

    def retranslate(self) -> None:
        self.empty.setText(tr("Type a message below to start the conversation."))
        for b in self.bubbles:
            b.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.FontChange:
            self._fit_width()
        super().changeEvent(event)


def copy_to_clipboard(text: str) -> None:
    QGuiApplication.clipboard().setText(text)
