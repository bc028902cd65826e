"""Keep the Japanese translation in step with the code, and compile it.

    .venv/bin/python assets/i18n/update.py           # update hanashi_ja.ts, build hanashi_ja.qm
    .venv/bin/python assets/i18n/update.py --check   # exit 1 if a string has no translation

Strings are the literal first arguments of ``tr("…")`` and ``N_("…")`` in ``app/gui``. The .ts
file (Qt Linguist's format: edit it in Linguist or by hand) keeps existing translations; new
strings are added as unfinished, strings gone from the code are dropped. The .qm is compiled
with ``pyside6-lrelease`` (shipped with PySide6) or Qt's ``lrelease``.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SOURCES = ROOT / "app" / "gui"
TS = HERE / "hanashi_ja.ts"
QM = HERE / "hanashi_ja.qm"
CONTEXT = "Hanashi"


def collect(folder: Path = SOURCES) -> dict[str, tuple[str, int]]:
    """source text → (file, line) of its first use, in file order."""
    found: dict[str, tuple[str, int]] = {}
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tr", "N_")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                rel = path.relative_to(ROOT).as_posix()
                found.setdefault(node.args[0].value, (rel, node.lineno))
    return dict(sorted(found.items(), key=lambda kv: kv[1]))


def read_ts(path: Path = TS) -> dict[str, str]:
    if not path.is_file():
        return {}
    out = {}
    for message in ET.parse(path).getroot().iter("message"):
        source = message.findtext("source") or ""
        tr = message.find("translation")
        if tr is not None and tr.text and tr.get("type") not in ("unfinished", "vanished", "obsolete"):
            out[source] = tr.text
    return out


def write_ts(strings: dict[str, tuple[str, int]], translations: dict[str, str], path: Path = TS) -> None:
    root = ET.Element("TS", version="2.1", language="ja_JP", sourcelanguage="en_US")
    ctx = ET.SubElement(root, "context")
    ET.SubElement(ctx, "name").text = CONTEXT
    for source, (file, line) in strings.items():
        msg = ET.SubElement(ctx, "message")
        ET.SubElement(msg, "location", filename="../../" + file, line=str(line))
        ET.SubElement(msg, "source").text = source
        tr = ET.SubElement(msg, "translation")
        if source in translations:
            tr.text = translations[source]
        else:
            tr.set("type", "unfinished")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")


def lrelease() -> str:
    for name in ("pyside6-lrelease", "lrelease"):
        beside = Path(sys.executable).with_name(name)
        if beside.is_file():
            return str(beside)
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("pyside6-lrelease not found: install PySide6 (pip install PySide6-Essentials)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="only report untranslated strings")
    a = p.parse_args(argv)
    strings = collect()
    translations = read_ts()
    missing = [s for s in strings if s not in translations]
    if a.check:
        for s in missing:
            print(f"untranslated: {s!r} ({strings[s][0]}:{strings[s][1]})")
        return 1 if missing else 0
    write_ts(strings, translations)
    subprocess.run([lrelease(), "-silent", str(TS), "-qm", str(QM)], check=True)
    print(f"{TS.name}: {len(strings)} strings, {len(missing)} untranslated; wrote {QM.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
