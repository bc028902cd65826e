"""Hostile inputs against the conversation features: the database (schema 3, search, presets,
token counts), export, ``hanashi chat --save``, the window settings and the single-instance socket.

Every case asserts the outcome the project promises: a clear error naming what, where and how to
fix it, or the input handled correctly, never a traceback, a hang, a partial file or a wrong
result accepted silently. Databases are made by ``Storage`` and then damaged with sqlite3 directly.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import export, settings as settings_mod
from app.export_cli import conversation_id_arg as _id
from app.storage import Storage, StorageError
from app.storage_personas import BUILTIN, PersonaRefused

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "assets" / "models" / "hanashi-demo.gguf"


def _env(data: Path) -> dict:
    return {**os.environ, "HANASHI_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}


def _hanashi(data: Path, *args: str, stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=_env(data), input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def _no_traceback(p: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr[-3000:]


def _db(data: Path) -> Path:
    return data / "conversations.sqlite3"


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("HANASHI_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def filled(data) -> tuple[Path, int]:
    """A database with one conversation of two messages."""
    s = Storage(_db(data))
    c = s.create_conversation(model="/models/a.gguf")
    s.add_message(c.id, "user", "量子化とは何ですか")
    s.add_message(c.id, "assistant", "重みを少ないビットで表すことです。", model="demo", stats={"tokens": 9})
    s.close()
    return _db(data), c.id


def _raw(path: Path, *sql: str) -> None:
    db = sqlite3.connect(str(path), isolation_level=None)
    try:
        for statement in sql:
            db.execute(statement)
    finally:
        db.close()


# ------------------------------------------------------------ damaged rows


@pytest.mark.parametrize("value", ["not json", "[1, 2, 3]", "42", "null", "\"text\"", "{\"x\": " * 50 + "1" + "}" * 50,
                                   "{\"m\": 1e400}", "{\"m\": -5}", "{\"m\": 3.5}", "{\"m\": \"7\"}"])
def test_damaged_token_counts_read_as_unknown(filled, value):
    path, cid = filled
    _raw(path, f"UPDATE messages SET tokens = {_sql_literal(value)}")
    s = Storage(path)
    try:
        counts = s.token_counts(cid, "m")
        assert counts == {}  # never a wrong count, never an exception
        ids = [m.id for m in s.messages(cid)]
        s.store_token_counts("m", {ids[0]: 12})  # damaged column replaced, not an SQL error
        assert s.token_counts(cid, "m") == {ids[0]: 12}
    finally:
        s.close()


def test_token_counts_wrong_type_in_column(filled):
    """A BLOB / integer in the TEXT column (SQLite allows it)."""
    path, cid = filled
    _raw(path, "UPDATE messages SET tokens = x'00ff7b7d'", "UPDATE messages SET stats = 12345")
    s = Storage(path)
    try:
        assert s.token_counts(cid, "m") == {}
        msgs = s.messages(cid)
        assert all(isinstance(m.stats, dict) for m in msgs)
    finally:
        s.close()


def test_token_counts_huge_integer_is_not_accepted(filled):
    path, cid = filled
    _raw(path, "UPDATE messages SET tokens = '{\"m\": 9223372036854775807}'")
    s = Storage(path)
    try:
        counts = s.token_counts(cid, "m")
        assert all(isinstance(v, int) for v in counts.values())
    finally:
        s.close()


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.mark.parametrize("value", ["not json", "[1]", "null",
                                   "\"s\"", "5"])
def test_damaged_stats_and_sampling_never_crash(filled, value):
    path, cid = filled
    _raw(path, f"UPDATE messages SET stats = {_sql_literal(value)}",
         f"UPDATE conversations SET sampling = {_sql_literal(value)}")
    s = Storage(path)
    try:
        convo, msgs = s.snapshot(cid)
        assert isinstance(convo.sampling, dict), convo.sampling
        assert all(isinstance(m.stats, dict) for m in msgs), [m.stats for m in msgs]
        rec = export.record(s, cid)
        assert export.read_json(export.to_json([rec]))  # the export stays readable back
    finally:
        s.close()


def test_deeply_nested_stats_json_never_crashes(filled):
    path, cid = filled
    deep = "[" * 100_000 + "]" * 100_000
    _raw(path, f"UPDATE messages SET stats = {_sql_literal(deep)}")
    s = Storage(path)
    try:
        msgs = s.messages(cid)
        assert all(isinstance(m.stats, dict) for m in msgs)
    finally:
        s.close()


@pytest.mark.parametrize("column,value", [("model", "12345"), ("model", "x'deadbeef'"),
                                          ("model", "NULL"), ("title", "x'ff00'"),
                                          ("persona", "42")])
def test_conversation_wrong_column_types_export_cleanly(filled, column, value, tmp_path):
    """A non-text model/title/persona (SQLite stores what it's given) must export or be refused
    clearly, never crash the export with a TypeError."""
    path, cid = filled
    try:
        _raw(path, f"UPDATE conversations SET {column} = {value}")
    except sqlite3.IntegrityError:
        assert value == "NULL"  # the schema itself refuses it: nothing to attack
        return
    s = Storage(path)
    try:
        rec = export.record(s, cid)
        md = export.to_markdown(rec)
        js = export.to_json([rec])
        assert isinstance(md, str) and isinstance(js, str)
        assert export.read_json(js)[0]["id"] == cid
    finally:
        s.close()


def test_huge_model_value_exports(filled):
    path, cid = filled
    _raw(path, f"UPDATE conversations SET model = {_sql_literal('m' * 1_000_000)}")
    s = Storage(path)
    try:
        t0 = time.monotonic()
        md = export.to_markdown(export.record(s, cid))
        assert time.monotonic() - t0 < 5
        assert md.startswith("# ")
    finally:
        s.close()


def test_personas_table_wrong_types(data):
    path = _db(data)
    Storage(path).close()
    _raw(path, "INSERT INTO personas (name, prompt, created, updated) VALUES (42, x'00', 0, 0)")
    s = Storage(path)
    try:
        ps = s.personas()
        assert len(ps) == len(BUILTIN) + 1
        user = ps[-1]
        assert isinstance(user.name, str) and isinstance(user.prompt, str), user
    finally:
        s.close()


# ------------------------------------------------------------ FTS index


def test_fts_table_dropped_is_rebuilt_on_open(filled):
    path, cid = filled
    _raw(path, "DROP TABLE messages_fts")  # the triggers go with it
    s = Storage(path)
    try:
        assert s.full_text
        r = s.search("ビットで")
        assert [h.conversation.id for h in r.hits] == [cid]
        s.add_message(cid, "user", "もう一つの質問です")  # triggers are back
        assert [h.conversation.id for h in s.search("一つの質").hits] == [cid]
    finally:
        s.close()


def test_fts_trigger_dropped_is_rebuilt_on_open(filled):
    path, cid = filled
    _raw(path, "DROP TRIGGER messages_fts_insert")
    s = Storage(path)
    try:
        s.add_message(cid, "user", "新しい文章を追加しました")
        assert [h.conversation.id for h in s.search("文章を追加").hits] == [cid]
    finally:
        s.close()


def test_fts_index_replaced_by_ordinary_table(filled):
    """messages_fts is a plain table of the wrong shape: opening must either rebuild it or refuse clearly."""
    path, cid = filled
    _raw(path, "DROP TABLE messages_fts", "CREATE TABLE messages_fts (junk INTEGER)")
    try:
        s = Storage(path)
    except StorageError as e:
        assert e.fix and e.path
        return
    try:
        s.add_message(cid, "user", "ふつうのテーブルです")
        assert [h.conversation.id for h in s.search("テーブル").hits] == [cid]
    finally:
        s.close()


def test_fts_shadow_table_corrupt(filled):
    """The FTS index's own data damaged: a clear StorageError, or a rebuild; never a raw sqlite3 error."""
    path, cid = filled
    _raw(path, "UPDATE messages_fts_data SET block = x'ffffffffffff' WHERE id > 1")
    try:
        s = Storage(path)
    except StorageError as e:
        assert e.kind == "corrupt" and e.fix
        return
    try:
        try:
            r = s.search("ビットで")
            s.add_message(cid, "user", "まだ書けますか")
        except StorageError as e:
            assert e.fix
            return
        assert [h.conversation.id for h in r.hits] == [cid]
    finally:
        s.close()


def test_fts_shadow_table_corrupt_is_rebuilt_and_messages_still_saved(filled):
    path, cid = filled
    _raw(path, "UPDATE messages_fts_data SET block = x'ffffffffffff' WHERE id > 1")
    s = Storage(path)
    try:
        s.add_message(cid, "user", "まだ書けますか")
        result = s.search("書けますか")
        assert [h.conversation.id for h in result.hits] == [cid]
        assert not result.full_text and "damaged" in result.full_text_missing  # searched one by one
    finally:
        s.close()


# ------------------------------------------------------------ search queries


@pytest.mark.parametrize("query", ['"', '""', "'", "AND", "OR NOT", "NEAR(a b)", "*", "a*", "^ビット", "content:ビット",
                                   "(ビット", "ビット)", "\x00", "\ud800", "ビ\ud800ット", "%", "_", "\\", "-", "{}",
                                   "\u3000",
                                   "a" * 100_000, " ".join(["word"] * 17), "ビット\x00で"])
def test_search_any_query_never_raises(filled, query):
    path, _ = filled
    s = Storage(path)
    try:
        t0 = time.monotonic()
        r = s.search(query)
        assert time.monotonic() - t0 < 5
        assert isinstance(r.hits, list)
    finally:
        s.close()


def test_search_fts_syntax_is_literal(filled):
    path, cid = filled
    s = Storage(path)
    try:
        s.add_message(cid, "user", 'say "AND" NEAR(x) *star* 100%_done')
        for q in ['"AND"', "NEAR(x)", "*star*", "100%_done"]:
            assert [h.conversation.id for h in s.search(q).hits] == [cid], q
        assert s.search("100%done").hits == []  # % is not a wildcard
        assert s.search("zzz*").hits == []
    finally:
        s.close()


def test_search_non_string_query(filled):
    s = Storage(filled[0])
    try:
        assert s.search(None).hits == [] and s.search(123).hits == []
    finally:
        s.close()


def test_search_snippet_is_escaped(filled):
    path, cid = filled
    s = Storage(path)
    try:
        s.add_message(cid, "user", "<script>alert(1)</script> 危険な文字")
        hit = s.search("script").hits[0]
        assert "<script>" not in hit.snippet_html and "&lt;" in hit.snippet_html
    finally:
        s.close()


# ------------------------------------------------------------ migration 2 → 3


def _schema2(path: Path, *rows: str) -> None:
    db = sqlite3.connect(str(path), isolation_level=None)
    db.executescript("""
CREATE TABLE conversations (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL DEFAULT '',
  persona TEXT NOT NULL DEFAULT '', sampling TEXT NOT NULL DEFAULT '{}', created REAL NOT NULL,
  updated REAL NOT NULL, version INTEGER NOT NULL DEFAULT 0);
CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant')), content TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'done', model TEXT NOT NULL DEFAULT '', stats TEXT NOT NULL DEFAULT '{}',
  created REAL NOT NULL, tokens TEXT NOT NULL DEFAULT '{}');
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
PRAGMA user_version = 2;
""")
    for r in rows:
        db.execute(r)
    db.close()


def test_migration_from_2_with_odd_rows(tmp_path):
    path = tmp_path / "c.sqlite3"
    _schema2(path,
             "INSERT INTO conversations VALUES (1, 'a', '', 'bad json', 1, 1, 0)",
             "INSERT INTO conversations VALUES (2, 'b', '', '{}', 1, 1, 0)",
             "INSERT INTO messages VALUES (1, 1, 'assistant', 'x', 'done', 'm-old', '{}', 1, 'junk')",
             "INSERT INTO messages VALUES (2, 1, 'assistant', 'y', 'weird', 12, 'x', 2, '{}')",
             "INSERT INTO messages VALUES (3, 2, 'assistant', '', 'done', '', '{}', 3, '{}')")
    s = Storage(path)
    try:
        assert s.conversation(1).model == "12"  # the newest reply's model, as text
        assert s.conversation(2).model == ""
        assert [h.conversation.id for h in s.search("x").hits] == [1]  # indexed while migrating
        assert s.personas()[:len(BUILTIN)] == list(BUILTIN)
        assert sqlite3.connect(str(path)).execute("PRAGMA user_version").fetchone()[0] == 3
    finally:
        s.close()


def test_migration_from_2_with_personas_table_already_there(tmp_path):
    """A schema-2 file that already has a ``personas`` table (a half-done upgrade, another tool):
    a clear refusal or a working upgrade, never a raw 'table personas already exists'."""
    path = tmp_path / "c.sqlite3"
    _schema2(path, "CREATE TABLE personas (x)")
    try:
        s = Storage(path)
    except StorageError as e:
        assert e.path and e.fix
        assert "disk space" not in e.fix, str(e)  # the file is not full: say what is wrong with it
        assert sqlite3.connect(str(path)).execute("PRAGMA user_version").fetchone()[0] == 2  # rolled back
        return
    s.close()


def test_migration_refused_leaves_file_untouched(tmp_path):
    path = tmp_path / "c.sqlite3"
    _schema2(path, "CREATE TABLE personas (x)")
    before = path.read_bytes()
    with pytest.raises(StorageError):
        Storage(path)
    assert path.read_bytes()[100:] == before[100:] or sqlite3.connect(str(path)).execute(
        "PRAGMA user_version").fetchone()[0] == 2


# ------------------------------------------------------------ personas


@pytest.mark.parametrize("name,code", [("", "empty_name"), ("   \u3000\t", "empty_name"), ("x" * 10_000, "long_name"),
                                       (BUILTIN[0].name, "builtin_name"), (" " + BUILTIN[1].name + " ", "builtin_name")])
def test_persona_bad_names_refused(data, name, code):
    s = Storage(_db(data))
    try:
        with pytest.raises(PersonaRefused) as e:
            s.save_persona(name, "prompt")
        assert e.value.code == code and str(e.value)
        assert len(s.personas()) == len(BUILTIN)  # nothing stored
    finally:
        s.close()


def test_persona_duplicate_and_case_refused(data):
    s = Storage(_db(data))
    try:
        s.save_persona("Coder", "a")
        with pytest.raises(PersonaRefused) as e:
            s.save_persona("coder", "b")
        assert e.value.code == "taken"
        with pytest.raises(PersonaRefused):
            s.save_persona("Coder", "c", persona_id=-1)
        with pytest.raises(PersonaRefused):
            s.delete_persona(-3)
        assert [p.prompt for p in s.personas() if not p.builtin] == ["a"]
    finally:
        s.close()


def test_persona_nul_and_control_characters_in_name(data):
    """A name with NUL or newlines: refused or cleaned, never stored as an invisible duplicate."""
    s = Storage(_db(data))
    try:
        s.save_persona("a b", "x")
        try:
            p = s.save_persona("a\x00b", "y")
        except PersonaRefused as e:
            assert str(e)
            return
        assert "\x00" not in p.name
    finally:
        s.close()


def test_persona_huge_prompt_refused(data):
    s = Storage(_db(data))
    try:
        with pytest.raises(PersonaRefused) as e:
            s.save_persona("big", "あ" * 1_000_000)
        assert e.value.code == "long_prompt"
    finally:
        s.close()


# ------------------------------------------------------------ export (library)


def test_export_to_folder_device_and_existing_file(filled, tmp_path):
    path, cid = filled
    s = Storage(path)
    try:
        text = export.render([export.record(s, cid)], "md")
    finally:
        s.close()
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(export.ExportError) as e:
        export.write_atomic(folder, text)
    assert e.value.fix
    with pytest.raises(export.ExportError) as e:
        export.write_atomic(Path("/dev/null"), text)
    assert e.value.fix
    with pytest.raises(export.ExportError):
        export.write_atomic(tmp_path / "missing" / "x.md", text)
    existing = tmp_path / "x.md"
    existing.write_text("old")
    export.write_atomic(existing, text)
    assert existing.read_text("utf-8") == text
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_export_unwritable_folder_leaves_nothing(filled, tmp_path):
    """`hanashi export -o` into a folder it may not write: one clear line, the old file kept.
    Root ignores file modes, so as root the command runs without the capabilities that let it."""
    path, cid = filled
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "keep.md").write_text("old")
    folder.chmod(0o500)
    as_owner = [] if os.geteuid() else [shutil.which("setpriv") or "setpriv",
                                         "--bounding-set=-dac_override,-dac_read_search", "--"]
    try:
        p = subprocess.run([*as_owner, sys.executable, "-m", "app", "export", str(cid), "--format", "md", "-o",
                            str(folder / "keep.md")], cwd=ROOT, env=_env(path.parent), capture_output=True,
                           text=True, timeout=60)
    finally:
        folder.chmod(0o700)
    _no_traceback(p)
    assert p.returncode == 1 and "How to fix" in p.stderr, p.stderr
    assert (folder / "keep.md").read_text() == "old"
    assert sorted(x.name for x in folder.iterdir()) == ["keep.md"]


