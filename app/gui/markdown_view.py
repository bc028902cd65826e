"""A reply's text on screen: plain while it is written, Markdown once it is finished.

``MarkdownView`` shows a reply as a column of parts: text (``MessageText``, rich text made by
``markdown_html``, which escapes the model's text) and code blocks (``CodeBlock``: monospace, with a
Copy button that copies exactly the code). While a reply streams in, the view holds one plain
text part that grows by appends (cheap, whatever the length); ``set_markdown`` renders it when it
is finished, reusing the parts that did not change.

Nothing shown here loads anything: ``MessageText.loadResource`` answers every request (an image,
a style sheet, a file or web address) with nothing, and no link is followed.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QImage, QTextCursor, QTextDocument, QTextOption
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLabel, QSizePolicy, QTextBrowser, QToolButton,
                               QVBoxLayout, QWidget)

from .i18n import N_, tr
from .markdown_html import CODE, TEXT, Segment, segments, to_html



def rich_style() -> str:
    """Rich text looks: headings sized for a chat bubble, code in the fixed-width font and shaded,
    table headers shaded (in both themes)."""
    mono = monospace_font().family().replace("'", "")
    return ("h1 { font-size: x-large; } h2 { font-size: large; } h3, h4, h5, h6 { font-size: medium; } "
            f"code {{ font-family: '{mono}', monospace; background-color: rgba(128, 128, 128, 45); }} "
            "th { background-color: rgba(128, 128, 128, 35); } table { border-color: rgba(128, 128, 128, 150); }")


class SafeDocument(QTextDocument):
    """A text document that loads nothing. Qt's own documents read local files (and hand other
    addresses to their widget) for images and style sheets, and an image asked for in vain is
    then read from its file; this one answers an image with an empty one and anything else with
    nothing, so no file or address is ever read."""

    def loadResource(self, kind: int, url):  # noqa: N802 - Qt's name
        if kind == QTextDocument.ResourceType.ImageResource.value:
            blank = QImage(1, 1, QImage.Format.Format_ARGB32)
            blank.fill(0)
            return blank
        return None


class MessageText(QTextBrowser):
    """A message's text: selectable text whose height follows its content.

    Unlike a word-wrapped QLabel (whose height-for-width is recomputed from the whole text on
    every layout pass), the document lays out only what changed, and the widget's height is
    fixed to the document's, so appending a streamed batch costs little however long the reply.
    It is not a Tab stop (the conversation is one; clicking it still gives it the keyboard for
    selecting and copying), it follows no link and loads no resource.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setStyleSheet("QTextBrowser { background: transparent; border: none; }")
        self.viewport().setAutoFillBackground(False)
        self.setDocument(SafeDocument(self))
        self.document().setDocumentMargin(0)
        self.document().setDefaultStyleSheet(rich_style())
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def loadResource(self, kind: int, url):  # noqa: N802 - Qt's name
        return None  # nothing is fetched or read: not an image, not a file, not a web address

    def set_text(self, text: str) -> None:
        self.setPlainText(text)

    def set_html(self, html: str) -> None:
        self.setHtml(html)

    def append_text(self, text: str) -> None:
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)

    def _fit(self, *_) -> None:
        height = max(self.fontMetrics().height(), math.ceil(self.document().size().height()))
        if height != self.height():
            self.setFixedHeight(height)

    def wheelEvent(self, event) -> None:
        event.ignore()  # the conversation scrolls, not the message


_MONO_FAMILIES = ("Noto Sans Mono CJK JP", "DejaVu Sans Mono", "Cascadia Mono", "Consolas", "Menlo",
                  "Liberation Mono", "Courier New")


