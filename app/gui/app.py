"""Starting the desktop app: the QApplication, font, language, theme, database and main window.

One app runs per profile (data folder): a later start hands its file to it and exits
(``single_instance``). SIGTERM, Ctrl-C and SIGHUP quit the way Quit does, without asking: a
running import is cancelled and its unfinished files removed before the app exits (``stop_signals``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

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
            from .error_text import error_text

            box = QMessageBox(QMessageBox.Icon.Critical, tr("The conversation database has a problem"),
                              error_text(e), QMessageBox.StandardButton.NoButton, parent)
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


def _request(args: argparse.Namespace) -> dict:
    """What a second start hands to the running app: the file to open, as an absolute path."""
    model = os.path.abspath(os.path.expanduser(args.model)) if args.model else None
    return {"model": model}


def bring_forward(window, request: dict) -> None:
    """Another start of this profile: show the window on top and open the file it was given."""
    if window.isMinimized():
        window.showNormal()
    else:
        window.show()
    window.raise_()
    window.activateWindow()
    QApplication.alert(window)  # where the window system refuses focus, the taskbar entry asks for attention
    model = request.get("model")
    if model:
        print(f"Hanashi: another start asked to open {model}", file=sys.stderr, flush=True)
        window.open_model_file(model)


class _Stopper:
    """What a SIGTERM (or Ctrl-C, or a closed terminal) does: Quit, without questions.

    A running import is cancelled and waited for (its child process killed, its unfinished files
    removed), a reply being written is stopped and kept, the window closes and the app quits.
    """

    def __init__(self, app: QApplication):
        self.app, self.window, self.signum = app, None, None
        self.note = ""

    def __call__(self, signum: int) -> None:
        self.signum = signum
        for _ in range(20):  # a question or message up: it goes unanswered
            modal = QApplication.activeModalWidget()
            if not isinstance(modal, QDialog) or not modal.isVisible():
                break
            modal.reject()
        window = self.window
        library_window = getattr(window, "library_window", None)
        if library_window is not None and library_window.job is not None:
            stopped = library_window.stop_import()
            self.note = ("; the import was cancelled and its unfinished files removed" if stopped
                         else "; the import did not stop in time")
        if window is not None and (library_window is None or library_window.job is None):
            window.close()
        self.app.quit()

    def exit_code(self) -> int:
        name = signal.Signals(self.signum).name
        print(f"Hanashi: stopped ({name}){self.note}.", file=sys.stderr, flush=True)
        return 128 + self.signum


def run(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    from . import single_instance

    try:
        profile = paths.data_dir()
        claim = single_instance.claim_profile(profile, _request(args))
    except OSError:  # the data folder can't be used: open_storage below says so
        claim = None
    except single_instance.NotAnswering as e:
        print(e, file=sys.stderr)
        return 1
    if isinstance(claim, single_instance.Forwarded):
        print(claim.line())
        return 0
    try:
        return _run_first(args, claim)
    finally:
        if claim is not None:
            claim.release()


def _run_first(args: argparse.Namespace, lock) -> int:
    """The profile's one instance (``lock`` held, or None where there is no locking)."""
    from app.cleanup import sweep_at_start

    from . import single_instance
    from .stop_signals import StopSignals

    sweep_at_start()  # what an earlier run that was killed (mid-import) left behind
    app = application()
    stopper = _Stopper(app)
    try:
        signals = StopSignals(stopper)
    except ValueError:  # not on the main thread (an embedding program): signals stay as they are
        signals = None
    server = single_instance.InstanceServer(lock) if lock is not None else None
    if server is not None and not server.listening:
        print(f"Hanashi: later starts cannot reach this window ({server.error})", file=sys.stderr)
    try:
        settings = settings_io.load()
        language = args.lang or settings.language
        i18n.install(language)
        theme.apply_theme(app, args.theme or settings.theme)
        storage = open_storage()
        if storage is None:
            return stopper.exit_code() if stopper.signum else 1
        try:
            return _show(app, args, settings, storage, stopper, server)
        finally:
            storage.close()
    finally:
        if server is not None:
            server.close()
        if signals is not None:
            signals.uninstall()


def _show(app, args, settings, storage, stopper: _Stopper, server) -> int:
    from .main_window import MainWindow

    window = MainWindow(storage, settings)
    stopper.window = window
    app.styleHints().colorSchemeChanged.connect(
        lambda _scheme: window.apply_theme() if window.settings.theme == "system" else None)
    window.show()
    if server is not None:
        server.set_handler(lambda request: bring_forward(window, request) if stopper.signum is None else None)
    if settings.problem:
        from .dialogs import show_error

        show_error(window, tr("Settings"), settings.problem)
    window.start(Path(args.model) if args.model else None)
    if stopper.signum is None:  # a signal during the settings message: do not start the event loop
        code = app.exec()
    if stopper.signum is not None:
        return stopper.exit_code()
    return code