def test_export_render_unknown_format():
    with pytest.raises(ValueError):
        export.render([], "xml")


@pytest.mark.parametrize("title", ["../../etc/passwd", "/abs", "..", "...", "\x00", "CON", "a" * 10_000, "ー/ー\\ー"])
def test_export_file_name_stays_in_folder(title):
    name = export.file_name({"id": 7, "title": title}, "md")
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert name.startswith("7") and name.endswith(".md") and len(name.encode()) < 255


def test_export_ten_thousand_messages_is_fast(data, tmp_path):
    path = _db(data)
    s = Storage(path)
    c = s.create_conversation(title="long")
    s.close()
    db = sqlite3.connect(str(path), isolation_level=None)
    db.execute("BEGIN")
    db.executemany("INSERT INTO messages (conversation_id, role, content, created) VALUES (?, ?, ?, ?)",
                   [(c.id, "user" if i % 2 == 0 else "assistant", f"メッセージ {i}", 1000.0 + i) for i in range(10_000)])
    db.execute("COMMIT")
    db.close()
    s = Storage(path)
    try:
        t0 = time.monotonic()
        rec = export.record(s, c.id)
        md = export.to_markdown(rec)
        js = export.to_json([rec])
        back = export.read_json(js)
        assert time.monotonic() - t0 < 5
        assert len(back[0]["messages"]) == 10_000 and "メッセージ 9999" in md
    finally:
        s.close()


