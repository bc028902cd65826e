"""The main window under a real X server (Xvfb) with a Japanese conversation, saved as a PNG.

The window is started in a subprocess on the xcb platform (Xvfb, from Debian's xvfb package,
which scripts/test.sh installs), talks to the demo model, and is captured from the screen.
The PNG lands in tests/artifacts/ (not committed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app.storage import ASSISTANT, Storage

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"


def has_japanese_font() -> bool:
    out = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True) if shutil.which("fc-list") else None
    return bool(out and out.stdout.strip())


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs Xvfb: bash scripts/test.sh installs it (as root)")
@pytest.mark.skipif(not has_japanese_font(), reason="needs a Japanese font: apt-get install fonts-noto-cjk")
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_main_window_with_a_japanese_conversation_renders_under_xvfb(tmp_path, theme):
    out = ARTIFACTS / f"main-window-{theme}.png"
    out.unlink(missing_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", HANASHI_DATA_DIR=str(tmp_path / "data"),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x900x24", sys.executable,
                           str(ROOT / "scripts" / "screenshot.py"), str(out), "--theme", theme],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "font: none" not in proc.stdout and "font: " in proc.stdout  # a Japanese font was found
    # What is on screen: the demo's answers, the last one Markdown with a code block.
    store = Storage(tmp_path / "data" / "conversations.sqlite3")
    try:
        (convo,) = store.conversations()
        replies = [m for m in store.messages(convo.id) if m.role == ASSISTANT]
    finally:
        store.close()
    assert replies[0].content.startswith("富士山です。") and replies[1].content.startswith("すみません、それはわかりません")
    assert "```python" in replies[-1].content and all(m.stats.get("n_generated") for m in replies)
    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    # Non-blank: many colours (text antialiasing, bubbles, widgets) and much that isn't background.
    step = 3
    pixels = Counter(image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step))
    total = sum(pixels.values())
    assert len(pixels) > 50
    assert pixels.most_common(1)[0][1] / total < 0.9
    # The theme shows: mostly dark pixels in the dark theme, mostly light ones in the light theme.
    grid = [image.pixelColor(x, y).lightness() for x in range(0, image.width(), 25) for y in range(0, image.height(), 25)]
    mean = sum(grid) / len(grid)
    assert (mean < 110) if theme == "dark" else (mean > 150), mean
