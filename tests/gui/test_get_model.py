"""Model library → Get a model: the catalogue, then download + convert + parity + Load now, against a
local stand-in of the Hugging Face Hub (real HTTP on 127.0.0.1, real child process, real llama.cpp).
Cancel during the download keeps the partial file and the next Download resumes it; a missing repo
and a malformed repo id are explained in the dialog."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from PySide6.QtTest import QTest

from app import catalogue, paths
from tests.hub_standin import HubStandIn, hub_vars

from .helpers import REPLY_TIMEOUT_MS

MODEL = "rinna/japanese-gpt-neox-3.6b-instruction-ppo"  # the catalogue's first entry, served by the stand-in
WEIGHTS = "model.safetensors"
MISSING = "nobody/does-not-exist"
CHUNK = 10 * 2**20  # huggingface_hub writes downloads in chunks of this size
GiB = 2**30
PULL_TIMEOUT_MS = REPLY_TIMEOUT_MS * 3


@pytest.fixture(scope="module")
def repo_folder(tiny, tmp_path_factory) -> Path:
    """A tiny rinna-like checkpoint whose weights are larger than one download chunk."""
    src = tiny.neox(name="tiny-japanese-gpt-neox-hub-4layers", layers=4)
    folder = tmp_path_factory.mktemp("get-model-repo") / "repo"
    shutil.copytree(src, folder)
    (folder / "README.md").write_text(f"---\nlicense: mit\n---\n# {MODEL}\n\nA tiny test model.\n")
    assert (folder / WEIGHTS).stat().st_size > CHUNK + 2**20
    return folder


@pytest.fixture
def hub(repo_folder, data_dir, tmp_path, monkeypatch):
    """The stand-in serving MODEL; this process (and its worker children) pointed at it."""
    for key in list(os.environ):
        if key.startswith(("HF_", "HUGGINGFACE_")):
            monkeypatch.delenv(key)
    for key, value in hub_vars("", tmp_path).items():
        if key not in ("HF_ENDPOINT", "HANASHI_DATA_DIR"):
            monkeypatch.setenv(key, value)
    with HubStandIn() as h:
        h.add(MODEL, repo_folder)
        monkeypatch.setenv("HF_ENDPOINT", h.url)
        h.cache = tmp_path / "hf-home" / "hub" / ("models--" + MODEL.replace("/", "--"))
        yield h


def _open(qtbot, make_window, language: str = "en"):
    window = make_window(language=language)
    lib = window.open_library()
    lib.get_button.click()
    dialog = lib.get_dialog
    assert dialog is not None and dialog.isVisible()
    return window, lib, dialog


def _stages(job) -> list[str]:
    seen: list[str] = []
    job.progress.connect(lambda stage, *_: seen.append(stage) if not seen or seen[-1] != stage else None)
    return seen


def _partials(hub) -> list[Path]:
    return sorted((hub.cache / "blobs").glob("*.incomplete")) if (hub.cache / "blobs").is_dir() else []


BLOCKED = "someone/japanese-model-hanashi-cannot-run"


@pytest.fixture
def with_blocked_entry(monkeypatch):
    """The catalogue plus one entry the engine cannot run (every seed model runs today)."""
    import dataclasses

    blocked = dataclasses.replace(catalogue.SEEDS[-1], repo_id=BLOCKED, supported=False,
                                  unsupported_reason="Hanashi cannot run this model yet: it needs a newer llama.cpp",
                                  unsupported_reason_ja="Hanashi はまだこのモデルを動かせません。")
    monkeypatch.setattr(catalogue, "SEEDS", catalogue.SEEDS + (blocked,))
    return blocked


def test_catalogue_download_convert_and_load_now(qtbot, make_window, hub, with_blocked_entry):
    window, lib, dialog = _open(qtbot, make_window)
    assert hub.requests == []  # opening the dialog made no network call

    # The catalogue: every seed model, the unsupported one shown (greyed, with its reason), not hidden.
    shown = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert shown == [e.repo_id for e in catalogue.SEEDS]
    assert dialog.select(BLOCKED)
    row = shown.index(BLOCKED)
    assert dialog.table.item(row, 5).text() == "Not supported yet"
    assert dialog.table.item(row, 0).foreground().color() != dialog.table.item(0, 0).foreground().color()
    assert "cannot run this model yet" in dialog.detail.text()
    assert not dialog.download_button.isEnabled()

    # Picking the entry preselects the quantization recommended for this machine, and says why.
    assert dialog.select(MODEL)
    rec = catalogue.recommend(catalogue.find(MODEL), dialog.ram, dialog.vram)
    assert dialog.type_combo.currentText() == (rec.out_type or dialog.type_combo.currentText())
    assert dialog.table.item(0, 5).text() == (rec.out_type or "Too large")
    assert "GB" in dialog.detail.text() and "MIT" == dialog.table.item(0, 3).text()
    dialog.type_combo.setCurrentText("q8_0")  # fast and exact for the tiny model on any machine
    assert dialog.download_button.isEnabled()

    dialog.download_button.click()
    job = dialog.job
    assert job is not None and job.repo_id == MODEL and job.out_type == "q8_0"
    stages = _stages(job)
    assert not dialog.download_button.isEnabled() and dialog.cancel_button.isEnabled()
    with qtbot.waitSignal(job.finished, timeout=PULL_TIMEOUT_MS):
        qtbot.waitUntil(lambda: "download" in stages, timeout=PULL_TIMEOUT_MS)
        assert "Downloading" in dialog.stage_label.text()
    # One progress view: download bytes first, then the conversion's stages.
    assert stages[0] == "download" and "quantize" in stages and stages.index("quantize") > 0
    qtbot.waitUntil(lambda: dialog.job is None)
    result = dialog.result
    out = paths.models_dir() / "rinna-japanese-gpt-neox-3.6b-instruction-ppo-q8_0.gguf"
    assert Path(result.path) == out and out.is_file()
    assert result.family == "rinna-instruction" and result.out_type == "q8_0" and result.downloaded > 0
    assert hub.fetched(MODEL) >= {"config.json", WEIGHTS}
    assert "is ready" in dialog.stage_label.text()
    assert dialog.report.isVisible() and "Tokenizer parity" in dialog.report.toPlainText()
    assert result.parity_report and result.parity_report in dialog.report.toPlainText()
    assert dialog.load_button.isVisible()
    assert str(out) in [str(e.path) for e in lib.entries]  # the library lists it at once

    with qtbot.waitSignal(window.client.loaded, timeout=REPLY_TIMEOUT_MS):
        dialog.load_button.click()
    assert Path(window.facts.path) == out


def test_cancel_during_download_keeps_the_partial_and_download_resumes(qtbot, make_window, hub, repo_folder):
    hub.stall_after[WEIGHTS] = CHUNK + 2**20  # one chunk arrives, then the connection hangs
    _window, lib, dialog = _open(qtbot, make_window)
    assert dialog.select(MODEL)
    dialog.type_combo.setCurrentText("q8_0")
    dialog.download_button.click()
    job = dialog.job
    assert "What was downloaded is kept" in dialog.resume_note.text()
    qtbot.waitUntil(hub.stalled.is_set, timeout=PULL_TIMEOUT_MS)
    qtbot.waitUntil(lambda: bool(_partials(hub)) and _partials(hub)[0].stat().st_size >= CHUNK,
                    timeout=PULL_TIMEOUT_MS)
    assert lib.job is job  # quitting the app would stop it too
    t0 = time.monotonic()
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        dialog.cancel_button.click()
    assert time.monotonic() - t0 < 1.5
    hub.release()
    qtbot.waitUntil(lambda: dialog.job is None)
    assert "what was downloaded is kept" in dialog.stage_label.text()
    kept = _partials(hub)
    assert len(kept) == 1
    have = kept[0].stat().st_size
    assert have >= CHUNK
    assert not any(paths.models_dir().iterdir())  # nothing in the models folder
    assert dialog.download_button.isEnabled()

    dialog.download_button.click()
    with qtbot.waitSignal(dialog.job.finished, timeout=PULL_TIMEOUT_MS):
        pass
    stats = hub.stats(MODEL, WEIGHTS)
    assert stats.ranges[-1] == f"bytes={have}-"  # resumed where it stopped
    assert stats.sent[-1] == (repo_folder / WEIGHTS).stat().st_size - have
    assert Path(dialog.result.path).is_file() and _partials(hub) == []
    assert dialog.load_button.isVisible()


def test_missing_repo_and_bad_repo_id_are_explained(qtbot, make_window, hub):
    _window, _lib, dialog = _open(qtbot, make_window)
    dialog.repo_edit.setFocus()
    QTest.keyClicks(dialog.repo_edit, "not a repo")
    assert dialog.table.selectionModel().selectedRows() == []
    dialog.download_button.click()
    assert dialog.job is None and "is not a repo id" in dialog.repo_error.text()
    assert hub.requests == []

    dialog.repo_edit.clear()
    QTest.keyClicks(dialog.repo_edit, MISSING)
    assert dialog.download_button.isEnabled()
    dialog.download_button.click()
    with qtbot.waitSignal(dialog.job.failed, timeout=PULL_TIMEOUT_MS):
        pass
    text = dialog.report.toPlainText()
    assert dialog.report.isVisible()
    assert text.startswith(f"There is no model {MISSING} on the Hugging Face Hub")
    assert "Traceback" not in text and "hanashi-quantize" not in text
    assert dialog.stage_label.text() == "The model could not be downloaded."
    assert not any(paths.models_dir().iterdir())

    # Typing a catalogue id selects its row (and its recommendation).
    dialog.repo_edit.clear()
    QTest.keyClicks(dialog.repo_edit, MODEL)
    assert dialog.selected_entry().repo_id == MODEL


def test_japanese_ui(qtbot, make_window, hub, with_blocked_entry):
    _window, lib, dialog = _open(qtbot, make_window, language="ja")
    assert lib.get_button.text() == "モデルを入手…"
    assert dialog.windowTitle() == "モデルを入手"
    assert dialog.download_button.text() == "ダウンロード"
    assert "このコンピューター" in dialog.machine_label.text()
    entry = catalogue.find(MODEL)
    assert entry.description_ja in dialog.detail.text()
    dialog.select(BLOCKED)
    assert with_blocked_entry.unsupported_reason_ja in dialog.detail.text()
    headers = [dialog.table.horizontalHeaderItem(c).text() for c in range(dialog.table.columnCount())]
    assert headers[0] == "モデル" and all(not h.isascii() for h in headers)
    assert hub.requests == []


def test_one_conversion_at_a_time(qtbot, make_window, hub, repo_folder):
    """While Import folder… converts, Download waits (and says why); while a Download runs, Import
    folder… is disabled."""
    _window, lib, dialog = _open(qtbot, make_window)
    job = lib.start_import(repo_folder, "q8_0")
    assert job is not None and lib.job is job
    assert dialog.select(MODEL)
    assert dialog.start() is None and dialog.job is None
    assert "being imported" in dialog.repo_error.text()
    assert hub.requests == []
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        lib.cancel_button.click()
    qtbot.waitUntil(lambda: lib.import_job is None)

    hub.stall_after[WEIGHTS] = CHUNK + 2**20
    pull = dialog.start()
    assert pull is not None and lib.job is pull and not lib.import_button.isEnabled()
    qtbot.waitUntil(hub.stalled.is_set, timeout=PULL_TIMEOUT_MS)
    with qtbot.waitSignal(pull.cancelled, timeout=5000):
        assert lib.stop_import()  # what quitting the app does
    hub.release()
    qtbot.waitUntil(lambda: dialog.job is None)
    assert lib.job is None and lib.import_button.isEnabled()
