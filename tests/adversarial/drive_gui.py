"""Driver: start the desktop app as ``hanashi`` does, offscreen, and put it through one session.

    QT_QPA_PLATFORM=offscreen HANASHI_DATA_DIR=DIR python -m tests.adversarial.drive_gui [MODEL] [--ctx N]
        [--long] [--keep-settings]
    ... drive_gui --import FOLDER [--type T] [--cancel-after S | --quit-after S] [--at-stage TEXT]

The real ``app.gui.app.run`` starts the app (its sweep of stale files, settings, storage, main
window, model load); a timer then drives the window: wait for the model to load or its error box,
open the model library, send one message, press Stop if the reply is not done after a few seconds,
close the window. With --import, the library imports FOLDER instead (and Cancel is pressed, or the
window closed and "Stop and quit" chosen, S seconds after the stage whose label contains TEXT began). Prints ``RESULT {json}`` and exits 0, or:
  3  the model neither loaded nor failed (loading forever)
  4  Stop did not end the reply within 2 s
  5  closing the window took more than 5 s
  7  the import never ended (90 s), or Cancel / quit did not end it within 2 s
"""

from __future__ import annotations

import json
import sys
import time

LOAD_TIMEOUT = 25.0
REPLY_BEFORE_STOP = 4.0
STOP_GRACE = 2.0
CLOSE_LIMIT = 5.0
MESSAGE = "こんにちは。改行\nと絵文字😀です"


def _boxes():
    from PySide6.QtWidgets import QApplication, QMessageBox

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


IMPORT_TIMEOUT = 90.0


