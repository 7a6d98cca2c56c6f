"""`desk screenshots`: every main screen renders offscreen to a PNG of the window's size."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from desk.ui.screenshots import SIZE, render_screenshots

pytestmark = pytest.mark.ui


def test_each_main_screen_is_written(qtbot, db, studio, tmp_path):
    written = render_screenshots(db.path, tmp_path / "shots")
    names = [p.stem for p in written]
    assert names == [
        "today",
        "schedule-week",
        "class-roster",
        "member-profile",
        "sell-dialog",
        "settings",
    ]
    for path in written:
        image = QImage(str(path))
        assert (image.width(), image.height()) == SIZE, path.name
        # Not a blank canvas: a rendered screen has many colours.
        colours = {image.pixel(x, y) for x in range(0, SIZE[0], 37) for y in range(0, SIZE[1], 29)}
        assert len(colours) > 8, path.name