def test_read_json_version_true_refused():
    with pytest.raises(export.ExportError):
        export.read_json('{"format": "hanashi-conversations", "version": true, "conversations": []}')


def test_read_json_deeply_nested_refused():
    with pytest.raises(export.ExportError):
        export.read_json("[" * 100_000)


def test_read_json_hostile_documents():
    for text in ["", "[]", "{}", "null", '{"format": "hanashi-conversations", "version": 1}',
                 '{"format": "hanashi-conversations", "version": 1, "conversations": [1]}',
]:
        try:
            export.read_json(text)
        except export.ExportError as e:
            assert str(e)
        else:
            assert text.startswith('{"format"') and '"version": 1' in text and '"conversations": []' in text


# ------------------------------------------------------------ hanashi export (CLI)


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "1.5", "", " ", "0x10", "１"])
def test_export_id_argument_refused(bad):
    import argparse
    try:
        value = _id(bad)
    except argparse.ArgumentTypeError as e:
        assert "--list" in str(e)
    else:
        assert value >= 1 and bad.strip() not in ("0", "-1")


def test_cli_export_hostile_ids(filled):
    path, cid = filled
    data = path.parent
    for args, fragment in [(["export", "0"], "conversation id"), (["export", "--", "-1"], "conversation id"),
                           (["export", "abc"], "conversation id"), (["export", "1", "--format", "xml"], "xml")]:
        p = _hanashi(data, *args)
        _no_traceback(p)
        assert p.returncode in (1, 2), (args, p.stderr)
        assert fragment in p.stderr, (args, p.stderr)
        assert p.stdout == ""


