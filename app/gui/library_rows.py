"""The model library's Name column: the model's name, and under it, for models that share a name
(two imports of one folder, a copy opened from elsewhere), the file's name and when it was written.

The cell's text stays the model's name (what sorting, searching and accessibility read); the
second line is ``DETAIL_ROLE``, drawn under it by ``NameDelegate`` in the view's muted colour.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QDateTime, QLocale, QRect, QSize, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.library import ModelEntry

from .i18n import tr

DETAIL_ROLE = Qt.ItemDataRole.UserRole + 10


def modified_text(entry: ModelEntry) -> str:
    """When the file was last written, in the UI's language ("?" when unknown)."""
    if not entry.modified:
        return "?"
    return QLocale().toString(QDateTime.fromSecsSinceEpoch(int(entry.modified)), QLocale.FormatType.ShortFormat)


def details(entries: list[ModelEntry]) -> list[str]:
    """For each entry, the line that tells it apart from others of the same name ("" when its name
    is its own): the file's name (its whole path where that is shared too) and when it was written."""
    names = Counter(e.name.casefold() for e in entries)
    files = Counter(e.path.name for e in entries)
    return ["" if names[e.name.casefold()] < 2 else
            f"{e.path.name if files[e.path.name] < 2 else e.path} · {modified_text(e)}" for e in entries]


def tooltip(entry: ModelEntry) -> str:
    return f"{entry.path}\n" + tr("Modified: %1").replace("%1", modified_text(entry))


class NameDelegate(QStyledItemDelegate):
    """Draws a name cell's second line (``DETAIL_ROLE``) under its text."""

    def paint(self, painter, option, index) -> None:
        detail = index.data(DETAIL_ROLE)
        if not detail:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        name, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:  # the cell's background (selected or not), without its text
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        inner = opt.rect.adjusted(4, 1, -4, -1)
        line = opt.fontMetrics.height()
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(opt.palette.color(QPalette.ColorGroup.Normal, role))
        painter.drawText(QRect(inner.left(), inner.top(), inner.width(), line), int(Qt.AlignmentFlag.AlignLeft),
                         opt.fontMetrics.elidedText(name, Qt.TextElideMode.ElideRight, inner.width()))
        small = QFont(opt.font)
        small.setBold(False)
        if small.pointSizeF() > 0:
            small.setPointSizeF(small.pointSizeF() * 0.9)
        painter.setFont(small)
        if not selected:
            painter.setPen(opt.palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        below = QRect(inner.left(), inner.top() + line, inner.width(), max(0, inner.height() - line))
        painter.drawText(below, int(Qt.AlignmentFlag.AlignLeft),
                         painter.fontMetrics().elidedText(detail, Qt.TextElideMode.ElideMiddle, below.width()))
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        size = super().sizeHint(option, index)
        detail = index.data(DETAIL_ROLE)
        if not detail:
            return size
        return QSize(max(size.width(), option.fontMetrics.horizontalAdvance(detail) + 8),
                     size.height() + option.fontMetrics.height() + 2)
