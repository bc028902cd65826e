"""Settings (atomic JSON) and the model library (models folder, demo model, import targets)."""

from __future__ import annotations

import json
import shutil

import pytest

from app import library, paths
from app import settings as settings_io
from app.settings import Settings


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HANASHI_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_data_dir_follows_the_environment(data_dir):
    assert paths.data_dir() == data_dir and data_dir.is_dir()
    assert paths.models_dir() == data_dir / "models"
    assert paths.database_path().parent == data_dir


def test_settings_round_trip_and_bad_values_fall_back(data_dir):
    s = Settings(gpu_layers=12, n_ctx=1024, threads=3, language="ja", theme="dark")
    path = settings_io.save(s)
    assert list(path.parent.glob("*.tmp")) == []  # the temp file was renamed into place
    assert settings_io.load() == s
    path.write_text(json.dumps({"gpu_layers": "lots", "n_ctx": -5, "theme": "pink", "language": "ja"}))
    loaded = settings_io.load()
    assert (loaded.gpu_layers, loaded.n_ctx, loaded.theme, loaded.language) == ("auto", 0, "system", "ja")
    assert loaded.engine_args() == {"gpu_layers": "auto", "n_ctx": None, "threads": None}


def test_a_damaged_settings_file_is_kept_aside_not_lost(data_dir):
    path = paths.settings_path()
    path.write_text("{not json")
    s = settings_io.load()
    assert s == Settings() and "damaged" in s.problem
    assert path.with_name("settings.json.broken").read_text() == "{not json"


def test_library_lists_the_models_folder_opened_files_and_the_demo(data_dir, tmp_path):
    demo = library.demo_model()
    shutil.copy(demo, paths.models_dir() / "b-q8_0.gguf")
    (paths.models_dir() / "a.gguf").write_bytes(b"GGUF\x03\x00\x00\x00broken")
    outside = tmp_path / "elsewhere.gguf"
    shutil.copy(demo, outside)
    entries = library.list_models([str(outside), str(tmp_path / "gone.gguf")])
    assert [e.path.name for e in entries] == ["a.gguf", "b-q8_0.gguf", "elsewhere.gguf", "hanashi-demo.gguf"]
    broken, mine, opened, bundled = entries
    assert broken.error and not broken.usable and broken.in_library
    assert (mine.family, mine.quant, mine.parity_text, mine.in_library) == ("rinna-instruction", "q8_0",
                                                                           "exact (651/651)", True)
    assert bundled.bundled and not opened.in_library
    with pytest.raises(ValueError):
        library.delete(bundled)
    assert library.delete(opened) is False and outside.exists()  # only forgotten, never deleted
    assert library.delete(mine) is True and not mine.path.exists()


def test_default_model_and_import_target(data_dir):
    assert library.default_model() == library.demo_model()  # first run: the demo
    shutil.copy(library.demo_model(), paths.models_dir() / "x.gguf")
    assert library.default_model() == paths.models_dir() / "x.gguf"
    assert library.default_model("/no/such.gguf") == paths.models_dir() / "x.gguf"
    target = library.import_target(data_dir / "japanese-gpt-neox-3.6b-instruction-ppo", "q4_k_m")
    assert target == paths.models_dir() / "japanese-gpt-neox-3.6b-instruction-ppo-q4_k_m.gguf"
    target.write_bytes(b"")
    assert library.import_target(data_dir / "japanese-gpt-neox-3.6b-instruction-ppo", "q4_k_m").name.endswith("-2.gguf")
    assert library.parity_text({"tokenizer.matched": 236, "tokenizer.total": 242}, "sentencepiece") == \
        "97.5% (236/242), sentencepiece tokenizer"


def test_translations_cover_every_ui_string():
    import importlib.util

    spec = importlib.util.spec_from_file_location("update_i18n", paths.I18N_DIR / "update.py")
    update = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(update)
    strings = update.collect()
    translations = update.read_ts()
    assert len(strings) > 80
    assert [s for s in strings if s not in translations] == []


def test_core_modules_do_not_import_qt():
    import subprocess
    import sys

    code = ("import sys, app.storage, app.library, app.settings, app.chat_flow, app.paths; "
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=paths.ROOT, check=True)
    assert out.stdout.strip() == "[]"
