"""The bundled Japanese font: registered from ``assets/fonts`` at start and chosen for the UI.

The packaged app copies IPAexGothic (Debian's fonts-ipaexfont-gothic) into ``assets/fonts``; these
tests copy the same file into a temporary assets folder. The start-up tests run in a child process
whose fontconfig knows one Latin font only (DejaVu Sans), like a system without a Japanese font.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.gui import theme

ROOT = Path(__file__).resolve().parents[2]
IPAEX = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
LATIN = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

START = r"""
import json, sys
from pathlib import Path
from PySide6.QtGui import QFontDatabase, QFontInfo, QRawFont
from PySide6.QtWidgets import QApplication
from app import paths
from app.gui import app as gui_app, theme

paths.ASSETS = Path(sys.argv[1])  # this run's assets folder
qt = QApplication(["hanashi"])
before = {"families": QFontDatabase.families(), "japanese": theme.japanese_font_family()}
app = gui_app.application()  # what the app does at start
font = app.font()
print(json.dumps({"before": before, "first_family": font.families()[0] if font.families() else "",
                  "resolved": QFontInfo(font).family(), "japanese": theme.japanese_font_family(),
                  "renders": all(QRawFont.fromFont(font).supportsCharacter(ord(c)) for c in "話日本語ですか")}))
"""


@pytest.fixture
def assets_with_font(tmp_path) -> Path:
    if not IPAEX.is_file():
        pytest.fail(f"{IPAEX} is missing: install Debian's fonts-ipaexfont-gothic (the font the bundle ships)")
    fonts = tmp_path / "assets" / "fonts"
    fonts.mkdir(parents=True)
    shutil.copy(IPAEX, fonts / "ipaexg.ttf")
    (fonts / "README.txt").write_text("not a font")
    return tmp_path / "assets"


def start_without_japanese_fonts(tmp_path: Path, assets: Path) -> dict:
    """Start the app (``application()``) in a child whose system has a Latin font only."""
    if not LATIN.is_file():
        pytest.fail(f"{LATIN} is missing: install Debian's fonts-dejavu-core")
    system = tmp_path / "system-fonts"
    system.mkdir()
    shutil.copy(LATIN, system)
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                    f"<dir>{system}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", START, str(assets)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_bundled_font_is_used_where_the_system_has_no_japanese_font(tmp_path, assets_with_font):
    result = start_without_japanese_fonts(tmp_path, assets_with_font)
    assert result["before"]["japanese"] == ""  # the child really saw no Japanese font of its own
    assert "IPAexGothic" not in result["before"]["families"]
    assert result["japanese"] == "IPAexGothic"
    assert result["first_family"] == "IPAexGothic" and result["resolved"] == "IPAexGothic"
    assert result["renders"] is True


def test_without_bundled_fonts_the_start_is_unchanged(tmp_path):
    bare = tmp_path / "assets"
    (bare / "fonts").mkdir(parents=True)
    (bare / "fonts" / "broken.ttf").write_bytes(b"\0" * 64)  # an unreadable font file is skipped
    result = start_without_japanese_fonts(tmp_path, bare)
    assert result["japanese"] == "" and result["renders"] is False
    assert result["resolved"] == "DejaVu Sans"


def test_registering_returns_the_families_once_per_file(qapp, assets_with_font):
    from PySide6.QtGui import QFont, QFontDatabase, QFontInfo

    fonts = assets_with_font / "fonts"
    assert theme.register_bundled_fonts(fonts) == ["IPAexGothic"]
    count = len(QFontDatabase.families())
    assert theme.register_bundled_fonts(fonts) == ["IPAexGothic"]  # not added a second time
    assert len(QFontDatabase.families()) == count
    assert "IPAexGothic" in QFontDatabase.families(QFontDatabase.WritingSystem.Japanese)
    assert QFontInfo(QFont("IPAexGothic")).family() == "IPAexGothic"  # asked for by name, it is the one used
    assert theme.register_bundled_fonts(assets_with_font / "missing") == []
    assert theme.fonts_dir() == theme.paths.ASSETS / "fonts"
