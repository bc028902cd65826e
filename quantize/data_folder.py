"""Hanashi's data folder and its models folder, shared by the app and ``hanashi-quantize pull``.

The platform's user data dir (``platformdirs``), e.g. ``~/.local/share/hanashi`` on Linux; the
``HANASHI_DATA_DIR`` environment variable overrides it.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "hanashi"
ENV_DATA_DIR = "HANASHI_DATA_DIR"


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
