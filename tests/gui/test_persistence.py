"""Conversations survive a restart, and a killed app loses nothing it showed as finished."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from app import paths
from app.storage import ASSISTANT, DONE, USER

from .helpers import send

ROOT = Path(__file__).resolve().parents[2]


def test_conversations_persist_across_a_restart(qtbot, make_window, chat_gguf):
    first = make_window(chat_gguf)
    result = send(qtbot, first, "日本で一番高い山は?")
    first.new_conversation()
    second_result = send(qtbot, first, "こんにちは")
    first.close()
    first.storage.close()

    again = make_window(chat_gguf)
    # Newest first, and the newest is opened.
    assert [again.sidebar.list.item(i).text() for i in range(again.sidebar.list.count())] == [
        "こんにちは", "日本で一番高い山は?"]
    assert [(b.role, b.content) for b in again.chat.bubbles] == [(USER, "こんにちは"), (ASSISTANT, second_result.text)]
    again.sidebar.list.setCurrentRow(1)
    assert [(b.role, b.content) for b in again.chat.bubbles] == [(USER, "日本で一番高い山は?"), (ASSISTANT, result.text)]
    # The last model used is loaded again at start.
    assert again.facts.path == str(chat_gguf)


def test_the_database_is_sqlite_in_wal_mode_in_the_data_folder(make_window, chat_gguf, data_dir):
    make_window(chat_gguf)
    assert paths.database_path() == data_dir / "conversations.sqlite3"
    db = sqlite3.connect(paths.database_path())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


KILLED_APP = textwrap.dedent("""
    import os, sys
    from PySide6.QtWidgets import QApplication
    from app import settings as settings_io
    from app.gui.main_window import MainWindow
    from app.storage import Storage

    app = QApplication([])
    s = settings_io.load()
    s.threads, s.n_ctx = 2, 2048
    window = MainWindow(Storage(), s)
    window.show()
    state = {"sent": 0}

    def loaded(_facts):
        window.send("最初の質問")

    def finished(_rid, _result):
        state["sent"] += 1
        if state["sent"] == 1:
            convo = window.current_id
            window.storage.set_sampling(convo, {"max_new_tokens": 8000})
            window.send("二番目の質問")

    def text(_rid, _text):
        if state["sent"] == 1:
            print("STREAMING", flush=True)  # the parent kills us now, mid-reply

    window.client.loaded.connect(loaded)
    window.client.finished.connect(finished)
    window.client.text.connect(text)
    window.start(sys.argv[1])
    app.exec()
""")


def test_killing_the_app_mid_reply_loses_nothing_shown_as_finished(endless_gguf, data_dir):
    env = dict(os.environ, HANASHI_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", KILLED_APP, str(endless_gguf)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            if line.strip() == "STREAMING":
                break
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(60)
    assert proc.returncode == -signal.SIGKILL
    db = sqlite3.connect(data_dir / "conversations.sqlite3")
    rows = db.execute("SELECT role, content, status FROM messages ORDER BY id").fetchall()
    db.close()
    # The first exchange was finished and the second question sent: all three are on disk.
    assert [r[0] for r in rows] == [USER, ASSISTANT, USER]
    assert rows[0][1] == "最初の質問" and rows[1][2] == DONE and rows[2][1] == "二番目の質問"
