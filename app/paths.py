"""Where Hanashi keeps its files: one data folder (conversations, settings, models).

The folder is the platform's user data dir (``platformdirs``), e.g. ``~/.local/share/hanashi``
on Linux; the ``HANASHI_DATA_DIR`` environment variable overrides it (tests point it at a
temporary folder). The bundled demo model ships in the source tree under ``assets/models``.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "hanashi"
ENV_DATA_DIR = "HANASHI_DATA_DIR"

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
DEMO_MODEL = ASSETS / "models" / "hanashi-demo.gguf"
I18N_DIR = ASSETS / "i18n"


def data_dir(create: bool = True) -> Path:
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        path = Path(override).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(APP_NAME, appauthor=False))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir(create: bool = True) -> Path:
    path = data_dir(create) / "models"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def database_path() -> Path:
    return data_dir() / "conversations.sqlite3"


def settings_path() -> Path:
    return data_dir() / "settings.json"
