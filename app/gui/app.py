"""Starting the desktop app: the QApplication, font, language, theme, database and main window."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import paths
from app import settings as settings_io
from app.storage import Storage, StorageError, move_aside

from . import i18n, theme
from .i18n import tr


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="hanashi", description="Hanashi (話): offline chat with Japanese LLMs.")
    p.add_argument("model", nargs="?", help="a .gguf model to load (default: the last one used, or the demo)")
    p.add_argument("--lang", choices=["system", "en", "ja"], help="UI language for this run")
    p.add_argument("--theme", choices=["system", "light", "dark"], help="theme for this run")
    return p.parse_args(argv)


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with a Japanese-capable font and the Fusion style."""
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "hanashi", *(argv or [])])
    app.setApplicationName("Hanashi")
    app.setApplicationDisplayName("Hanashi (話)")
    app.setOrganizationName("hanashi")
    icon = paths.ASSETS / "icons" / "hanashi.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    theme.apply_font(app)
    return app


def open_storage(parent=None) -> Storage | None:
    """Open the conversation database; when it can't be, ask what to do (never overwrite it)."""
    try:
        path = paths.database_path()
    except OSError as e:  # the data folder can't be made (a file in its place, no permission)
        QMessageBox.critical(parent, tr("The conversation database has a problem"),
                             tr("Hanashi's data folder cannot be used: %1").replace("%1", str(e)))
        return None
    while True:
        try:
            return Storage(path)
        except StorageError as e:
            box = QMessageBox(QMessageBox.Icon.Critical, tr("The conversation database has a problem"), str(e),
                              QMessageBox.StandardButton.NoButton, parent)
            fresh = retry = None
            if e.kind == "corrupt":
                fresh = box.addButton(tr("Keep it aside and start a new one"), QMessageBox.ButtonRole.AcceptRole)
            if e.kind in ("locked", "io"):
                retry = box.addButton(tr("Try again"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(tr("Quit"), QMessageBox.ButtonRole.RejectRole)
            box.exec()
            clicked = box.clickedButton()
            if fresh is not None and clicked is fresh:
                aside = move_aside(path)
                QMessageBox.information(parent, tr("Database kept"),
                                        tr("The damaged file was kept as %1.").replace("%1", str(aside)))
                continue
            if retry is not None and clicked is retry:
                continue
            return None


def run(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    from app.cleanup import sweep_at_start

    sweep_at_start()  # what an earlier run that was killed mid-import left behind
    app = application()
    settings = settings_io.load()
    language = args.lang or settings.language
    i18n.install(language)
    theme.apply_theme(app, args.theme or settings.theme)
    storage = open_storage()
    if storage is None:
        return 1
    from .main_window import MainWindow

    window = MainWindow(storage, settings)
    app.styleHints().colorSchemeChanged.connect(
        lambda _scheme: window.apply_theme() if window.settings.theme == "system" else None)
    window.show()
    if settings.problem:
        from .dialogs import show_error

        show_error(window, tr("Settings"), settings.problem)
    window.start(Path(args.model) if args.model else None)
    try:
        return app.exec()
    finally:
        storage.close()
