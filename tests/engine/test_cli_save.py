"""``hanashi chat MODEL --save [ID]``: the terminal conversation in the app's database.

The real ``hanashi chat`` runs as a subprocess with the demo model (greedy) and a temporary
HANASHI_DATA_DIR; the database is then read with ``Storage``, as the app reads it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

from engine_helpers import PYTHON, ROOT, hanashi_env

from app.storage import ASSISTANT, DONE, SCHEMA_VERSION, STOPPED, USER, Storage

DEMO = ROOT / "assets" / "models" / "hanashi-demo.gguf"
FIXED = ("--temp", "0", "--max-tokens", "48", "--ctx", "512", "--threads", "1")


def chat(data: Path, *args: str, stdin: str = "", model: Path = DEMO, prefix: list[str] = (),
         timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(hanashi_env(), HANASHI_DATA_DIR=str(data))
    return subprocess.run([*prefix, PYTHON, "-m", "app", "chat", str(model), *FIXED, *args], input=stdin,
                          capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=timeout)


def stored(data: Path) -> Storage:
    return Storage(data / "conversations.sqlite3")


def pairs(store: Storage, cid: int) -> list[tuple[str, str, str]]:
    return [(m.role, m.content, m.status) for m in store.messages(cid)]


def replies(proc: subprocess.CompletedProcess) -> list[str]:
    return proc.stdout.splitlines()


def hanashi_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("hanashi:")]


def test_a_saved_chat_is_a_conversation_the_app_can_open(tmp_path):
    data = tmp_path / "data"
    proc = chat(data, "--save", stdin="日本で一番高い山は?\nこんにちは\n/reset\nありがとう\n")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and not hanashi_lines(proc.stderr)
    fuji, hello, thanks = replies(proc)
    assert fuji.startswith("富士山") and thanks == "どういたしまして。"
    store = stored(data)
    try:
        first, second = sorted(store.conversations(), key=lambda c: c.id)
        assert f"Saving to conversation {first.id} in {store.path}" in proc.stderr
        assert f"saving to conversation {second.id}" in proc.stderr  # /reset: a new saved conversation
        assert first.title == "日本で一番高い山は?" and second.title == "ありがとう"
        assert pairs(store, first.id) == [(USER, "日本で一番高い山は?", DONE), (ASSISTANT, fuji, DONE),
                                          (USER, "こんにちは", DONE), (ASSISTANT, hello, DONE)]
        assert pairs(store, second.id) == [(USER, "ありがとう", DONE), (ASSISTANT, thanks, DONE)]
        assert first.model == second.model == str(DEMO)  # the GGUF, so the app offers it
        reply = store.messages(first.id)[1]
        assert reply.model == "hanashi-demo-instruction-sft"
        assert reply.stats["reason"] and reply.stats["n_generated"] > 0 and reply.stats["n_ctx"] == 512
        assert first.sampling == {"temperature": 0.0, "max_new_tokens": 48}
    finally:
        store.close()


def test_a_saved_chat_without_messages_leaves_no_empty_conversation(tmp_path):
    data = tmp_path / "data"
    proc = chat(data, "--save", stdin="/reset\n")
    assert proc.returncode == 0 and "Saving to conversation 1" in proc.stderr, proc.stderr
    store = stored(data)
    try:
        assert store.conversations() == []
    finally:
        store.close()


def test_save_id_continues_the_conversation_with_its_history_as_context(tmp_path):
    data = tmp_path / "data"
    assert chat(data, "--save", stdin="日本で一番高い山は?\n").returncode == 0
    fresh = chat(tmp_path / "other", "--save", stdin="ありがとう\n")
    proc = chat(data, "--save", "1", stdin="ありがとう\n")
    assert proc.returncode == 0, proc.stderr
    assert "Saving to conversation 1" in proc.stderr and "2 messages so far" in proc.stderr
    assert replies(proc) == replies(fresh) == ["どういたしまして。"]
    store, other = stored(data), stored(tmp_path / "other")
    try:
        assert [c.id for c in store.conversations()] == [1]
        messages = store.messages(1)
        assert [(m.role, m.content) for m in messages] == [
            (USER, "日本で一番高い山は?"), (ASSISTANT, messages[1].content),
            (USER, "ありがとう"), (ASSISTANT, "どういたしまして。")]
        # The stored turns were the context: the prompt held them, a fresh conversation's did not.
        alone = other.messages(1)[1].stats["n_prompt_tokens"]
        assert messages[3].stats["n_prompt_tokens"] > alone + 10
    finally:
        store.close()
        other.close()


def test_save_with_an_unknown_id_says_so_in_one_line(tmp_path):
    data = tmp_path / "data"
    assert chat(data, "--save", stdin="こんにちは\n").returncode == 0
    proc = chat(data, "--save", "7", stdin="こんにちは\n")
    assert proc.returncode == 2 and proc.stdout == ""
    assert hanashi_lines(proc.stderr) == [f"hanashi: there is no conversation 7 in {data / 'conversations.sqlite3'}; "
                                          "see the ids with `hanashi export --list`, or use --save alone for a new one"]
    bad = chat(data, "--save", "zero", stdin="")
    assert bad.returncode == 2 and "is not a conversation id" in bad.stderr and "Traceback" not in bad.stderr


WRITER = """
import sys
from pathlib import Path
from app.storage import USER, Storage