@pytest.mark.parametrize("big", ["9223372036854775808", "999999999999999999999999"])
def test_cli_export_huge_id(filled, big):
    p = _hanashi(filled[0].parent, "export", big)
    _no_traceback(p)
    assert p.returncode == 2 and "is not a conversation id" in p.stderr


def test_cli_export_to_device_folder_and_existing(filled, tmp_path):
    path, cid = filled
    data = path.parent
    p = _hanashi(data, "export", str(cid), "-o", "/dev/null")
    _no_traceback(p)
    assert p.returncode == 1 and "/dev/null" in p.stderr and "How to fix" in p.stderr
    p = _hanashi(data, "export", str(cid), "-o", str(tmp_path / "nope" / "x.md"))
    _no_traceback(p)
    assert p.returncode == 1 and "folder" in p.stderr
    out = tmp_path / "dir"
    out.mkdir()
    p = _hanashi(data, "export", str(cid), "--format", "json", "-o", str(out))
    _no_traceback(p)
    assert p.returncode == 0, p.stderr
    files = list(out.iterdir())
    assert len(files) == 1 and export.read_json(files[0].read_text("utf-8"))[0]["id"] == cid


def test_cli_export_with_no_database_and_a_folder_in_its_place(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    p = _hanashi(data, "export", "--all")
    _no_traceback(p)
    assert p.returncode == 1 and "no conversations yet" in p.stderr
    assert not _db(data).exists()  # export never creates a database
    _db(data).mkdir()
    p = _hanashi(data, "export", "--all")
    _no_traceback(p)
    assert p.returncode == 1 and "How to fix" in p.stderr


def test_cli_export_garbage_database(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    _db(data).write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    before = _db(data).read_bytes()
    p = _hanashi(data, "export", "--all")
    _no_traceback(p)
    assert p.returncode == 1 and "How to fix" in p.stderr
    assert _db(data).read_bytes() == before


def test_cli_export_stdout_closed_early(filled):
    """`hanashi export --all | head -c1`: a closed pipe is not a traceback."""
    path, _ = filled
    proc = subprocess.Popen(f"{sys.executable} -m app export --all --format json | head -c 1", shell=True,
                            cwd=ROOT, env=_env(path.parent), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err, err.decode()[-2000:]
    assert len(out) == 1


# ------------------------------------------------------------ hanashi chat --save


def _chat(data: Path, *extra: str, stdin: str = "こんにちは\n", timeout: float = 60) -> subprocess.CompletedProcess:
    return _hanashi(data, "chat", str(DEMO), "--max-tokens", "8", *extra, stdin=stdin, timeout=timeout)


def test_chat_save_database_is_a_directory(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    _db(data).mkdir()
    p = _chat(data, "--save")
    _no_traceback(p)
    assert p.returncode == 0, p.stderr
    lines = [ln for ln in p.stderr.splitlines() if "without saving" in ln]
    assert len(lines) == 1 and "how to fix" in lines[0], p.stderr
    assert _db(data).is_dir()


def test_chat_save_database_locked_long(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    Storage(_db(data)).close()
    holder = sqlite3.connect(str(_db(data)), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        t0 = time.monotonic()
        p = _chat(data, "--save", timeout=90)
        took = time.monotonic() - t0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _no_traceback(p)
    assert p.returncode == 0, p.stderr
    assert "locked" in p.stderr and "without saving" in p.stderr, p.stderr
    assert took < 60


# A read-only database under `hanashi chat --save`: tests/engine/test_cli_save.py (run without root's
# file-mode override).


@pytest.mark.parametrize("arg", ["0", "-1", "abc", "99999999999999999999999"])
def test_chat_save_bad_ids(filled, arg):
    path, _ = filled
    p = _hanashi(path.parent, "chat", str(DEMO), f"--save={arg}", stdin="", timeout=60)
    _no_traceback(p)
    assert p.returncode == 2, p.stderr
    assert "--list" in p.stderr or "conversation" in p.stderr


# ------------------------------------------------------------ settings


@pytest.mark.parametrize("field,value", [
    ("window_geometry", [0, 0, 10**30, 10**30]), ("window_geometry", [0, 0, -5, 600]),
    ("window_geometry", [0.5, 0, 800, 600]), ("window_geometry", [True, 0, 800, 600]),
    ("window_geometry", "0,0,800,600"), ("window_geometry", [0, 0, 800]), ("window_geometry", None),
    ("window_geometry", [0, 0, float("nan"), 600]), ("window_geometry", {"x": 1}),
    ("window_maximized", "yes"), ("window_maximized", 1), ("window_maximized", None),
    ("sidebar_width", -1), ("sidebar_width", 10**9), ("sidebar_width", 250.5), ("sidebar_width", True),
    ("sidebar_width", "250"), ("threads", -4), ("threads", 10**12), ("threads", True), ("threads", "8"),
    ("threads", 2.0)])
def test_settings_hostile_window_fields_fall_back(tmp_path, field, value):
    path = tmp_path / "settings.json"
    text = json.dumps({field: value, "theme": "dark"}, allow_nan=True)
    path.write_text(text)
    s = settings_mod.load(path)
    default = getattr(settings_mod.Settings(), field)
    assert getattr(s, field) == default
    assert s.theme == "dark"  # the other values are kept
    assert path.read_text() == text  # one bad value is not a damaged file


def test_settings_huge_numbers_and_nan_literals(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"sidebar_width": 1' + "0" * 5000 + ', "window_geometry": [NaN, Infinity, 1e999, -1e999]}')
    s = settings_mod.load(path)  # int('1' + 5000 zeros) is over Python's digit limit
    assert s.sidebar_width == 0 and s.window_geometry == []


def test_settings_save_round_trip_keeps_valid_window_fields(tmp_path):
    path = tmp_path / "settings.json"
    s = settings_mod.Settings()
    s.window_geometry, s.window_maximized, s.sidebar_width = [10, 20, 900, 700], True, 321
    settings_mod.save(s, path)
    back = settings_mod.load(path)
    assert (back.window_geometry, back.window_maximized, back.sidebar_width) == ([10, 20, 900, 700], True, 321)


# ------------------------------------------------------------ single-instance socket


@pytest.fixture(scope="module")
def running_app(tmp_path_factory):
    from app.gui.single_instance import read_owner
    data = tmp_path_factory.mktemp("instance")
    log = open(data.parent / "instance-app.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=_env(data), stdout=log, stderr=log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        owner = read_owner(data)
        if owner.get("pid") == proc.pid and owner.get("server") and os.path.exists(owner["server"]):
            break
        assert proc.poll() is None, (data.parent / "instance-app.log").read_text()
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the app did not take the profile in 90 s")
    yield data, proc, owner["server"]
    proc.kill()
    proc.wait(30)
    log.close()


def _connect(server: str) -> socket.socket:
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(10)
    c.connect(server)
    return c


def _still_serving(data: Path, proc) -> None:
    assert proc.poll() is None, "the app died"
    p = _hanashi(data, timeout=60)
    assert p.returncode == 0 and "already running" in (p.stdout + p.stderr), p.stdout + p.stderr


def _read_all(c: socket.socket, limit: float = 8) -> bytes:
    c.settimeout(limit)
    out = b""
    try:
        while True:
            chunk = c.recv(4096)
            if not chunk:
                return out
            out += chunk
    except (TimeoutError, socket.timeout):
        return out + b"<timeout>"
    except ConnectionResetError:
        return out


@pytest.mark.parametrize("payload", [b"garbage\n", b"\xff\xfe\x00\n", b"[1,2]\n", b'{"model": 5}\n',
                                     b'{"model": "a\\u0000b"}\n', b'{"model": ""}\n', b"[" * 60_000 + b"\n",
                                     b"\n"])
def test_socket_garbage_is_dropped(running_app, payload):
    data, proc, server = running_app
    log = data.parent / "instance-app.log"
    seen = log.stat().st_size
    c = _connect(server)
    c.sendall(payload)
    answer = _read_all(c)
    c.close()
    assert b"ok" not in answer and b"<timeout>" not in answer, answer
    assert proc.poll() is None
    time.sleep(0.2)
    assert b"Traceback" not in log.read_bytes()[seen:]


def test_socket_huge_client_is_cut_off(running_app):
    data, proc, server = running_app
    c = _connect(server)
    sent = 0
    try:
        for _ in range(256):  # 16 MiB without a newline
            c.sendall(b"x" * 65536)
            sent += 65536
    except (BrokenPipeError, ConnectionResetError):
        pass
    c.close()
    assert sent < 16 * 1024 * 1024, "the app kept reading a request far over its limit"
    _still_serving(data, proc)


def test_socket_slow_clients_do_not_block(running_app):
    data, proc, server = running_app
    idle = [_connect(server) for _ in range(20)]  # connected, never send
    try:
        t0 = time.monotonic()
        _still_serving(data, proc)  # a real second start is answered meanwhile
        assert time.monotonic() - t0 < 30
        answer = _read_all(idle[0], limit=8)  # the idle ones are cut off (5 s)
        assert answer == b"", answer
    finally:
        for c in idle:
            c.close()


def test_socket_many_requests_in_one_connection(running_app):
    data, proc, server = running_app
    c = _connect(server)
    c.sendall(b'{"model": null}\n' * 1000)
    answer = _read_all(c)
    c.close()
    assert answer.count(b"\n") <= 1 and b"<timeout>" not in answer
    _still_serving(data, proc)
