"""``hanashi export``: conversations as Markdown or JSON, from the command line.

    hanashi export --list                          the conversations' ids, newest first
    hanashi export 12 --format md                  one conversation, on stdout
    hanashi export 12 --format json -o talk.json   into a file (written whole or not at all)
    hanashi export --all --format json -o all.json every conversation in one file
    hanashi export --all --format md -o FOLDER     one file per conversation in an existing folder

Errors (no such conversation, a database Hanashi cannot read, a file that cannot be written) are
one message on stderr naming what and how to fix it, and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import export, paths
from .storage import Storage, StorageError


def conversation_id_arg(text: str) -> int:
    """A conversation id on the command line: a whole number from 1 to SQLite's largest."""
    try:
        value = int(str(text).strip())
        if not 1 <= value <= 2**63 - 1:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"{str(text)[:40]!r} is not a conversation id (a whole number from "
                                         "`hanashi export --list`)") from None
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", type=conversation_id_arg, help="the conversation's id (see --list)")
    which.add_argument("--all", action="store_true", help="every conversation")
    which.add_argument("--list", action="store_true", help="list the conversations (id, messages, title)")
    p.add_argument("--format", choices=("md", "json"), default="md", help="Markdown (default) or JSON")
    p.add_argument("-o", "--output", metavar="FILE|DIR",
                   help="write here instead of stdout; an existing folder gets one file per conversation")


def _write_stdout(text: str, out) -> None:
    buffer = getattr(out, "buffer", None)
    try:
        if buffer is not None:
            out.flush()
            buffer.write(text.encode("utf-8"))
            buffer.flush()
        else:
            out.write(text)
            out.flush()
    except BrokenPipeError:
        pass


def _export(store: Storage, args: argparse.Namespace, out) -> list[str]:
    """Write what ``args`` asks for; returns the files written."""
    if args.list:
        lines = [f"{c.id}\t{len(store.messages(c.id))}\t{c.title or '(untitled)'}" for c in store.conversations()]
        _write_stdout("".join(line + "\n" for line in lines), out)
        return []
    if args.all:
        records = export.all_records(store)
    else:
        try:
            records = [export.record(store, args.id)]
        except StorageError as e:
            if e.kind != "gone":
                raise
            raise export.ExportError(f"there is no conversation {args.id}", store.path,
                                     "see the ids with `hanashi export --list`") from None
    target = Path(args.output) if args.output else None
    if target is None:
        _write_stdout(export.render(records, args.format), out)
        return []
    if target.is_dir():
        return [str(export.write_atomic(target / export.file_name(r, args.format), export.render([r], args.format)))
                for r in records]
    return [str(export.write_atomic(target, export.render(records, args.format)))]


def run(args: argparse.Namespace, out=None, err=None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    db = paths.database_path()
    if not db.exists():
        print(f"hanashi export: there are no conversations yet (no database at {db})", file=err)
        return 1
    try:
        store = Storage(db)
    except StorageError as e:
        print(f"hanashi export: {e}", file=err)
        return 1
    try:
        for name in _export(store, args, out):
            print(f"wrote {name}", file=err)
        return 0
    except (StorageError, export.ExportError) as e:
        print(f"hanashi export: {e}", file=err)
        return 1
    finally:
        store.close()
