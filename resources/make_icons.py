"""Draw the Studio Desk app icon with Qt and write it for every platform.

Run once after changing the design, and commit the results:

    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/make_icons.py

Writes resources/icons/desk-<size>.png (16..1024), desk.ico (Windows) and desk.icns (macOS).
Only shapes, no fonts, so it renders the same on any machine, offline.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QImageWriter,
    QLinearGradient,
    QPainter,
    QPen,
)

HERE = Path(__file__).resolve().parent / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
TEAL_TOP, TEAL_BOTTOM = QColor("#3A8C8F"), QColor("#245A5D")
ACCENT = QColor("#F2A65A")


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 100.0  # design on a 100x100 grid

    background = QLinearGradient(0, 0, 0, size)
    background.setColorAt(0, TEAL_TOP)
    background.setColorAt(1, TEAL_BOTTOM)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(background)
    p.drawRoundedRect(QRectF(4 * s, 4 * s, 92 * s, 92 * s), 20 * s, 20 * s)

    # A calendar page: white card, a header band, two binder rings.
    p.setBrush(QColor("white"))
    p.drawRoundedRect(QRectF(20 * s, 26 * s, 60 * s, 54 * s), 7 * s, 7 * s)
    p.setBrush(QColor("#DCEBEC"))
    p.drawRect(QRectF(20 * s, 36 * s, 60 * s, 3 * s))
    ring = QPen(QColor("white"), max(1.0, 5 * s), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    p.setPen(ring)
    p.drawLine(int(35 * s), int(18 * s), int(35 * s), int(30 * s))
    p.drawLine(int(65 * s), int(18 * s), int(65 * s), int(30 * s))
    p.setPen(Qt.PenStyle.NoPen)

    # Class slots as a 3x3 grid; one booked slot in the accent colour.
    for row in range(3):
        for col in range(3):
            booked = (row, col) == (1, 2)
            p.setBrush(ACCENT if booked else QColor("#9DC3C5"))
            x, y = (28 + col * 16) * s, (45 + row * 11) * s
            p.drawRoundedRect(QRectF(x, y, 12 * s, 7 * s), 2 * s, 2 * s)
    p.end()
    return image


def write(image: QImage, path: Path, fmt: str) -> None:
    writer = QImageWriter(str(path), fmt.encode())
    if not writer.write(image):
        raise SystemExit(f"could not write {path}: {writer.errorString()}")


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    HERE.mkdir(parents=True, exist_ok=True)
    images = {size: draw(size) for size in SIZES}
    for size, image in images.items():
        write(image, HERE / f"desk-{size}.png", "png")
    # Windows takes the largest frame it can use from the .ico; 256 is the format's maximum.
    write(images[256], HERE / "desk.ico", "ico")
    write(images[1024], HERE / "desk.icns", "icns")
    del app
    print(f"icons written to {HERE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
