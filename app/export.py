"""Conversations out of the database: JSON (complete, readable back) and Markdown (for people).

    records = [export.record(storage, conversation_id)]
    export.write_atomic(path, export.to_json(records))        # or export.to_markdown(records[0])
    export.read_json(path.read_text(encoding="utf-8"))         # the records again, checked

JSON holds everything stored about a conversation (title, persona, sampling, model, every message
with its role, status, model, stats and times), so ``read_json`` gives back exactly what was
stored. Markdown shows the title, model and persona, then each message with who wrote it, the
model and the time. Files are written whole or not at all: a temporary file beside the target,
flushed to disk, then renamed over it.

The command line (``hanashi export``) is ``app.export_cli``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path

from quantize.errors import ExplainedError

from .local_files import describe_os_error, kind_of
from .storage import ASSISTANT, STOPPED, Storage

FORMAT = "hanashi-conversations"
FORMAT_VERSION = 1
EXTENSIONS = {"md": ".md", "json": ".json"}

# The words Markdown uses; the desktop app passes its translations.
WORDS = {"you": "You", "assistant": "Assistant", "model": "Model", "persona": "Persona", "created": "Created",
         "stopped": "stopped before the end", "untitled": "New conversation"}

_CONVERSATION_KEYS = {"id": int, "title": str, "persona": str, "sampling": dict, "model": str,
                      "created": (int, float), "updated": (int, float), "messages": list}
_MESSAGE_KEYS = {"id": int, "role": str, "content": str, "status": str, "model": str, "stats": dict,
                 "created": (int, float)}


class ExportError(ExplainedError):
    """An export that could not be written, or a JSON export that cannot be read back."""


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _local(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


# ------------------------------------------------------------ records

def record(storage: Storage, conversation_id: int) -> dict:
    """Everything stored about one conversation, as one consistent state (StorageError ``gone``
    when it no longer exists)."""
    convo, messages = storage.snapshot(conversation_id)
    return {
        "id": convo.id, "title": convo.title, "persona": convo.persona, "sampling": convo.sampling,
        "model": convo.model, "created": convo.created, "updated": convo.updated,
        "created_at": _iso(convo.created), "updated_at": _iso(convo.updated),
        "messages": [{"id": m.id, "role": m.role, "content": m.content, "status": m.status, "model": m.model,
                      "stats": m.stats, "created": m.created, "created_at": _iso(m.created)} for m in messages],
    }


def all_records(storage: Storage) -> list[dict]:
    """Every conversation, oldest first (one deleted meanwhile is left out)."""
    out = []
    for convo in reversed(storage.conversations()):
        try:
            out.append(record(storage, convo.id))
        except Exception as e:  # noqa: BLE001 - only "deleted meanwhile" is skipped
            if getattr(e, "kind", "") != "gone":
                raise
    return out


# ------------------------------------------------------------ JSON

def to_json(records: list[dict]) -> str:
    return json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "exported_at": _iso(time.time()),
                       "conversations": records}, ensure_ascii=False, indent=2) + "\n"


def _check(obj: object, keys: dict, where: str) -> None:
    if not isinstance(obj, dict):
        raise ExportError(f"{where} is not a JSON object", fix="export the conversation from Hanashi again")
    for key, kind in keys.items():
        value = obj.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ExportError(f"{where} has no valid \"{key}\"", fix="export the conversation from Hanashi again")


def read_json(text: str) -> list[dict]:
    """The conversations of a JSON export, each checked to have every field with the right type."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as e:
        reason = "nested too deeply" if isinstance(e, RecursionError) else str(e)[:200]
        raise ExportError(f"not JSON ({reason})", fix="choose a file Hanashi exported as JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExportError("not a Hanashi conversation export", fix="choose a file Hanashi exported as JSON")
    if type(doc.get("version")) is not int or doc.get("version") != FORMAT_VERSION:
        raise ExportError(f"written in export format version {doc.get('version')!r}; this Hanashi reads "
                          f"version {FORMAT_VERSION}", fix="use the Hanashi version that wrote it")
    records = doc.get("conversations")
    if not isinstance(records, list):
        raise ExportError("the export has no list of conversations", fix="export again from Hanashi")
    for i, rec in enumerate(records):
        _check(rec, _CONVERSATION_KEYS, f"conversation {i + 1}")
        for j, m in enumerate(rec["messages"]):
            _check(m, _MESSAGE_KEYS, f"message {j + 1} of conversation {i + 1}")
    return records


# ------------------------------------------------------------ Markdown

def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def to_markdown(rec: dict, words: dict | None = None) -> str:
    """One conversation for people to read."""
    w = {**WORDS, **(words or {})}
    title = " ".join(rec["title"].split()) or w["untitled"]
    out = [f"# {title}", ""]
    if rec.get("model"):
        out.append(f"- {w['model']}: {Path(rec['model']).name if os.sep in rec['model'] else rec['model']}")
    out.append(f"- {w['created']}: {_local(rec['created'])}")
    if rec.get("persona", "").strip():
        out += ["", f"**{w['persona']}:**", "", _quote(rec["persona"])]
    for m in rec["messages"]:
        who = w["assistant"] if m["role"] == ASSISTANT else w["you"]
        head = f"## {who}" + (f" · {m['model']}" if m["role"] == ASSISTANT and m.get("model") else "")
        head += f" · {_local(m['created'])}" + (f" · ({w['stopped']})" if m.get("status") == STOPPED else "")
        out += ["", "---", "", head, "", m["content"].rstrip("\n")]
    return "\n".join(out) + "\n"


def to_markdown_all(records: list[dict], words: dict | None = None) -> str:
    return "\n\n".join(to_markdown(r, words) for r in records)


# ------------------------------------------------------------ files

def file_name(rec: dict, fmt: str) -> str:
    """``<id>-<title>.<ext>``, the title cut to what every file system accepts."""
    title = re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*]+', " ", rec.get("title", ""))
    title = "-".join(title.split()).strip(".-")[:50]
    return f"{rec['id']}" + (f"-{title}" if title else "") + EXTENSIONS[fmt]


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all; ExportError says why not."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise ExportError("the folder to save in does not exist", folder, "choose an existing folder")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise ExportError(f"cannot be written ({describe_os_error(e)})", path, "choose another file name") from None
    if st is not None and not os.path.isfile(path):
        raise ExportError(f"is {kind_of(st.st_mode)}, not a file", path, "choose another file name")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".part", dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise ExportError(f"could not be written ({describe_os_error(e)})", path,
                          "check free disk space and that the folder is writable, or choose another place") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return path


def render(records: list[dict], fmt: str, words: dict | None = None) -> str:
    if fmt not in EXTENSIONS:
        raise ValueError(f"unknown export format {fmt!r} (md or json)")
    return to_json(records) if fmt == "json" else to_markdown_all(records, words)
