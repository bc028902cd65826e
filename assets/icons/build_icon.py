"""Draw Hanashi's window icon, ``assets/icons/hanashi.png``: 話 on a rounded square.

    QT_QPA_PLATFORM=offscreen .venv/bin/python assets/icons/build_icon.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

OUT = Path(__file__).resolve().parent / "hanashi.png"


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - fonts need the application
    size = 256
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(45, 105, 190))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(QRectF(8, 8, size - 16, size - 16), 48, 48)
    font = QFont()
    font.setFamilies(["Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "Hiragino Sans", "Yu Gothic"])
    font.setPixelSize(168)
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor(255, 255, 255))
    p.drawText(QRectF(0, -6, size, size), Qt.AlignmentFlag.AlignCenter, "話")
    p.end()
    image.save(str(OUT))
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
