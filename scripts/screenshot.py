"""Open Hanashi with a Japanese conversation with the demo model and save a PNG of the window.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot.py docs/screenshot.png

The conversation is real: each message is sent through the window and answered by the bundled
demo model (greedy decoding, so the picture is the same every time). Runs in a temporary data
folder unless HANASHI_DATA_DIR is set. Prints the Japanese font it used. The window is captured
from the screen (the X server under Xvfb), falling back to rendering the widget.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# A known question, one the demo doesn't know, and a Markdown reply with a code block.
MESSAGES = ["日本で一番高い山は?", "量子化とは何ですか?", "Markdownの例を見せてください。"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path)
    p.add_argument("--lang", default="ja", choices=["en", "ja"])
    p.add_argument("--theme", default="light", choices=["light", "dark"])
    p.add_argument("--size", default="1100x800")
    a = p.parse_args(argv)
    if not os.environ.get("HANASHI_DATA_DIR"):
        os.environ["HANASHI_DATA_DIR"] = tempfile.mkdtemp(prefix="hanashi-screenshot-")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app import paths
    from app import settings as settings_io
    from app.gui import i18n, theme
    from app.gui.app import application
    from app.gui.main_window import MainWindow
    from app.storage import Storage

    app: QApplication = application()
    font = theme.japanese_font_family()
    print(f"font: {font or 'none'}", flush=True)
    settings = settings_io.load()
    settings.language, settings.theme = a.lang, a.theme
    i18n.install(a.lang)
    theme.apply_theme(app, a.theme)
    storage = Storage()
    window = MainWindow(storage, settings)
    w, h = (int(v) for v in a.size.split("x"))
    window.resize(w, h)
    window.show()
    queue = list(MESSAGES)
    status = {"code": 2}

    def send_next() -> None:
        if queue:
            window.send(queue.pop(0))
            return
        QTimer.singleShot(400, capture)  # let the last layout and paint settle

    def capture() -> None:
        window.chat.scroll_to_end()
        app.processEvents()
        shot = window.screen().grabWindow(window.winId())
        if shot.isNull() or shot.width() < 100:
            shot = window.grab()
        a.out.parent.mkdir(parents=True, exist_ok=True)
        ok = shot.save(str(a.out), "PNG")
        print(f"saved {a.out} ({shot.width()}x{shot.height()})" if ok else f"could not save {a.out}", flush=True)
        status["code"] = 0 if ok else 1
        window.close()
        app.quit()

    def loaded(_facts) -> None:
        if window.current_id is None:
            convo = storage.create_conversation(sampling={"temperature": 0.0})
            window.select_conversation(convo.id)
            send_next()

    def failed(*args) -> None:
        print(f"failed: {args}", file=sys.stderr, flush=True)
        window.close()
        app.quit()

    window.client.loaded.connect(loaded)
    window.client.finished.connect(lambda *_: QTimer.singleShot(50, send_next))
    window.client.failed.connect(failed)
    window.client.load_failed.connect(failed)
    QTimer.singleShot(180_000, failed)  # never hang a test run
    window.start(paths.DEMO_MODEL)
    app.exec()
    storage.close()
    return status["code"]


if __name__ == "__main__":
    sys.exit(main())
