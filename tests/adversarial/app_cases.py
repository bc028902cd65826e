"""Hostile situations for the desktop app that are not a model file: settings and context size.

Each case is ``(name, kwargs for targets.gui, used by pytest)``; ``{data}`` in a setting is the
app's data folder, and "FIFO" as the settings text makes settings.json a pipe that never delivers.
"""

from __future__ import annotations

import json
from pathlib import Path


def app_cases(good_gguf: Path, fifo_gguf: Path) -> list[tuple[str, dict, bool]]:
    return [
        ("ctx-300-long-message", {"gguf": good_gguf, "driver_args": ("--ctx", "300", "--long")}, True),
        ("settings-fifo", {"gguf": None, "settings_json": "FIFO"}, True),
        ("settings-absurd-values", {"gguf": None, "settings_json": json.dumps(
            {"n_ctx": -5, "threads": 10 ** 30, "gpu_layers": [1], "language": 7, "last_model": "/dev/zero",
             "opened_models": ["/dev/zero", "/nonexistent.gguf"], "import_type": "q9_z"})}, True),
        ("settings-digits4301", {"gguf": None, "settings_json": '{"n_ctx": ' + "9" * 4301 + "}"}, False),
        ("settings-last-model-fifo", {"gguf": None, "models": {"pipe.gguf": fifo_gguf},
                                      "settings_json": json.dumps({"last_model": "{data}/models/pipe.gguf",
                                                                   "threads": 1, "language": "en"})}, True),
    ]
