"""`desk screenshots`: every main screen renders offscreen to a PNG of the window's size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtGui import QImage

from desk.store.models import ClassSession
from desk.ui.screenshots import SIZE, render_screenshots

pytestmark = pytest.mark.ui


def test_each_main_screen_is_written(qtbot, db, studio, tmp_path):
    # The roster shot needs an upcoming class in the week the Schedule opens on. The studio's
    # classes are 1-4 days after it was built, so on a Sunday (or just after midnight on a
    # Monday) the real "now" shows a week with none of them: pin "now" to the first class's day.
    with db.read() as s:
        first_class = s.get(ClassSession, studio.classes[0]).starts_at
    written = render_screenshots(db.path, tmp_path / "shots", at=first_class - timedelta(hours=2))
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
