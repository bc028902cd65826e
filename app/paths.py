"""Where Hanashi keeps its files: one data folder (conversations, settings, models).

The folder is the platform's user data dir (``platformdirs``), e.g. ``~/.local/share/hanashi``
on Linux; the ``HANASHI_DATA_DIR`` environment variable overrides it (tests point it at a
temporary folder). The bundled demo model ships in the source tree under ``assets/models``.
"""

from __future__ import annotations

from pathlib import Path

from quantize.data_folder import APP_NAME, ENV_DATA_DIR, data_dir, models_dir  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
DEMO_MODEL = ASSETS / "models" / "hanashi-demo.gguf"
I18N_DIR = ASSETS / "i18n"


def database_path() -> Path:
    return data_dir() / "conversations.sqlite3"


def settings_path() -> Path:
    return data_dir() / "settings.json"