def drive_import(app, window, pump, result: dict, folder: str, out_type: str, cancel_after: float | None,
                 quit_after: float | None, at_stage: str | None = None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    lib = window.open_library()
    pump(0.3)
    if lib.start_import(folder, out_type) is None:
        result["problem"] = "the import did not start"
        return 7
    ended = lambda: lib.job is None  # noqa: E731
    code = 0
    if cancel_after is not None or quit_after is not None:
        if at_stage:  # wait for the stage (e.g. "Quantizing"), then the delay
            pump(IMPORT_TIMEOUT, lambda: ended() or at_stage.lower() in lib.stage_label.text().lower())
        pump(cancel_after if cancel_after is not None else quit_after, ended)
        result["interrupted_at"] = lib.stage_label.text()
        if ended():
            result["note"] = "the import ended before it could be interrupted"
        elif cancel_after is not None:
            t0 = time.monotonic()
            lib.cancel_import()
            ok = pump(STOP_GRACE + 3, ended)
            result["cancel_seconds"] = round(time.monotonic() - t0, 2)
            if not ok or result["cancel_seconds"] > STOP_GRACE:
                result["problem"] = f"Cancel took {result['cancel_seconds']}s" if ok else "Cancel did not end the import"
                code = 7
        else:
            def answer() -> None:  # the question asked on quit: "Stop and quit"
                for w in app.topLevelWidgets():
                    if isinstance(w, QMessageBox) and w.objectName() == "hanashi-quit-import":
                        for b in w.buttons():
                            if w.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole:
                                result["asked"] = True
                                b.click()
                                return
                QTimer.singleShot(100, answer)

            QTimer.singleShot(200, answer)
            t0 = time.monotonic()
            window.close()
            ok = pump(STOP_GRACE + 3, lambda: ended() and not window.isVisible())
            result["quit_seconds"] = round(time.monotonic() - t0, 2)
            if not ok or result["quit_seconds"] > STOP_GRACE + 0.5:
                result["problem"] = f"quitting took {result['quit_seconds']}s" if ok else "quitting did not end the import"
                code = 7
            result["stage"] = lib.stage_label.text()
            return code
    elif not pump(IMPORT_TIMEOUT, ended):
        result["problem"] = "the import did not end"
        lib.cancel_import()
        pump(STOP_GRACE, ended)
        code = 7
    result["stage"] = lib.stage_label.text()
    result["message_boxes"] = [b.text()[:400] for b in _boxes()]
    if "failed" in result["stage"].lower() or any("could not be converted" in m for m in result["message_boxes"]):
        result["import_failed"] = (result["message_boxes"] or [result["stage"]])[-1]
    for b in _boxes():
        b.close()
    return code


def drive(app, result: dict, job: dict | None = None) -> int:
    from app.gui.main_window import MainWindow

    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
    if not windows:
        result["problem"] = "no main window"
        return 6
    window = windows[0]
    state = {"loaded": None, "failed": None, "finished": None, "reply_failed": None}
    window.client.loaded.connect(lambda facts: state.__setitem__("loaded", getattr(facts, "name", "?")))
    window.client.load_failed.connect(lambda path, err, kept: state.__setitem__("failed", str(err)[:400]))
    window.client.finished.connect(lambda rid, res: state.__setitem__("finished", getattr(res, "text", "")[:200]))
    window.client.failed.connect(lambda rid, err: state.__setitem__("reply_failed", str(err)[:400]))

    def pump(seconds: float, until=lambda: False) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            if until():
                return True
            time.sleep(0.02)
        return bool(until())

    pump(LOAD_TIMEOUT, lambda: not window.client.busy and (window.facts is not None or _boxes()
                                                           or state["failed"] or state["loaded"]))
    pump(1.0, lambda: not window.client.busy)  # a failed load falls back to the demo
    result.update(loaded=window.facts.name if window.facts else None, load_failed=state["failed"])
    if job:
        code = drive_import(app, window, pump, result, **job)
        if window.isVisible():
            window.close()
            pump(0.2)
        return code
    result["message_boxes"] = [b.text()[:300] for b in _boxes()]
    if not result["load_failed"] and result["message_boxes"]:
        result["load_failed"] = result["message_boxes"][0]
    for b in _boxes():
        b.close()
    window.open_library()
    pump(1.0)
    lib = window.library_window
    if lib is not None:
        from PySide6.QtWidgets import QAbstractItemView

        views = lib.findChildren(QAbstractItemView)
        result["library_rows"] = sum(v.model().rowCount() for v in views if v.model() is not None)
        lib.close()
    code = 0
    if window.client.busy and not window.client.generating:
        result["problem"] = "the model is still loading"
        code = 3
    elif window.facts is not None:
        window.composer.set_text(MESSAGE)
        window.composer.submit()
        done = pump(REPLY_BEFORE_STOP, lambda: state["finished"] is not None or state["reply_failed"] is not None)
        if not done and window.client.generating:
            t0 = time.monotonic()
            window.stop()
            if not pump(STOP_GRACE + 3, lambda: not window.client.generating):
                result["problem"] = "Stop did not end the reply"
                code = 4
            result["stop_seconds"] = round(time.monotonic() - t0, 2)
            if code == 0 and result["stop_seconds"] > STOP_GRACE:
                result["problem"] = f"Stop took {result['stop_seconds']}s"
                code = 4
        result.update(reply=state["finished"], reply_failed=state["reply_failed"])
        result["message_boxes"] += [b.text()[:300] for b in _boxes()]
        for b in _boxes():
            b.close()
    t0 = time.monotonic()
    window.close()
    pump(0.2)
    result["close_seconds"] = round(time.monotonic() - t0, 2)
    if code == 0 and result["close_seconds"] > CLOSE_LIMIT:
        result["problem"] = f"closing took {result['close_seconds']}s"
        code = 5
    return code


def main() -> int:
    args = sys.argv[1:]

    def option(name: str, convert=str):
        if name in args:
            i = args.index(name)
            value = convert(args[i + 1])
            del args[i:i + 2]
            return value
        return None

    ctx = option("--ctx", int)
    keep_settings = "--keep-settings" in args
    long_message = "--long" in args
    args = [a for a in args if a not in ("--keep-settings", "--long")]
    if long_message:
        global MESSAGE
        MESSAGE = "これは長い文章です。" * 120
    folder = option("--import")
    job = None
    if folder:
        job = {"folder": folder, "out_type": option("--type") or "f32",
               "cancel_after": option("--cancel-after", float), "quit_after": option("--quit-after", float),
               "at_stage": option("--at-stage")}
    from PySide6.QtCore import QTimer

    from app import settings as settings_io
    from app.gui.app import application, run

    if not keep_settings:  # else the app meets the settings file the test left (maybe a hostile one)
        s = settings_io.load()
        s.threads, s.language = 1, "en"
        if ctx:
            s.n_ctx = ctx
        settings_io.save(s)
    app = application()
    result: dict = {"model": args[0] if args else None}
    codes = []

    def script() -> None:
        try:
            codes.append(drive(app, result, job))
        finally:
            app.quit()

    QTimer.singleShot(0, script)
    exit_code = run(["--lang", "en", *args])
    result["app_exit"] = exit_code
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    return codes[0] if codes else 6


if __name__ == "__main__":
    sys.exit(main())
