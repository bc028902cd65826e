"""Export: JSON that reads back to exactly what is stored, readable Markdown, atomic files, and
``hanashi export`` on the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import export
from app.__main__ import main
from app.storage import ASSISTANT, STOPPED, USER, Storage

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("HANASHI_DATA_DIR", str(path))
    return path


def fill(store: Storage) -> tuple[int, int]:
    a = store.create_conversation(persona="あなたは親切なアシスタントです。\n\n短く答えてください。",
                                  sampling={"temperature": 0.3, "seed": 7}, model="/models/rinna-q8_0.gguf")
    store.add_message(a.id, USER, "日本で一番高い山は?")
    store.add_message(a.id, ASSISTANT, "富士山です。\n\n```python\nprint('<高さ>')\n```", model="rinna q8_0",
                      stats={"tokens_per_s": 12.5, "reason": "stop", "n_generated": 9})
    store.add_message(a.id, USER, "もっと詳しく \"引用\" & <タグ>")
    store.add_message(a.id, ASSISTANT, "標高は3776", status=STOPPED, model="rinna q8_0", stats={"reason": "cancelled"})
    b = store.create_conversation("空の会話")
    return a.id, b.id


def stored(store: Storage, cid: int) -> dict:
    c, messages = store.snapshot(cid)
    return {"id": c.id, "title": c.title, "persona": c.persona, "sampling": c.sampling, "model": c.model,
            "created": c.created, "updated": c.updated,
            "messages": [(m.id, m.role, m.content, m.status, m.model, m.stats, m.created) for m in messages]}


def reread(rec: dict) -> dict:
    out = {k: rec[k] for k in ("id", "title", "persona", "sampling", "model", "created", "updated")}
    out["messages"] = [(m["id"], m["role"], m["content"], m["status"], m["model"], m["stats"], m["created"])
                       for m in rec["messages"]]
    return out


def test_json_reads_back_to_exactly_what_is_stored(tmp_path):
    store = Storage(tmp_path / "c.sqlite3")
    try:
        a, b = fill(store)
        path = export.write_atomic(tmp_path / "out.json", export.to_json(export.all_records(store)))
        records = export.read_json(path.read_text(encoding="utf-8"))
        assert [reread(r) for r in records] == [stored(store, a), stored(store, b)]
        assert "日本で一番高い山は?" in path.read_text(encoding="utf-8")  # readable, not \\u escapes
        assert records[0]["messages"][0]["created_at"].endswith("Z")
    finally:
        store.close()


def test_markdown_shows_title_persona_and_each_message_with_role_model_and_time(tmp_path):
    store = Storage(tmp_path / "c.sqlite3")
    try:
        a, _ = fill(store)
        md = export.to_markdown(export.record(store, a))
    finally:
        store.close()
    lines = md.splitlines()
    assert lines[0] == "# 日本で一番高い山は?"
    assert "- Model: rinna-q8_0.gguf" in lines
    assert "> あなたは親切なアシスタントです。" in lines and ">" in lines and "> 短く答えてください。" in lines
    heads = [line for line in lines if line.startswith("## ")]
    assert [h.split(" · ")[0] for h in heads] == ["## You", "## Assistant", "## You", "## Assistant"]
    assert heads[1].split(" · ")[1] == "rinna q8_0" and len(heads[1].split(" · ")[2]) == len("2024-01-01 12:00")
    assert heads[3].endswith("(stopped before the end)")
    assert "```python\nprint('<高さ>')\n```" in md  # the reply's own Markdown as written
    words = {"you": "あなた", "assistant": "アシスタント"}
    store = Storage(tmp_path / "c.sqlite3")
    try:
        assert "## あなた" in export.to_markdown(export.record(store, a), words)
    finally:
        store.close()


def test_files_are_written_whole_or_not_at_all(tmp_path):
    target = tmp_path / "talk.md"
    target.write_text("old", encoding="utf-8")
    export.write_atomic(target, "新しい")
    assert target.read_text(encoding="utf-8") == "新しい"
    with pytest.raises(export.ExportError) as e:
        export.write_atomic(tmp_path / "missing" / "x.md", "x")
    assert "does not exist" in str(e.value) and "How to fix" in str(e.value)
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(export.ExportError) as e:
        export.write_atomic(tmp_path / "folder.md", "x")
    assert "a folder" in str(e.value)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.md")
        with pytest.raises(export.ExportError, match="named pipe"):
            export.write_atomic(tmp_path / "pipe.md", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["talk.md", "folder.md"] +
                                                                 (["pipe.md"] if hasattr(os, "mkfifo") else []))


@pytest.mark.parametrize("text, what", [
    ("not json", "not JSON"), ("[]", "not a Hanashi"), ('{"format": "other"}', "not a Hanashi"),
    ('{"format": "hanashi-conversations", "version": 99, "conversations": []}', "version 99"),
    ('{"format": "hanashi-conversations", "version": 1}', "no list"),
    ('{"format": "hanashi-conversations", "version": 1, "conversations": [{"id": 1}]}', "\"title\""),
    ('{"format": "hanashi-conversations", "version": 1, "conversations": [{"id": 1, "title": "", "persona": "",'
     ' "sampling": {}, "model": "", "created": 1, "updated": 1, "messages": [{"id": true}]}]}', "message 1"),
])
def test_a_damaged_json_export_is_refused_with_the_reason(text, what):
    with pytest.raises(export.ExportError) as e:
        export.read_json(text)
    assert what in str(e.value)


def test_file_names_are_safe():
    assert export.file_name({"id": 3, "title": 'a/b\\c:d*?"<>|\x00 e'}, "md") == "3-a-b-c-d-e.md"
    assert export.file_name({"id": 4, "title": "..."}, "json") == "4.json"
    assert export.file_name({"id": 5, "title": "富士山の話"}, "md") == "5-富士山の話.md"


def test_hanashi_export_command_line(data_dir, tmp_path, capsysbinary):
    store = Storage()
    try:
        a, b = fill(store)
        expected = [stored(store, a), stored(store, b)]
    finally:
        store.close()

    assert main(["export", "--list"]) == 0
    listing = capsysbinary.readouterr().out.decode("utf-8").splitlines()
    assert listing == [f"{b}\t0\t空の会話", f"{a}\t4\t日本で一番高い山は?"]

    assert main(["export", str(a), "--format", "json"]) == 0  # stdout
    assert [reread(r) for r in export.read_json(capsysbinary.readouterr().out.decode("utf-8"))] == expected[:1]

    assert main(["export", "--all", "--format", "json", "-o", str(tmp_path / "all.json")]) == 0
    assert [reread(r) for r in export.read_json((tmp_path / "all.json").read_text(encoding="utf-8"))] == expected

    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["export", "--all", "--format", "md", "-o", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == [f"{a}-日本で一番高い山は.md", f"{b}-空の会話.md"]
    assert (folder / f"{b}-空の会話.md").read_text(encoding="utf-8").startswith("# 空の会話\n")

    assert main(["export", "999", "--format", "md"]) == 1
    err = capsysbinary.readouterr().err.decode("utf-8")
    assert "there is no conversation 999" in err and "hanashi export --list" in err
    assert main(["export", "1", "-o", str(tmp_path / "nowhere" / "x.md")]) == 1
    assert "does not exist" in capsysbinary.readouterr().err.decode("utf-8")


def test_the_installed_command_exports_to_stdout_and_explains_errors(data_dir):
    env = {**os.environ, "HANASHI_DATA_DIR": str(data_dir)}
    run = subprocess.run([sys.executable, "-m", "app", "export", "1"], cwd=ROOT, env=env, capture_output=True,
                         timeout=120)
    assert run.returncode == 1 and b"no conversations yet" in run.stderr and b"Traceback" not in run.stderr
    store = Storage()
    try:
        a, _ = fill(store)
    finally:
        store.close()
    run = subprocess.run([sys.executable, "-m", "app", "export", str(a), "--format", "json"], cwd=ROOT, env=env,
                         capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.decode("utf-8"))["conversations"][0]["title"] == "日本で一番高い山は?"
    run = subprocess.run([sys.executable, "-m", "app", "export", "abc"], cwd=ROOT, env=env, capture_output=True,
                         timeout=120)
    assert run.returncode == 2 and b"not a conversation id" in run.stderr and b"Traceback" not in run.stderr
