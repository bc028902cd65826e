"""Files the app reads at start and model files the library lists, when they are hostile:

* settings.json, model-checks.json, the conversation database (and its WAL files) or a persona that
  is a named pipe, a folder, a symlink loop or too large: a clear message or the defaults, never a hang;
* GGUFs llama.cpp refuses (a version other than 2 or 3, tensor data off the alignment, overlapping,
  with gaps or past the end): listed as unusable with a reason naming the tensor;
* a symlink loop as a model: "a link that points to itself", not "no such model file";
* ``--ctx``: the context used, the note and the status line agree.

Every read that could block runs in a daemon thread or a subprocess with a deadline, so a
regression fails the test instead of hanging it.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app import library, paths
from app import settings as settings_io
from app.engine import load_probe
from app.engine.errors import ModelNotFoundError
from app.engine.loader import choose_context, context_used, read_model_info
from app.settings import Settings
from app.storage import Storage, StorageError, move_aside
from quantize.gguf_check import checked_info, find_problems
from quantize.gguf_info import GGUFInfo, read_info

ROOT = Path(__file__).resolve().parents[1]
DEMO = paths.DEMO_MODEL


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("HANASHI_DATA_DIR", str(path))
    return path


def _env(tmp_path: Path) -> dict:
    return {**os.environ, "HANASHI_DATA_DIR": str(tmp_path / "data"), "PYTHONIOENCODING": "utf-8",
            "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def within(seconds: float, fn):
    """``fn()``'s result, failing the test (not hanging it) when it takes longer than ``seconds``."""
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            out["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{fn} did not return within {seconds} s (it blocks)"
    if "error" in out:
        raise out["error"]
    return out["value"]


# ------------------------------------------------------------------ settings.json


@pytest.mark.parametrize("kind", ["fifo", "folder", "symlink-loop", "too-large", "dev-zero"])
def test_a_settings_file_that_is_not_a_small_regular_file_gives_defaults_and_says_why(data_dir, kind):
    path = data_dir / "settings.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "symlink-loop":
        path.symlink_to("settings.json")
    elif kind == "too-large":
        path.write_text('{"theme": "dark", "pad": "' + "x" * (settings_io.MAX_BYTES + 10) + '"}')
    else:
        path.symlink_to("/dev/zero")
    s = within(10, settings_io.load)
    assert s == Settings()
    why = {"fifo": "named pipe (FIFO)", "folder": "a folder", "symlink-loop": "points to itself (a symlink loop)",
           "too-large": "at most 1,048,576 bytes", "dev-zero": "a device"}[kind]
    assert str(path) in s.problem and why in s.problem and "defaults" in s.problem, s.problem
    if kind != "symlink-loop":  # kept aside, so that saving the settings later loses nothing
        assert "settings.json.broken" in s.problem and os.path.lexists(data_dir / "settings.json.broken")
        assert not os.path.lexists(path)
        settings_io.save(Settings(theme="dark"))
        assert settings_io.load().theme == "dark"


def test_a_regular_settings_file_through_a_link_still_loads(data_dir, tmp_path):
    real = tmp_path / "real-settings.json"
    real.write_text(json.dumps({"theme": "dark", "n_ctx": 512}))
    (data_dir / "settings.json").symlink_to(real)
    s = settings_io.load()
    assert (s.theme, s.n_ctx, s.problem) == ("dark", 512, "")


def test_an_unusable_data_folder_gives_default_settings_with_the_reason(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("HANASHI_DATA_DIR", str(blocker))
    s = settings_io.load()
    assert s == Settings() and "data folder cannot be used" in s.problem


# ------------------------------------------------------------------ model-checks.json


@pytest.mark.parametrize("kind", ["fifo", "folder", "too-large", "not-json"])
def test_a_hostile_model_check_cache_is_ignored_and_replaced(data_dir, kind):
    path = data_dir / load_probe.CACHE_NAME
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "too-large":
        with open(path, "wb") as f:
            f.truncate(load_probe._MAX_CACHE_BYTES + 1)
    else:
        path.write_text("{" * 100_000)
    assert within(10, lambda: load_probe._read_cache(load_probe._cache_path())) == {}
    if kind != "folder":
        load_probe._write_cache(path, {"x": {"ok": True}})
        assert json.loads(path.read_text()) == {"x": {"ok": True}}


# ------------------------------------------------------------------ the conversation database


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_a_pipe_as_the_database_is_refused_and_can_be_kept_aside(data_dir, suffix):
    db = paths.database_path()
    os.mkfifo(str(db) + suffix)
    with pytest.raises(StorageError) as e:
        within(10, Storage)
    assert e.value.kind == "corrupt"  # the app offers "keep it aside and start a new one"
    assert f"{db.name}{suffix} is a named pipe (FIFO)" in str(e.value) and "How to fix" in str(e.value)
    move_aside(db)
    within(10, lambda: Storage().close())  # a fresh database opens (made in the thread, closed there)
    store = Storage()
    try:
        convo = store.create_conversation()
        assert store.conversation(convo.id).id == convo.id
    finally:
        store.close()


def test_a_symlink_loop_as_the_database_is_refused_and_can_be_kept_aside(data_dir):
    db = paths.database_path()
    db.symlink_to(db.name)
    with pytest.raises(StorageError) as e:
        within(10, Storage)
    assert e.value.kind == "corrupt" and "a link that points to itself (a symlink loop)" in str(e.value)
    aside = move_aside(db)
    assert aside.is_symlink() and not os.path.lexists(db)
    within(10, lambda: Storage().close())


def test_a_folder_as_the_database_is_refused(data_dir):
    paths.database_path().mkdir()
    with pytest.raises(StorageError) as e:
        Storage()
    assert "is a folder" in str(e.value)


# ------------------------------------------------------------------ the persona file of `hanashi chat`


def test_a_pipe_as_the_persona_file_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "persona.txt"
    os.mkfifo(fifo)
    p = subprocess.run([sys.executable, "-m", "app", "chat", str(DEMO), "--persona", str(fifo)],
                       capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=60,
                       stdin=subprocess.DEVNULL, env=_env(tmp_path))
    assert p.returncode == 2, p.stderr
    assert "cannot read the persona file" in p.stderr and "named pipe (FIFO)" in p.stderr
    assert "Traceback" not in p.stderr


# ------------------------------------------------------------------ GGUFs llama.cpp refuses


def _layout(path: Path) -> tuple[int, list[int], int]:
    """(alignment, the file position of each tensor's data-offset field, the data start) of a GGUF."""
    import gguf

    r = gguf.GGUFReader(str(path), "r")
    align = int(r.fields["general.alignment"].parts[-1][0]) if "general.alignment" in r.fields else 32
    positions = [t.field.offset + sum(p.nbytes for p in t.field.parts[:-1]) for t in r.tensors]
    return align, positions, int(r.data_offset)


def _edited(tmp_path: Path, name: str, edit) -> Path:
    data = bytearray(DEMO.read_bytes())
    edit(data, *_layout(DEMO))
    out = tmp_path / f"{name}.gguf"
    out.write_bytes(bytes(data))
    return out


def _offset(data: bytearray, pos: int) -> int:
    return struct.unpack_from("<Q", data, pos)[0]


def _set_offset(data: bytearray, pos: int, value: int) -> None:
    struct.pack_into("<Q", data, pos, value)


EDITS = {
    "version-99": (lambda d, a, ps, s: struct.pack_into("<I", d, 4, 99), "GGUF version 99", None),
    "version-flipped": (lambda d, a, ps, s: d.__setitem__(5, d[5] ^ 0xFF), "GGUF version 65283", None),
    "version-1": (lambda d, a, ps, s: struct.pack_into("<I", d, 4, 1), "GGUF version 1 is too old", None),
    "version-0": (lambda d, a, ps, s: struct.pack_into("<I", d, 4, 0), "GGUF version 0 is not one llama.cpp reads",
                  None),
    "version-big-endian": (lambda d, a, ps, s: struct.pack_into(">I", d, 4, 3), "other byte order", None),
    "offset-misaligned": (lambda d, a, ps, s: _set_offset(d, ps[1], _offset(d, ps[1]) + 1),
                          "not a multiple of the file's alignment", 1),
    "offsets-overlap": (lambda d, a, ps, s: _set_offset(d, ps[2], 0), "overlaps tensor", 2),
    "offset-gap": (lambda d, a, ps, s: _set_offset(d, ps[1], _offset(d, ps[1]) + a),
                   "needs the tensors stored one after another", 1),
    "offset-past-end": (lambda d, a, ps, s: _set_offset(d, ps[-1], _offset(d, ps[-1]) + 64 * a),
                        "runs past the end of the file", -1),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_a_gguf_llama_cpp_refuses_is_listed_as_unusable_with_the_reason(name, tmp_path):
    edit, words, tensor_index = EDITS[name]
    path = _edited(tmp_path, name, edit)
    entry = library.read_entry(path)
    assert not entry.usable and words in entry.error, entry.error
    if tensor_index is not None:  # the message names the tensor
        import gguf

        tensor = gguf.GGUFReader(str(DEMO), "r").tensors[tensor_index].name
        assert repr(tensor) in entry.error, entry.error
    with pytest.raises(Exception) as e:
        read_model_info(path)
    assert words in str(e.value)
    # llama.cpp's own reader agrees: it refuses the file (checked in a child, where an abort is harmless).
    code = ("import sys\nfrom quantize import llama_lib\nllama_cpp = llama_lib.load()\n"
            "p = llama_cpp.llama_model_default_params()\np.vocab_only = True\n"
            "from quantize import llama_log\nllama_log.quiet()\n"
            "m = llama_cpp.llama_model_load_from_file(sys.argv[1].encode(), p)\nprint('LOADED' if m else 'REFUSED')\n")
    p = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120,
                       env=_env(tmp_path))
    assert "LOADED" not in p.stdout, f"llama.cpp loads {name}, so the library must not refuse it"


def test_a_row_that_is_not_whole_blocks_is_named(tmp_path):
    """llama.cpp refuses a quantized tensor whose first dimension is not a multiple of its block size."""
    import gguf

    r = gguf.GGUFReader(str(DEMO), "r")
    i, t = next((i, t) for i, t in enumerate(r.tensors) if t.tensor_type == gguf.GGMLQuantizationType.Q8_0)
    data = bytearray(DEMO.read_bytes())
    _, positions, _ = _layout(DEMO)
    ne0 = positions[i] - 4 - 8 * len(t.shape)
    struct.pack_into("<Q", data, ne0, int(t.shape[0]) - 1)
    bad = tmp_path / "rows.gguf"
    bad.write_bytes(bytes(data))
    problems = [str(p) for p in find_problems(bad)]
    assert any(f"tensor {t.name}" in p and "multiple of 32" in p for p in problems), problems
    assert not library.read_entry(bad).usable


def test_the_demo_and_its_aligned_layout_pass():
    assert library.read_entry(DEMO).usable
    info = checked_info(DEMO)
    assert isinstance(info, GGUFInfo) and info.name


# ------------------------------------------------------------------ a model that is a symlink loop


def test_a_symlink_loop_as_a_model_says_so(data_dir):
    loop = paths.models_dir() / "loop.gguf"
    loop.symlink_to("loop.gguf")
    dangling = paths.models_dir() / "dangling.gguf"
    dangling.symlink_to("/nonexistent/model.gguf")
    with pytest.raises(ModelNotFoundError) as e:
        read_model_info(loop)
    assert "a link that points to itself (a symlink loop)" in str(e.value)
    assert "no such model file" not in str(e.value)
    with pytest.raises(Exception) as e:
        read_info(loop)
    assert "symlink loop" in str(e.value)
    with pytest.raises(ModelNotFoundError) as e:
        read_model_info(dangling)
    assert "a link to a file that does not exist" in str(e.value)
    entries = {e.path.name: e for e in library.list_models([str(loop)])}
    assert "symlink loop" in entries["loop.gguf"].error
    assert library.in_library(loop) and not library.same_file(loop, DEMO) and not library.is_demo(loop)
    assert library.is_demo(DEMO) and library.same_file(loop, loop)
    assert library.default_model(str(loop), [str(loop)]) == DEMO
    folder_loop = data_dir / "hf-folder"
    folder_loop.symlink_to("hf-folder")
    assert library.import_target(folder_loop, "q8_0").name == "hf-folder-q8_0.gguf"


# ------------------------------------------------------------------ --ctx: the note and the status line agree


def _info(n_ctx: int, limit: int = 0) -> GGUFInfo:
    return GGUFInfo(path=DEMO, size=0, architecture="gptneox", n_ctx=n_ctx, context_limit=limit)


@pytest.mark.parametrize("trained, limit, requested, asked, used, note", [
    (2048, 0, None, 2048, 2048, ""),
    (2048, 1000, None, 1000, 1000, ""),  # llama.cpp holds 1024; the card's limit is kept
    (2048, 0, 1, 64, 256, "context 1 is too small to hold a prompt and a reply; using 256 (llama.cpp sets up"),
    (2048, 0, 64, 64, 256, "context 64 is rounded up to 256: llama.cpp sets up the context in steps of 256"),
    (2048, 0, 300, 300, 512, "context 300 is rounded up to 512"),
    (2048, 0, 256, 256, 256, ""),
    (2048, 0, 5000, 2048, 2048, "context 5000 is more than the model supports; using 2048"),
    (2048, 400, 300, 300, 400, "rounded up to 400: llama.cpp sets up the context in steps of 256 tokens, and the "
                               "model allows at most 400"),
    (128, 0, 1, 64, 128, "using 128"),  # a model trained on 128 tokens never runs past them
    (48, 0, 1, 48, 48, "using 48"),
])
def test_the_context_used_is_the_one_the_note_names(trained, limit, requested, asked, used, note):
    got, text = choose_context(_info(trained, limit), requested)
    assert (got, context_used(_info(trained, limit), got)) == (asked, used)
    assert (note in text) if note else text == "", text


def test_ctx_in_the_terminal_chat_is_what_the_note_and_the_header_say(tmp_path):
    """``--ctx 1`` once said 64 while the header said 256, and ``--ctx 300`` showed 512 without a word."""
    env = _env(tmp_path)
    for ctx, header, note in (("1", "context 256 tokens", "using 256"), ("300", "context 512 tokens", "up to 512"),
                              ("512", "context 512 tokens", None)):
        p = subprocess.run([sys.executable, "-m", "app", "chat", str(DEMO), "--ctx", ctx, "--threads", "1"],
                           input="こんにちは\n", capture_output=True, text=True, encoding="utf-8", cwd=ROOT,
                           timeout=180, env=env)
        assert p.returncode == 0, p.stderr[-2000:]
        text = p.stdout + p.stderr
        assert header in text, text[-2000:]
        if note:
            assert f"Note: context {ctx} " in text and note in text, text[-2000:]
        else:
            assert "Note: context" not in text, text[-2000:]