store = Storage(Path(sys.argv[1]))
stop = Path(sys.argv[2])
convo = store.create_conversation(title="the app")
n = 0
print("ready", flush=True)
while not stop.exists():
    store.add_message(convo.id, USER, f"app message {n}")
    n += 1
print(n, flush=True)
"""


def test_the_app_writing_the_same_database_at_once_loses_nothing(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    db, stop = data / "conversations.sqlite3", tmp_path / "stop"
    Storage(db).close()
    writer = subprocess.Popen([PYTHON, "-c", WRITER, str(db), str(stop)], stdout=subprocess.PIPE, text=True,
                              cwd=ROOT, env=hanashi_env())
    try:
        assert writer.stdout.readline().strip() == "ready"
        messages = ["日本で一番高い山は?", "こんにちは", "日本の首都はどこですか?", "ありがとう", "何ができますか?"]
        proc = chat(data, "--save", stdin="".join(m + "\n" for m in messages))
    finally:
        stop.touch()
        out, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0 and proc.returncode == 0, proc.stderr
    assert not hanashi_lines(proc.stderr) and "Traceback" not in proc.stderr
    written = int(out.strip())
    assert written > 10  # the other process really was writing all along
    store = Storage(db)
    try:
        by_title = {c.title: c for c in store.conversations()}
        assert len(store.messages(by_title["the app"].id)) == written
        saved = store.messages(by_title["日本で一番高い山は?"].id)
        assert [m.content for m in saved if m.role == USER] == messages
        assert [m.content for m in saved if m.role == ASSISTANT] == replies(proc)
    finally:
        store.close()


def test_a_stopped_reply_is_saved_as_stopped(tmp_path, endless_gguf):
    data = tmp_path / "data"
    env = dict(hanashi_env(), HANASHI_DATA_DIR=str(data))
    proc = subprocess.Popen([PYTHON, "-m", "app", "chat", str(endless_gguf), "--max-tokens", "100000", "--ctx", "2048",
                             "--threads", "1", "--seed", "1", "--save"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    try:
        proc.stdin.write("今日、\n".encode())
        proc.stdin.flush()
        first = proc.stdout.read1(4096)  # the reply has started streaming
        assert first
        os.kill(proc.pid, signal.SIGINT)  # Ctrl-C: stops the reply, the chat goes on
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err.decode()
    text = (first + rest).decode()
    store = stored(data)
    try:
        (convo,) = store.conversations()
        (question, reply) = store.messages(convo.id)
        assert (question.role, question.content, question.status) == (USER, "今日、", DONE)
        assert (reply.role, reply.status, reply.stats["reason"]) == (ASSISTANT, STOPPED, "cancelled")
        assert text == reply.content + "\n" and reply.content
        assert reply.stats["n_generated"] < 2048
    finally:
        store.close()


def state(folder: Path) -> dict[str, str]:
    """The database's files (and their bytes) in the data folder."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("conversations.*"))}


def test_a_newer_database_is_one_line_and_the_chat_goes_on_unsaved(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    db = sqlite3.connect(data / "conversations.sqlite3", isolation_level=None)
    db.execute("CREATE TABLE conversations (id INTEGER PRIMARY KEY, future TEXT)")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = state(data)
    proc = chat(data, "--save", stdin="日本で一番高い山は?\n")
    assert proc.returncode == 0 and replies(proc)[0].startswith("富士山"), proc.stderr
    (line,) = hanashi_lines(proc.stderr)
    assert "newer Hanashi" in line and "how to fix: update Hanashi" in line
    assert line.endswith("The chat goes on without saving.") and "Traceback" not in proc.stderr
    assert "Saving to" not in proc.stderr
    assert state(data) == before


def test_a_read_only_database_is_one_line_and_the_chat_goes_on_unsaved(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    store = Storage(data / "conversations.sqlite3")
    store.create_conversation(title="kept")
    store.close()
    # Root ignores file modes: as root the chat runs without the capabilities that let it.
    as_owner = [] if os.geteuid() else [shutil.which("setpriv") or "setpriv",
                                         "--bounding-set=-dac_override,-dac_read_search", "--"]
    for p in data.iterdir():
        p.chmod(0o444)
    data.chmod(0o555)
    try:
        before = state(data)
        proc = chat(data, "--save", "1", stdin="こんにちは\n", prefix=as_owner)
        assert proc.returncode == 0 and replies(proc) == ["こんにちは。Hanashiのデモモデルです。"], proc.stderr
        (line,) = hanashi_lines(proc.stderr)
        assert "cannot save this conversation" in line and str(data) in line and "how to fix:" in line
        assert line.endswith("The chat goes on without saving.") and "Traceback" not in proc.stderr
        assert state(data) == before
    finally:
        data.chmod(0o755)
        for p in data.iterdir():
            p.chmod(0o644)
