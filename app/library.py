"""The model library: GGUF files in the models folder, files opened from elsewhere, and the demo.

    for entry in library.list_models(settings.opened_models):
        print(entry.name, entry.family, entry.quant, entry.size, entry.parity_text)

The bundled demo model (``assets/models/hanashi-demo.gguf``) is always listed and can't be
deleted. A file whose header can't be read is listed with ``error`` set, so the user sees it
and can delete it; so is a file whose metadata values make it unusable (``quantize.gguf_check``),
with the reason. Listing never raises, whatever the files contain.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from quantize.errors import ConversionError
from quantize.gguf_check import checked_info

from . import paths

FAMILY_NAMES = {"rinna-instruction": "rinna instruction", "rinna-bilingual": "rinna bilingual",
                "dolly": "dolly", "base": "base (completion)", "bygpt": "byGPT bytes (completion)"}


@dataclass
class ModelEntry:
    path: Path
    name: str
    size: int
    family: str = ""  # Hanashi family, or "" for files converted elsewhere
    quant: str = "?"  # general.file_type, e.g. "q4_k_m"
    parity: dict = field(default_factory=dict)
    runtime_tokenizer: str = ""
    n_ctx: int = 0
    bundled: bool = False  # the demo model shipped with Hanashi
    in_library: bool = False  # inside the models folder (deleting removes the file)
    error: str = ""  # why the model cannot be used (unreadable header, or a value llama.cpp can't use)
    error_code: str = ""  # the same as a stable code (quantize.errors.ExplainedError.code) …
    error_params: dict = field(default_factory=dict)  # … and its values, for the window's own words
    modified: float = 0.0  # the file's modification time (seconds since the epoch), 0 when unknown

    @property
    def usable(self) -> bool:
        return not self.error

    @property
    def family_text(self) -> str:
        if self.error:
            return ""
        return FAMILY_NAMES.get(self.family, self.family) if self.family else "other (no Hanashi metadata)"

    @property
    def size_text(self) -> str:
        return human_size(self.size)

    @property
    def parity_text(self) -> str:
        return parity_text(self.parity, self.runtime_tokenizer)

    @property
    def parity_facts(self) -> ParityFacts:
        return parity_facts(self.parity, self.runtime_tokenizer)


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


@dataclass(frozen=True)
class ParityFacts:
    """The tokenizer parity a file records, as values (a window words them in its own language)."""

    state: str  # "exact", "partial" or "unmeasured"
    matched: int = 0
    total: int = 0
    runtime: str = ""  # the tokenizer Hanashi runs when not exact ("sentencepiece"), or ""

    @property
    def percent(self) -> float:
        return 100 * self.matched / self.total if self.total else 0.0


def parity_facts(parity: dict, runtime: str = "") -> ParityFacts:
    matched, total = parity.get("tokenizer.matched"), parity.get("tokenizer.total")
    if type(total) is not int or type(matched) is not int or total <= 0 or not 0 <= matched <= total:
        return ParityFacts("unmeasured")
    if parity.get("tokenizer.exact"):
        return ParityFacts("exact", matched, total)
    return ParityFacts("partial", matched, total, runtime if isinstance(runtime, str) else "")


def parity_text(parity: dict, runtime: str = "") -> str:
    """``exact (242/242)``, ``97.5% (236/242), sentencepiece tokenizer`` or ``not measured``."""
    facts = parity_facts(parity, runtime)
    if facts.state == "unmeasured":
        return "not measured"
    if facts.state == "exact":
        return f"exact ({facts.matched}/{facts.total})"
    text = f"{facts.percent:.1f}% ({facts.matched}/{facts.total})"
    return text + (f", {facts.runtime} tokenizer" if facts.runtime else "")


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except (OSError, ValueError):
        return 0.0


def read_entry(path: Path, bundled: bool = False, in_library: bool = False) -> ModelEntry:
    """The library's view of one file; ``error`` says why it cannot be used. Never raises."""
    entry = _read_entry(Path(path), bundled, in_library)
    entry.modified = _modified(entry.path)
    return entry


def _read_entry(path: Path, bundled: bool, in_library: bool) -> ModelEntry:
    try:
        info = checked_info(path)
    except (ConversionError, OSError) as e:
        if isinstance(e, ConversionError):
            message, code, params = e.message, e.code, dict(getattr(e, "params", {}) or {})
        else:
            message, code, params = f"the file cannot be read ({e.strerror or e})", "gguf.unreadable", {}
        return ModelEntry(path, path.stem, _size_of(path), bundled=bundled, in_library=in_library, error=message,
                          error_code=code, error_params=params)
    except Exception as e:  # a reader bug must not keep the library (or the app) from opening
        return ModelEntry(path, path.stem, _size_of(path), bundled=bundled, in_library=in_library,
                          error=f"the file could not be checked ({type(e).__name__}: {e})", error_code="error")
    return ModelEntry(path, info.name or path.stem, info.size, info.family or "", info.file_type, info.parity,
                      info.runtime_tokenizer, info.n_ctx, bundled, in_library)


