"""Fixtures for the desktop app's tests: real widgets (offscreen), the real engine on a tiny
trained model, a real SQLite database in a temporary data folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers import REPLY_TIMEOUT_MS

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

EOS_ID = 3  # </s> in the tiny tokenizers


def rewrite_gguf(src: Path, dst: Path, set_kv: dict, remove_prefixes: tuple[str, ...] = ()) -> Path:
    """A copy of a GGUF with some metadata replaced (same weights)."""
    from tests.gguf_rewrite import rewrite

    return rewrite(dst, set_kv, src=src, drop_prefixes=remove_prefixes)


@pytest.fixture(scope="session")
def chat_gguf(converted) -> Path:
    """The tiny trained rinna-instruction model, q8_0 (like the demo)."""
    return converted("rinna", "q8_0")


@pytest.fixture(scope="session")
def endless_gguf(chat_gguf, tmp_path_factory) -> Path:
    """The same weights as a base model that never ends its reply (</s> banned): for Stop."""
    out = tmp_path_factory.mktemp("variants") / "endless.gguf"
    return rewrite_gguf(chat_gguf, out, {"hanashi.family": "base", "hanashi.banned_token_ids": [EOS_ID]},
                        remove_prefixes=("hanashi.stop_strings",))


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("HANASHI_DATA_DIR", str(path))
    return path


@pytest.fixture
def make_window(qtbot, data_dir):
    """``make_window(model)``: a shown MainWindow with ``model`` loaded (None: the app's default)."""
    from app import settings as settings_io
    from app.gui import i18n
    from app.gui.main_window import MainWindow
    from app.storage import Storage

    made = []

    def make(model: Path | None = None, wait: bool = True, **settings_kw):
        settings = settings_io.load()
        settings.threads, settings.n_ctx, settings.language = 2, 2048, "en"
        for k, v in settings_kw.items():
            setattr(settings, k, v)
        i18n.install(settings.language)
        storage = Storage()
        window = MainWindow(storage, settings)
        qtbot.addWidget(window)
        window.show()
        made.append((window, storage))
        if wait:
            with qtbot.waitSignal(window.client.loaded, timeout=REPLY_TIMEOUT_MS):
                window.start(model)
        else:
            window.start(model)
        return window

    yield make
    for window, storage in made:
        window.close()
        storage.close()
    i18n.install("en")
