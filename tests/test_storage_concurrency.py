"""Several writers on one database (the app and ``hanashi chat --save``, two windows): every
write lands, none is refused as "locked", and a lock held too long is reported, not waited on forever."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from app.storage import Storage, StorageError

ROOT = Path(__file__).resolve().parents[1]

WRITER = textwrap.dedent("""
    import sys, time
    from app.storage import Storage, USER, ASSISTANT
    path, name, count, shared = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    store = Storage(path)
    own = store.create_conversation(name).id
    print("READY", flush=True)
    while not __import__("os").path.exists(path + ".go"):
        time.sleep(0.01)
    for i in range(count):
        # Half into this writer's own conversation, half into the one both write to.
        cid = shared if i % 2 else own
        store.add_message(cid, USER if i % 4 < 2 else ASSISTANT, f"{name} {i}")
    store.close()
    print("DONE", flush=True)
""")


def test_two_processes_write_3000_messages_together_without_an_error(tmp_path):
    path = tmp_path / "conversations.sqlite3"
    first = Storage(path)
    shared = first.create_conversation("shared").id
    first.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, "1500", str(shared)], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("app", "cli")]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "READY"
        Path(str(path) + ".go").touch()  # both start writing at once
        results = [p.communicate(timeout=300) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0 and err == "" and out.split() == ["DONE"], (p.returncode, err)
    db = sqlite3.connect(path)
    rows = db.execute("SELECT content FROM messages").fetchall()
    per_conversation = dict(db.execute("SELECT conversation_id, count(*) FROM messages GROUP BY conversation_id"))
    versions = dict(db.execute("SELECT id, version FROM conversations"))
    db.close()
    assert sorted(r[0] for r in rows) == sorted(f"{n} {i}" for n in ("app", "cli") for i in range(1500))
    assert per_conversation[shared] == 1500 and sorted(per_conversation.values()) == [750, 750, 1500]
    assert versions == per_conversation  # one version step per message, none lost


def test_a_write_waits_out_a_lock_longer_than_the_busy_timeout(tmp_path):
    path = tmp_path / "c.sqlite3"
    store = Storage(path, busy_timeout=0.05, retry_for=5.0)
    c = store.create_conversation()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another writer, busy for 0.5 s: ten busy timeouts
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        start = time.monotonic()
        store.add_message(c.id, "user", "待ってから書く")
        assert time.monotonic() - start >= 0.4
        assert [m.content for m in store.messages(c.id)] == ["待ってから書く"]
    finally:
        release.join()
        holder.close()
        store.close()


def test_a_lock_that_never_ends_is_reported_after_a_bounded_wait(tmp_path):
    path = tmp_path / "c.sqlite3"
    store = Storage(path, busy_timeout=0.05, retry_for=0.3)
    c = store.create_conversation()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        start = time.monotonic()
        with pytest.raises(StorageError) as e:
            store.add_message(c.id, "user", "x")
        assert e.value.kind == "locked" and "another program" in e.value.message
        assert 0.3 <= time.monotonic() - start < 3
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()
