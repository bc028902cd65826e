"""Gathers the licence notices a Hanashi bundle must carry into one folder.

    python packaging/collect_licenses.py OUT_DIR

Hanashi's own licence, llama.cpp's, every bundled Python distribution's licence files (from its
installed metadata), the Python runtime's, Qt/PySide6's LGPL-3.0 with the GPL-3.0 it refers to,
and the bundled Japanese font's, plus THIRD_PARTY.txt listing them. Stops with a message when a
notice the bundle needs is missing, rather than shipping without it.
"""

from __future__ import annotations

import importlib.metadata as md
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# Distributions the bundle contains (what the app imports at run time).
DISTRIBUTIONS = ["llama_cpp_python", "numpy", "sentencepiece", "protobuf", "Jinja2", "MarkupSafe",
                 "platformdirs", "tqdm", "gguf", "PyYAML", "typing_extensions", "diskcache",
                 "PySide6_Essentials", "shiboken6"]
# The Hub client and everything it needs at run time (hf-xet is left out of the bundle).
HUB_ROOT, HUB_SKIP = "huggingface_hub", {"hf-xet", "hf_xet"}


def hub_distributions() -> list[str]:
    """huggingface_hub and its installed run-time requirements, recursively (no extras)."""
    from packaging.requirements import Requirement

    seen: dict[str, str] = {}
    todo = [HUB_ROOT]
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen or key in HUB_SKIP:
            continue
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        seen[key] = dist.metadata["Name"]
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return sorted(seen.values())


# Distributions whose wheels carry no licence file: the licence text their metadata names.
FALLBACK_TEXT = {"sentencepiece": "Apache-2.0"}
FONT_COPYRIGHT = Path("/usr/share/doc/fonts-ipaexfont-gothic/copyright")
COMMON = Path("/usr/share/common-licenses")

QT_NOTICE = """Qt 6 and Qt for Python (PySide6, shiboken6)

The bundle contains the Qt 6 libraries and the PySide6/shiboken6 bindings, used under the GNU Lesser
General Public License version 3 (LGPL-3.0, see LGPL-3 in this folder; it refers to GPL-3, also
here). They are dynamically linked shared libraries in the bundle's _internal folder: you may replace
them with your own builds of the same version. Their source code is available from The Qt Company
(https://download.qt.io/official_releases/) and from the Qt for Python project
(https://download.qt.io/official_releases/QtForPython/). Version: PySide6 {version}.
"""


def fail(message: str) -> None:
    print(f"collect_licenses: {message}", file=sys.stderr)
    sys.exit(1)


def licence_files(dist: md.Distribution) -> list[Path]:
    out = []
    for f in dist.files or []:
        name = str(f).upper()
        if ("LICEN" in name or "COPYING" in name) and ".dist-info" in str(f):
            path = Path(dist.locate_file(f))
            if path.is_file():
                out.append(path)
    return out


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    listing = ["Hanashi is MIT licensed (Hanashi-LICENSE). It bundles:", ""]
    shutil.copy(ROOT / "LICENSE", out / "Hanashi-LICENSE")
    shutil.copy(HERE / "licenses" / "llama.cpp-LICENSE", out / "llama.cpp-LICENSE")
    listing.append("llama.cpp / ggml — MIT (llama.cpp-LICENSE)")
    names = list(DISTRIBUTIONS)
    names += [n for n in hub_distributions() if n.lower().replace("_", "-") not in
              {d.lower().replace("_", "-") for d in names}]
    for name in names:
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue  # not installed, so not bundled
        files = licence_files(dist)
        expr = dist.metadata.get("License-Expression") or (dist.metadata.get("License") or "").splitlines()[0:1]
        expr = expr if isinstance(expr, str) else (expr[0] if expr else "")
        folder = out / f"{dist.metadata['Name']}-{dist.version}"
        folder.mkdir(exist_ok=True)
        for f in files:
            shutil.copy(f, folder / f.name)
        if name in ("PySide6_Essentials", "shiboken6"):
            (folder / "NOTICE.txt").write_text(QT_NOTICE.format(version=dist.version))
        elif not files and name in FALLBACK_TEXT:
            text = COMMON / FALLBACK_TEXT[name]
            if not text.is_file():
                fail(f"{text} is missing; it is the licence text of {name}")
            shutil.copy(text, folder / f"LICENSE-{FALLBACK_TEXT[name]}")
        elif not files:
            fail(f"{name} {dist.version} ships no licence file in its metadata; add its notice to "
                 "packaging/licenses/ before building")
        listing.append(f"{dist.metadata['Name']} {dist.version} — {expr or 'see folder'} ({folder.name}/)")
    for lic in ("LGPL-3", "GPL-3"):
        src = COMMON / lic
        if not src.is_file():
            fail(f"{src} is missing (Debian/Ubuntu: it comes with base-files); Qt's LGPL text must be bundled")
        shutil.copy(src, out / lic)
    py_licence = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "LICENSE.txt"
    if py_licence.is_file():
        shutil.copy(py_licence, out / "Python-LICENSE.txt")
        listing.append(f"Python {sys.version.split()[0]} runtime — PSF-2.0 (Python-LICENSE.txt)")
    if not FONT_COPYRIGHT.is_file():
        fail(f"{FONT_COPYRIGHT} is missing: install fonts-ipaexfont-gothic (the bundled Japanese font)")
    shutil.copy(FONT_COPYRIGHT, out / "IPAexGothic-LICENSE.txt")
    listing.append("IPAexGothic font — IPA Font License v1.0 (IPAexGothic-LICENSE.txt)")
    listing.append("Qt 6 — LGPL-3.0 (LGPL-3, GPL-3, PySide6_Essentials-*/NOTICE.txt)")
    (out / "THIRD_PARTY.txt").write_text("\n".join(listing) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1])))