def monospace_font() -> QFont:
    """The system's fixed-width font, falling back to the app's fonts for Japanese characters."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if not QFontInfo(font).fixedPitch():  # a platform without a theme answers the alias "monospace"
        installed = set(QFontDatabase.families())
        family = next((f for f in _MONO_FAMILIES if f in installed), None)
        if family is not None:
            font = QFont(family, font.pointSize())
    app_families = QApplication.font().families() if QApplication.instance() is not None else []
    font.setFamilies([font.family(), *[f for f in app_families if f != font.family()]])
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


COPIED_MS = 1500  # how long a Copy button says "Copied"


class CopyButton(QToolButton):
    """A Copy button that says "Copied" for a moment after each click (``COPIED_MS``), then its own
    text again. Not a Tab stop: the conversation is one."""

    def __init__(self, label: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = label  # the untranslated text (``tr`` is applied when shown)
        self.setAutoRaise(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(COPIED_MS)
        self.timer.timeout.connect(self.retranslate)
        self.clicked.connect(self._copied)

    @property
    def copied(self) -> bool:
        return self.timer.isActive()

    def _copied(self) -> None:
        self.timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        self.setText(tr("Copied") if self.copied else tr(self.label))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class CodeBlock(QFrame):
    """A fenced code block: its language, a Copy button, the code in a monospace font."""

    copy_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("code-block")
        self.code = ""
        self.language = QLabel(self)
        self.language.setObjectName("code-language")
        self.copy_button = CopyButton(N_("Copy code"), self)  # says "Copied" for a moment once clicked
        self.copy_button.setObjectName("code-copy")
        self.copy_button.clicked.connect(lambda: self.copy_requested.emit(self.code))
        self.text = MessageText(self)
        self.text.setObjectName("code-text")
        self.text.setFont(monospace_font())
        self.text.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.language)
        head.addStretch(1)
        head.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 6)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.text)
        self.retranslate()

    def set_code(self, code: str, language: str = "") -> None:
        self.code = code
        self.language.setText(language)
        self.text.set_text(code)

    def retranslate(self) -> None:
        self.copy_button.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class MarkdownView(QWidget):
    """A reply: plain text while it is written (``set_text``, ``append_text``), rendered
    Markdown when finished (``set_markdown``). ``copy_requested`` carries a code block's code."""

    copy_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(6)
        self.parts: list[tuple[Segment | None, QWidget]] = []  # (what it shows; None: plain text)
        self.rendered = False
        self.source = ""  # the text shown, as given
        self._add(None, MessageText(self))

    # ------------------------------------------------------------ content

    @property
    def first_text(self) -> MessageText:
        return self.parts[0][1]

    def code_blocks(self) -> list[CodeBlock]:
        return [w for _, w in self.parts if isinstance(w, CodeBlock)]

    def set_text(self, text: str) -> None:
        """Show ``text`` as it is (the reply being written)."""
        self._keep(1, plain=True)
        self.first_text.set_text(text)
        self.parts[0] = (None, self.first_text)
        self.rendered = False
        self.source = text

    def append_text(self, text: str) -> None:
        if self.rendered:  # appended after rendering: back to plain text, all of it
            self.set_text(self.source + text)
            return
        self.first_text.append_text(text)
        self.source += text

    def set_markdown(self, text: str) -> None:
        """Render ``text`` as Markdown; parts that show the same thing as before are kept."""
        segs = segments(text) or [Segment(TEXT, "")]
        if segs[0].kind != TEXT:
            segs.insert(0, Segment(TEXT, ""))  # the first part is always text (it may be empty)
        for i, seg in enumerate(segs):
            if i < len(self.parts) and self.parts[i][0] == seg:
                continue
            widget = self.parts[i][1] if i < len(self.parts) else None
            wanted = CodeBlock if seg.kind == CODE else MessageText
            if type(widget) is not wanted:
                widget = self._make(wanted, i)
            if seg.kind == CODE:
                widget.set_code(seg.source, seg.language)
            else:
                widget.set_html(to_html(seg.source))
            self.parts[i] = (seg, widget)
        self._keep(len(segs))
        self.rendered, self.source = True, text
        for seg, widget in self.parts:  # an empty first part (a reply opening with code) takes no room
            widget.setVisible(bool(seg.source) or len(segs) == 1)

    def toPlainText(self) -> str:  # noqa: N802 - like the text widgets'
        """What the view shows, as text (code blocks as their code)."""
        texts = []
        for _, w in self.parts:
            texts.append(w.code if isinstance(w, CodeBlock) else w.toPlainText())
        return "\n".join(t for t in texts if t)

    # ------------------------------------------------------------ parts

    def _add(self, segment: Segment | None, widget: QWidget) -> None:
        self.column.addWidget(widget)
        self.parts.append((segment, widget))

    def _make(self, cls, index: int) -> QWidget:
        widget = cls(self)
        if isinstance(widget, CodeBlock):
            widget.copy_requested.connect(self.copy_requested)
        if index < len(self.parts):
            old = self.parts[index][1]
            self.column.replaceWidget(old, widget)
            old.setParent(None)
            old.deleteLater()
            self.parts[index] = (None, widget)
        else:
            self._add(None, widget)
        return widget

    def _keep(self, count: int, plain: bool = False) -> None:
        """Keep the first ``count`` parts (the first made plain text again when ``plain``)."""
        for _, widget in self.parts[count:]:
            widget.setParent(None)
            widget.deleteLater()
        del self.parts[count:]
        if plain and not isinstance(self.parts[0][1], MessageText):
            self._make(MessageText, 0)
        if plain:
            self.first_text.show()
