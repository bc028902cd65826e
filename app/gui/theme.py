"""Looks: a font that renders Japanese, and light/dark palettes that follow the system.

Fonts in ``assets/fonts`` (the packaged app ships IPAexGothic there) are registered with Qt at
start, so Japanese text renders even on a system without a Japanese font of its own.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app import paths

# Fonts with full Japanese coverage, best first (Linux, macOS, Windows).
JAPANESE_FONTS = ("Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP", "Source Han Sans",
                  "IPAexGothic", "IPAGothic", "Takao Gothic", "TakaoPGothic", "VL PGothic", "VL Gothic",
                  "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic UI", "Meiryo UI", "Meiryo",
                  "MS UI Gothic", "Droid Sans Japanese", "WenQuanYi Zen Hei", "Noto Sans CJK SC")


FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
_registered: dict[Path, list[str]] = {}


def fonts_dir() -> Path:
    """Where the bundled fonts are: ``assets/fonts`` beside the demo model's ``assets/models``."""
    return paths.ASSETS / "fonts"


def register_bundled_fonts(folder: Path | None = None) -> list[str]:
    """Register the font files in ``folder`` (default: ``fonts_dir()``) with Qt; returns their
    families. Unreadable files are skipped; each file is registered once per process."""
    folder = fonts_dir() if folder is None else Path(folder)
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES and p.is_file())
    except OSError:
        return []
    families: list[str] = []
    for path in files:
        key = path.resolve()
        if key not in _registered:
            font_id = QFontDatabase.addApplicationFont(str(path))
            _registered[key] = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        families += [f for f in _registered[key] if f not in families]
    return families


def japanese_font_family() -> str:
    """The best installed font family for Japanese text, or "" when none is installed."""
    available = set(QFontDatabase.families())
    for name in JAPANESE_FONTS:
        if name in available:
            return name
    japanese = QFontDatabase.families(QFontDatabase.WritingSystem.Japanese)
    return japanese[0] if japanese else ""


def apply_font(app: QApplication) -> str:
    """Make the app's font one that renders Japanese (Latin text keeps the system font's look).
    The bundled fonts are registered first, so there is one even where the system has none."""
    register_bundled_fonts()
    family = japanese_font_family()
    if family:
        font = QFont(app.font())
        font.setFamilies([family, *[f for f in app.font().families() if f != family]])
        app.setFont(font)
    return family


def is_dark(theme: str) -> bool:
    if theme in ("light", "dark"):
        return theme == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def _palette(window, base, alt, button, text, disabled, placeholder, mid, dark, link) -> QPalette:
    R = QPalette.ColorRole
    p = QPalette()
    roles = {R.Window: window, R.WindowText: text, R.Base: base, R.AlternateBase: alt, R.ToolTipBase: window,
             R.ToolTipText: text, R.Text: text, R.Button: button, R.ButtonText: text,
             R.BrightText: QColor(255, 90, 90), R.Highlight: QColor(62, 120, 200),
             R.HighlightedText: QColor(255, 255, 255), R.Link: link, R.PlaceholderText: placeholder,
             R.Mid: mid, R.Dark: dark, R.Light: base, R.Midlight: alt, R.Shadow: dark}
    for role, color in roles.items():
        p.setColor(role, color)
    for role in (R.Text, R.ButtonText, R.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def dark_palette() -> QPalette:
    return _palette(QColor(43, 45, 48), QColor(30, 31, 34), QColor(38, 40, 43), QColor(53, 55, 59),
                    QColor(225, 226, 229), QColor(120, 122, 126), QColor(130, 132, 137), QColor(70, 72, 76),
                    QColor(20, 21, 23), QColor(110, 170, 240))


def light_palette() -> QPalette:
    return _palette(QColor(239, 239, 241), QColor(255, 255, 255), QColor(246, 246, 248), QColor(239, 239, 241),
                    QColor(28, 28, 30), QColor(150, 150, 155), QColor(128, 128, 133), QColor(190, 190, 195),
                    QColor(160, 160, 165), QColor(30, 100, 200))


def apply_theme(app: QApplication, theme: str) -> bool:
    """Fusion style with a light or dark palette; "system" follows the desktop. Returns is-dark."""
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    dark = is_dark(theme)
    app.setPalette(dark_palette() if dark else light_palette())
    app.setProperty("hanashi_dark", dark)
    return dark


def bubble_colors(dark: bool) -> dict[str, str]:
    """Background colours of the chat bubbles."""
    if dark:
        return {"user": "#2f4a6d", "assistant": "#35373b", "border": "#45484d", "muted": "#9a9ca1"}
    return {"user": "#dcebff", "assistant": "#f3f3f5", "border": "#d5d7db", "muted": "#6b6e73"}
