"""Persona presets in the database: built-in Japanese ones, the user's own saved, edited, deleted."""

from __future__ import annotations

import pytest

from app.storage import PersonaRefused, Storage
from app.storage_personas import BUILTIN, MAX_NAME, MAX_PROMPT


@pytest.fixture
def store(tmp_path):
    s = Storage(tmp_path / "c.sqlite3")
    yield s
    s.close()


def test_japanese_presets_are_built_in(store):
    names = [p.name for p in store.personas() if p.builtin]
    assert names[:4] == ["丁寧なアシスタント", "翻訳者", "要約", "ため口の友だち"]
    for p in BUILTIN:
        assert p.builtin and p.id < 0 and len(p.prompt) > 40
        assert store.persona(p.id) == p
        # Plain instructions: no line the persona parser would take as a turn.
        assert not any(line.startswith(("User:", "Assistant:", "ユーザー:", "システム:")) for line in p.prompt.splitlines())
    assert "です・ます調" in store.persona(-1).prompt and "ため口" in store.persona(-4).prompt


def test_save_edit_and_delete_your_own_presets(tmp_path, store):
    teacher = store.save_persona("  やさしい  先生 ", "あなたは小学生にも分かるように説明する先生です。")
    assert teacher.name == "やさしい 先生" and teacher.id > 0 and not teacher.builtin
    poet = store.save_persona("詩人", "五七五で答えてください。")
    assert [p.name for p in store.personas() if not p.builtin] == ["やさしい 先生", "詩人"]

    edited = store.save_persona("先生", "中学生向けに説明してください。", teacher.id)  # renamed and rewritten
    assert edited.id == teacher.id and store.persona(teacher.id).prompt == "中学生向けに説明してください。"
    assert store.persona(teacher.id).name == "先生"

    store.delete_persona(poet.id)
    store.delete_persona(poet.id)  # already gone: nothing to do
    with pytest.raises(KeyError):
        store.persona(poet.id)
    assert [p.name for p in store.personas() if not p.builtin] == ["先生"]

    store.close()
    again = Storage(tmp_path / "c.sqlite3")  # kept in the database: the terminal chat sees them too
    try:
        assert [(p.name, p.prompt) for p in again.personas() if not p.builtin] == [("先生", "中学生向けに説明してください。")]
    finally:
        again.close()


def test_built_in_presets_cannot_be_changed_or_deleted(store):
    with pytest.raises(PersonaRefused) as e:
        store.delete_persona(-2)
    assert e.value.code == "builtin"
    with pytest.raises(PersonaRefused) as e:
        store.save_persona("翻訳者2", "x", -2)
    assert e.value.code == "builtin"
    assert store.persona(-2).name == "翻訳者"


@pytest.mark.parametrize("name, prompt, code", [
    ("", "x", "empty_name"), ("   \n\t ", "x", "empty_name"), ("あ" * (MAX_NAME + 1), "x", "long_name"),
    ("翻訳者", "x", "builtin_name"), ("要約", "x", "builtin_name"), ("ok", "x" * (MAX_PROMPT + 1), "long_prompt"),
])
def test_bad_preset_values_are_refused_with_a_code(store, name, prompt, code):
    with pytest.raises(PersonaRefused) as e:
        store.save_persona(name, prompt)
    assert e.value.code == code and str(e.value)
    assert [p for p in store.personas() if not p.builtin] == []


def test_a_name_is_used_once(store):
    a = store.save_persona("Coder", "コードで答えて")
    with pytest.raises(PersonaRefused) as e:
        store.save_persona("coder", "別の")
    assert e.value.code == "taken" and e.value.name == "coder"
    b = store.save_persona("Other", "y")
    with pytest.raises(PersonaRefused):
        store.save_persona("CODER", "y", b.id)  # renaming onto another's name
    assert store.save_persona("coder", "新しい", a.id).prompt == "新しい"  # its own name, another case: fine


def test_saving_a_preset_deleted_meanwhile_creates_it_again(tmp_path, store):
    p = store.save_persona("メモ", "短く答えて")
    other = Storage(tmp_path / "c.sqlite3")
    try:
        other.delete_persona(p.id)
    finally:
        other.close()
    again = store.save_persona("メモ", "とても短く答えて", p.id)
    assert store.persona(again.id).prompt == "とても短く答えて"
