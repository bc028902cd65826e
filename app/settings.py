"""The app's settings: a small JSON file in the data folder, written atomically.

    settings = load()            # defaults for anything missing or invalid
    settings.theme = "dark"
    save(settings)               # temp file + fsync + rename: never half-written

A settings file that cannot be read is not overwritten silently: ``load`` keeps it aside as
``settings.json.broken`` and notes why in ``Settings.problem`` (the GUI shows it).
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .local_files import NotAFile, describe_os_error, read_small

LANGUAGES = ("system", "en", "ja")
THEMES = ("system", "light", "dark")
MAX_BYTES = 1 << 20  # a settings file is a few hundred bytes; anything this large is not one
COORDINATE_LIMIT = 1 << 15  # window positions and sizes, in pixels: no screen is larger
MIN_WINDOW = 200  # the smallest window size worth restoring, in pixels
MAX_SIDEBAR = 2000  # pixels


@dataclass
class Settings:
    gpu_layers: str | int = "auto"  # "auto", "all" or a number of layers (0 = CPU only)
    n_ctx: int = 0  # context size in tokens; 0 = the model's own (at most 4096)
    threads: int = 0  # CPU threads; 0 = automatic (physical cores, see app.engine.threads)
    language: str = "system"  # "system" follows the locale
    theme: str = "system"  # "system" follows the desktop's light/dark setting
    last_model: str = ""  # the model loaded at the last start
    opened_models: list[str] = field(default_factory=list)  # GGUFs opened from outside the models folder
    import_type: str = "q4_k_m"  # the quantization the import dialog offers first
    gpu_notice_seen: bool = False  # "your NVIDIA GPU is unused" was shown once: not again
    window_geometry: list[int] = field(default_factory=list)  # the main window's [x, y, width, height]; [] = default
    window_maximized: bool = False
    sidebar_width: int = 0  # the width the user gave the conversation list, in pixels; 0 = default
    problem: str = field(default="", compare=False)  # why the file could not be read (not saved)

    def engine_args(self) -> dict:
        """Keyword arguments for ``Engine.load``."""
        return {"gpu_layers": self.gpu_layers, "n_ctx": self.n_ctx or None, "threads": self.threads or None}

    def remember_model(self, path: str | Path, in_library: bool) -> None:
        path = str(path)
        self.last_model = path
        if not in_library and path not in self.opened_models:
            self.opened_models.append(path)

    def forget_model(self, path: str | Path) -> None:
        path = str(path)
        self.opened_models = [p for p in self.opened_models if p != path]
        if self.last_model == path:
            self.last_model = ""


def parse_gpu_layers(value) -> str | int:
    """"auto", "all" or a non-negative int; raises ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"invalid GPU layers {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"invalid GPU layers {value!r}")
        return value
    word = str(value).strip().lower()
    if word in ("auto", "all"):
        return word
    if word.isdigit():
        return int(word)
    raise ValueError(f"invalid GPU layers {value!r}: use auto, all or a number")


def parse_geometry(value) -> list[int]:
    """``[x, y, width, height]`` in pixels, each a plain int within what a screen can be; raises
    ValueError otherwise. Whether it is on a screen now is the window's to check (screens change)."""
    if not isinstance(value, list) or len(value) != 4 \
            or not all(type(v) is int and -COORDINATE_LIMIT <= v <= COORDINATE_LIMIT for v in value):
        raise ValueError(f"invalid window geometry {value!r}")
    if not all(MIN_WINDOW <= v for v in value[2:]):
        raise ValueError(f"invalid window size {value[2:]!r}")
    return list(value)


def _validated(raw: dict) -> Settings:
    s = Settings()
    for f in dataclasses.fields(Settings):
        if f.name == "problem" or f.name not in raw:
            continue
        value = raw[f.name]
        try:
            if f.name == "gpu_layers":
                value = parse_gpu_layers(value)
            elif f.name in ("n_ctx", "threads"):
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= (1 << 24):
                    raise ValueError
            elif f.name == "language" and value not in LANGUAGES:
                raise ValueError
            elif f.name == "theme" and value not in THEMES:
                raise ValueError
            elif f.name in ("gpu_notice_seen", "window_maximized"):
                if not isinstance(value, bool):
                    raise ValueError
            elif f.name == "window_geometry":
                value = parse_geometry(value)
            elif f.name == "sidebar_width":
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SIDEBAR:
                    raise ValueError
            elif f.name == "opened_models":
                if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
                    raise ValueError
            elif not isinstance(value, str):
                raise ValueError
        except ValueError:
            continue  # one bad value falls back to its default; the others are kept
        setattr(s, f.name, value)
    return s


def load(path: Path | None = None) -> Settings:
    """The settings in ``path`` (default: the data folder's); never raises, never blocks.

    Missing file: defaults. A file that is not a regular file (a pipe, a device, a folder), is too
    large or is damaged: kept aside as ``settings.json.broken`` and defaults are used, with the
    reason in ``Settings.problem``. An unreadable file (no permission): defaults, left as it is.
    """
    try:
        path = path or paths.settings_path()
    except OSError as e:
        s = Settings()
        s.problem = f"the data folder cannot be used ({describe_os_error(e)}); using default settings"
        return s
    try:
        data = read_small(path, MAX_BYTES)
    except FileNotFoundError:
        return Settings()
    except NotAFile as e:
        return _kept_aside(path, f"{e.reason}")
    except OSError as e:
        s = Settings()
        s.problem = f"{path}: the settings file cannot be read ({describe_os_error(e)}); using defaults"
        return s
    try:
        raw = json.loads(data.decode("utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
    except (ValueError, RecursionError) as e:
        reason = "nested too deeply" if isinstance(e, RecursionError) else str(e)[:200]
        return _kept_aside(path, f"the settings file is damaged ({reason})")
    return _validated(raw)


def _kept_aside(path: Path, reason: str) -> Settings:
    """Defaults, with ``path`` renamed to ``*.broken`` so that saving never overwrites it silently."""
    aside = path.with_name(path.name + ".broken")
    s = Settings()
    if not reason.startswith("the settings file"):
        reason = f"the settings file cannot be used: {reason}"
    try:
        os.replace(path, aside)
        s.problem = f"{path}: {reason}; it was kept as {aside.name} and defaults are used"
    except OSError as moved:
        s.problem = (f"{path}: {reason}, and it could not be kept aside ({describe_os_error(moved)}); "
                     "defaults are used")
    return s


def save(settings: Settings, path: Path | None = None) -> Path:
    path = path or paths.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {k: v for k, v in dataclasses.asdict(settings).items() if k != "problem"}
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