def _gguf_files(folder: Path) -> list[Path]:
    try:
        files = [p for p in folder.glob("*.gguf") if not p.is_dir()]
    except OSError:
        return []
    return sorted(files, key=lambda p: p.name.lower())


def _resolved(path: Path) -> Path:
    """The path with links followed; a link loop (RuntimeError or OSError) gives the path as it is."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(path).absolute()


def file_identity(path: str | Path) -> tuple:
    """What tells one file from another: its device and inode (so a symbolic or hard link, or the
    same path written another way, is the same file), else its resolved path. Never raises."""
    try:
        st = os.stat(path)
        return ("inode", st.st_dev, st.st_ino)
    except (OSError, ValueError, TypeError):
        return ("path", str(_resolved(Path(path))))


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name the same file (links followed where they can be). Never raises."""
    return file_identity(a) == file_identity(b)


def is_demo(path: str | Path) -> bool:
    """Whether ``path`` is the bundled demo model. Never raises."""
    return same_file(path, demo_model())


def demo_model() -> Path:
    return paths.DEMO_MODEL


def list_models(opened: list[str] | tuple[str, ...] = (), include_demo: bool = True) -> list[ModelEntry]:
    """Models folder first (by name), then files opened from elsewhere that still exist, then the demo.

    One row per file: a file reached twice (a link in the models folder to another file there, a
    hard link, a file opened twice under different paths, the demo opened by hand) is listed once,
    under its own name rather than a link's where both are in the models folder.
    """
    try:
        folder = paths.models_dir()
    except OSError:
        folder = None
    files = _gguf_files(folder) if folder else []
    seen: set[tuple] = set()
    keep: set[Path] = set()
    for p in sorted(files, key=lambda p: (p.is_symlink(), p.name.lower())):  # real files before links
        key = file_identity(p)
        if key not in seen:
            seen.add(key)
            keep.add(p)
    entries = [read_entry(p, in_library=True) for p in files if p in keep]
    demo = demo_model()
    demo_key = file_identity(demo) if include_demo and demo.is_file() else None
    for p in opened:
        if not isinstance(p, (str, Path)):
            continue
        path = Path(p)
        try:
            usable = path.is_file()
        except (OSError, ValueError):
            usable = False
        key = file_identity(path) if usable else None
        if usable and key not in seen and key != demo_key:
            seen.add(key)
            entries.append(read_entry(path))
    if demo_key is not None and demo_key not in seen:
        entries.append(read_entry(demo, bundled=True))
    return entries


def in_library(path: Path) -> bool:
    try:
        folder = paths.models_dir()
    except OSError:
        return False
    return _resolved(Path(path)).parent == _resolved(folder)


def delete(entry: ModelEntry) -> bool:
    """Delete a model in the models folder (True); for other files only the listing goes (False)."""
    if entry.bundled:
        raise ValueError("the demo model is part of Hanashi and can't be deleted")
    if entry.in_library:
        entry.path.unlink(missing_ok=True)
        return True
    return False


def default_model(last_model: str = "", opened: list[str] | tuple[str, ...] = ()) -> Path | None:
    """The model to load at start: the last one used if it still exists and is usable, else the
    first usable model in the library, else the demo. Unusable files are skipped; never raises."""
    if last_model and isinstance(last_model, str) and Path(last_model).is_file() \
            and read_entry(Path(last_model)).usable:
        return Path(last_model)
    for entry in list_models(opened, include_demo=False):
        if entry.usable and entry.in_library:
            return entry.path
    demo = demo_model()
    return demo if demo.is_file() and read_entry(demo, bundled=True).usable else None


def import_target(model_dir: Path, out_type: str) -> Path:
    """Where an imported Hugging Face folder goes: ``models/<folder>-<type>.gguf`` (numbered if taken)."""
    stem = re.sub(r"[^\w.\-]+", "-", _resolved(Path(model_dir)).name).strip("-") or "model"
    folder = paths.models_dir()
    target = folder / f"{stem}-{out_type}.gguf"
    n = 2
    while target.exists():
        target = folder / f"{stem}-{out_type}-{n}.gguf"
        n += 1
    return target
