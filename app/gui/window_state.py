"""The main window's size, place and sidebar width: remembered between runs, kept on a screen.

    state = WindowState(window, splitter, sidebar)   # restores what settings hold
    state.remember()                                 # into window.settings (saved with them)

A remembered place that is no longer on any screen (a monitor unplugged, a hand-edited file) is
replaced by the default place on the primary screen, and a size larger than the screen is made
to fit. The sidebar keeps the width the user dragged it to, but on a narrow window it gives way
(at most ``NARROW_SHARE`` of the window, never under ``MIN_SIDEBAR``) and takes its width back
when the window is wide again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter, QWidget

DEFAULT_SIDEBAR = 240  # pixels
MIN_SIDEBAR = 140  # pixels: the list stays readable
NARROW_SHARE = 0.3  # the sidebar's most of a window narrower than its own width allows
VISIBLE = (120, 40)  # pixels of a window's top that must be on a screen for it to be reachable


def reachable(rect: QRect) -> bool:
    """Whether the top of ``rect`` (its title bar's place) is on some screen enough to grab it."""
    top = QRect(rect.x(), rect.y(), rect.width(), VISIBLE[1])
    for screen in QGuiApplication.screens():
        seen = screen.availableGeometry().intersected(top)
        if seen.width() >= min(VISIBLE[0], rect.width()) and seen.height() >= min(VISIBLE[1], rect.height()):
            return True
    return False


def fitted(rect: QRect) -> QRect:
    """``rect`` moved onto the screen it is on (or the primary one) and no larger than that screen."""
    screen = QGuiApplication.screenAt(rect.center()) or QGuiApplication.primaryScreen()
    if screen is None:
        return rect
    area = screen.availableGeometry()
    width, height = min(rect.width(), area.width()), min(rect.height(), area.height())
    if reachable(rect):
        return QRect(rect.x(), rect.y(), width, height)
    return QRect(area.x() + (area.width() - width) // 2, area.y() + (area.height() - height) // 2, width, height)


class WindowState(QObject):
    def __init__(self, window: QWidget, splitter: QSplitter, sidebar: QWidget):
        super().__init__(window)
        self.window, self.splitter, self.sidebar = window, splitter, sidebar
        sidebar.setMinimumWidth(MIN_SIDEBAR)
        splitter.setCollapsible(0, False)
        settings = window.settings
        self.preferred = settings.sidebar_width or DEFAULT_SIDEBAR  # as the user left it
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_sidebar)
        splitter.splitterMoved.connect(self._on_moved)
        splitter.installEventFilter(self)
        self.restore()

    def restore(self) -> None:
        settings = self.window.settings
        if settings.window_geometry:
            x, y, w, h = settings.window_geometry  # validated by app.settings: four ints in range
            self.window.setGeometry(fitted(QRect(x, y, w, h)))
        if settings.window_maximized:
            self.window.setWindowState(self.window.windowState() | Qt.WindowState.WindowMaximized)
        self.fit_sidebar()

    def remember(self) -> bool:
        """Write the window's place, size, state and sidebar width into its settings; whether they changed."""
        settings = self.window.settings
        before = (list(settings.window_geometry), settings.window_maximized, settings.sidebar_width)
        maximized = self.window.isMaximized()
        rect = self.window.normalGeometry() if maximized else self.window.geometry()
        if rect.isValid():
            settings.window_geometry = [rect.x(), rect.y(), rect.width(), rect.height()]
        settings.window_maximized = maximized
        settings.sidebar_width = int(self.preferred)
        return before != (settings.window_geometry, settings.window_maximized, settings.sidebar_width)

    def sidebar_width_for(self, total: int) -> int:
        """The sidebar's width in a splitter ``total`` pixels wide."""
        cap = max(MIN_SIDEBAR, int(total * NARROW_SHARE))
        return max(MIN_SIDEBAR, min(self.preferred, cap))

    def fit_sidebar(self) -> None:
        total = sum(self.splitter.sizes()) or self.splitter.width()
        if total <= 0:
            total = self.window.width()
        side = self.sidebar_width_for(total)
        if self.splitter.sizes() and self.splitter.sizes()[0] != side:
            self.splitter.setSizes([side, max(0, total - side)])

    def _on_moved(self, pos: int, _index: int) -> None:
        self.preferred = max(MIN_SIDEBAR, self.splitter.sizes()[0])  # the user's own choice

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.splitter and event.type() == QEvent.Type.Resize:
            self._fit_timer.start()  # after the splitter has shared out its new width
        return False
