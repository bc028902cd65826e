"""With the UI in Japanese, everything the user reads is Japanese: engine and converter errors (from
their codes, the English text under Show Details…), parity texts, Qt's own file dialogs; and no error
tells the user to run a command-line tool."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel

from app import paths
from app.engine.errors import ModelTooLargeError, NotAModelError, UnsupportedArchitectureError
from app.gui import error_text, i18n
from app.gui.error_text import TEMPLATES, describe
from app.storage_errors import StorageError, stale
from quantize.child import ChildCrashed
from quantize.errors import ConversionCancelled, ConversionError, ExplainedError, GGUFFileError
from quantize.hub_errors import TOKEN_FIX, HubError

from .helpers import REPLY_TIMEOUT_MS, message_boxes

ROOT = Path(__file__).resolve().parents[2]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
COMMAND_LINE = re.compile(r"hanashi-quantize|pip |bash |\.venv|(?<![\w-])--[a-z]")


@pytest.fixture
def japanese(qapp):
    i18n.install("ja")
    yield
    i18n.install("en")


def _damaged_files(folder: Path) -> dict[str, Path]:
    data = paths.DEMO_MODEL.read_bytes()
    files = {"truncated": folder / "切れた-model.gguf", "not_gguf": folder / "notes.gguf",
             "missing": folder / "no-such-model.gguf"}
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["not_gguf"].write_bytes(b"these are my notes, not a model\n" * 40)
    return files


def _assert_japanese_error(text: str, details: str, path: Path, english: str) -> None:
    assert JAPANESE.search(text), text
    assert path.name in text and str(path) in text  # names the file, and where it is
    assert english not in text and english in details  # the English only under Show Details…
    assert not COMMAND_LINE.search(text) and not COMMAND_LINE.search(details)


@pytest.mark.parametrize("kind", ["truncated", "not_gguf", "missing"])
def test_a_model_that_cannot_be_loaded_is_explained_in_japanese(qtbot, make_window, tmp_path, kind):
    window = make_window(None, language="ja")  # the demo model
    bad = _damaged_files(tmp_path)[kind]
    with qtbot.waitSignal(window.client.load_failed, timeout=REPLY_TIMEOUT_MS):
        window.open_model_file(str(bad))
    qtbot.waitUntil(lambda: bool(message_boxes()), timeout=REPLY_TIMEOUT_MS)
    box = message_boxes()[0]
    english = {"truncated": "the file is truncated", "not_gguf": "not a GGUF file",
               "missing": "no such model file"}[kind]
    _assert_japanese_error(box.text(), box.detailedText(), bad, english)
    assert box.windowTitle() == "モデルを読み込めませんでした"
    expected = {"truncated": "途中で切れています", "not_gguf": "GGUF モデルファイルではありません",
                "missing": "見つかりません"}[kind]
    assert expected in box.text()
    box.accept()


def test_the_library_lists_unusable_files_and_parity_in_japanese(qtbot, make_window, data_dir):
    models = paths.models_dir()
    files = _damaged_files(models)
    window = make_window(None, language="ja")
    lib = window.open_library()
    rows = {lib.table.item(r, 0).text(): [lib.table.item(r, c).text() for c in range(6)]
            for r in range(lib.table.rowCount())}
    truncated = rows[files["truncated"].stem][1]
    assert truncated.startswith("読み込めません：") and "途中で切れています" in truncated
    assert files["truncated"].name in truncated and "truncated" not in truncated
    not_gguf = rows[files["not_gguf"].stem][1]
    assert "GGUF モデルファイルではありません" in not_gguf and "magic" not in not_gguf
    demo = rows["hanashi-demo-instruction-sft"]
    assert demo[1] == "rinna 指示形式" and demo[4] == "完全一致（651/651）"
    # The English reason stays available, in the tooltip.
    row = [lib.table.item(r, 0).text() for r in range(lib.table.rowCount())].index(files["truncated"].stem)
    assert "the file is truncated" in lib.table.item(row, 1).toolTip()


def test_a_failed_import_is_explained_in_japanese(qtbot, make_window, tmp_path, data_dir):
    folder = tmp_path / "downloaded-model"
    folder.mkdir()  # no config.json, no weights
    window = make_window(None, language="ja")
    lib = window.open_library()
    job = lib.start_import(folder, "q8_0")
    with qtbot.waitSignal(job.failed, timeout=REPLY_TIMEOUT_MS):
        pass
    qtbot.waitUntil(lambda: bool(message_boxes()), timeout=REPLY_TIMEOUT_MS)
    box = message_boxes()[0]
    assert box.windowTitle() == "取り込みに失敗しました" or JAPANESE.search(box.windowTitle())
    assert "モデルフォルダーに config.json がありません。" in box.text()
    assert str(folder) in box.text() and "config.json is missing" in box.detailedText()
    assert not COMMAND_LINE.search(box.text() + box.detailedText())
    box.accept()


def test_qt_file_dialogs_are_japanese(qtbot, make_window, data_dir):
    window = make_window(None, language="ja")
    lib = window.open_library()
    seen: dict[str, str] = {}

    def inspect() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible()]
        if not dialogs:
            return
        timer.stop()
        for label in dialogs[0].findChildren(QLabel):
            seen[label.objectName()] = label.text()
        seen["title"] = dialogs[0].windowTitle()
        dialogs[0].reject()

    timer = QTimer()
    timer.timeout.connect(inspect)
    timer.start(50)
    lib.open_button.click()  # QFileDialog.getOpenFileName: returns once the dialog is closed
    timer.stop()
    assert seen["lookInLabel"] == "場所(&L)：" and seen["fileTypeLabel"] == "ファイルの種類(&T)："
    assert seen["fileNameLabel"] == "ファイル名(&N)："
    assert JAPANESE.search(seen["title"])
    assert not any("Look in" in t or "Files of" in t for t in seen.values())


def _errors_with_command_line_fixes(tmp_path: Path) -> list[BaseException]:
    return [
        UnsupportedArchitectureError("mamba", tmp_path / "m.gguf"),
        ModelTooLargeError(9 * 2**30, 2 * 2**30, tmp_path / "m.gguf"),
        NotAModelError("this is a folder, not a GGUF model file", tmp_path,
                       "pick the .gguf file, or convert a Hugging Face folder with hanashi-quantize", code="gguf.folder"),
        GGUFFileError("not_gguf", "not a GGUF file (wrong magic bytes)", tmp_path / "x.gguf",
                      "open a .gguf model file, or convert a Hugging Face folder with hanashi-quantize"),
        ConversionError("output file exists and is not a GGUF model file", tmp_path / "o.gguf",
                        "choose another -o path, or pass --force to replace it"),
        HubError("gated", "org/model is gated", "https://huggingface.co/org/model", TOKEN_FIX),
        stale(tmp_path / "conversations.sqlite3"),
        ChildCrashed("converting the model folder", tmp_path, -6, "GGML_ASSERT failed\n"),
        ExplainedError("an odd problem", tmp_path / "y.gguf", "run `pip install thing` in .venv", code="who.knows"),
    ]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_no_error_text_tells_the_user_to_run_a_command(qapp, tmp_path, language):
    i18n.install(language)
    try:
        for code, t in TEMPLATES.items():
            for text in (t.what, t.fix):
                assert not COMMAND_LINE.search(i18n.tr(text)), (code, i18n.tr(text))
        for error in _errors_with_command_line_fixes(tmp_path):
            shown = describe(error)
            assert not COMMAND_LINE.search(shown.text + shown.details), (type(error), shown)
            assert shown.text.strip()
            from app.gui.pull_worker import error_text as pull_text

            assert not COMMAND_LINE.search(pull_text("org/model", error))
    finally:
        i18n.install("en")


def _codes_in_source() -> set[str]:
    codes = set()
    for folder in (ROOT / "quantize", ROOT / "app" / "engine"):
        for path in folder.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            codes |= set(re.findall(r'\bcode="([a-z_]+\.[a-z_.]+)"', text))
            codes |= set(re.findall(r'default_code = "([a-z_.]+)"', text))
            codes |= {f"gguf.{k}" for k in re.findall(r'GGUFFileError\(\s*"([a-z_]+)"', text)}
    hub = (ROOT / "quantize" / "hub_errors.py").read_text(encoding="utf-8")
    codes |= {f"hub.{k}" for k in re.findall(r'HubError\("([a-z_]+)"', hub)}
    codes |= {f"hub.{k}" for k in ("not_found", "gated", "revision", "offline", "network", "disk", "unsupported",
                                   "files")}
    storage = (ROOT / "app" / "storage_errors.py").read_text(encoding="utf-8")
    codes |= {f"storage.{k}" for k in re.findall(r"^\* ``([a-z]+)``", storage, re.M)}
    return codes


def test_every_error_code_has_a_japanese_text(japanese):
    codes = _codes_in_source()
    assert {"gguf.truncated", "gguf.not_gguf", "gguf.missing", "gguf.invalid", "model.architecture",
            "model.too_large", "convert.missing_file", "convert.architecture", "convert.disk_space",
            "convert.output_folder_missing", "worker.crashed", "hub.gated", "storage.locked"} <= codes
    for code in sorted(codes):
        assert code in TEMPLATES, f"{code} has no text in app/gui/error_text.py"
        t = TEMPLATES[code]
        assert JAPANESE.search(i18n.tr(t.what)), f"{code}: {t.what!r} has no Japanese translation"
        assert not t.fix or JAPANESE.search(i18n.tr(t.fix)), f"{code}: {t.fix!r} has no Japanese translation"


def test_unknown_codes_storage_hub_and_cancel_texts_in_japanese(japanese, tmp_path):
    odd = describe(ExplainedError("a very odd problem", tmp_path / "z.gguf", code="nobody.knows"))
    assert odd.text.startswith("問題が発生しました。") and "a very odd problem" in odd.text
    conversion = describe(ConversionError("something new broke", tmp_path, code="convert.brand_new"))
    assert conversion.text.startswith("モデルを変換できませんでした。") and "something new broke" in conversion.text

    locked = describe(StorageError("locked", "the conversation database is locked by another program",
                                   tmp_path / "conversations.sqlite3", "close the other window"))
    assert locked.code == "storage.locked" and "ほかのプログラムにロックされています" in locked.text
    assert "locked by another program" in locked.details
    old = describe(stale(tmp_path / "c.sqlite3"))
    assert JAPANESE.search(old.text) and "hanashi chat" not in old.text + old.details

    from app.gui.pull_worker import error_text as pull_text

    gated = pull_text("org/model", HubError("gated", "org/model is gated", "https://huggingface.co/org/model",
                                            TOKEN_FIX))
    assert gated.startswith("org/model は") or JAPANESE.search(gated.split("\n")[0])
    assert "hf auth" not in gated
    assert error_text.error_code(ConversionCancelled()) == "cancelled"
    assert JAPANESE.search(describe(ConversionCancelled()).text)


def test_parity_texts_in_japanese(japanese):
    from app.gui.model_texts import parity_cell
    from app.library import parity_facts

    assert parity_cell(parity_facts({"tokenizer.matched": 242, "tokenizer.total": 242, "tokenizer.exact": True})) \
        == "完全一致（242/242）"
    assert parity_cell(parity_facts({"tokenizer.matched": 236, "tokenizer.total": 242}, "sentencepiece")) \
        == "97.5%（236/242）、sentencepiece トークナイザー"
    assert parity_cell(parity_facts({})) == "未測定"
