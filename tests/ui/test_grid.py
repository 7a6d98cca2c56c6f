"""The schedule grid: placement of classes, clicking one, clicking an empty slot."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt

from desk.domain.timeutil import day_month
from desk.ui.schedule.grid import GridColumn, GridEvent, ScheduleGrid, _lanes

pytestmark = pytest.mark.ui

MONDAY = date(2025, 3, 10)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def event(key, column, hour, minutes=50, **extra):
    start = at(column, hour)
    return GridEvent(key, column, start, start + timedelta(minutes=minutes), "Reformer", **extra)


def test_overlapping_classes_sit_side_by_side_and_others_take_full_width():
    events = [event(1, MONDAY, 18), event(2, MONDAY, 18, 30), event(3, MONDAY, 20)]
    lanes = _lanes(events)
    assert lanes[1] == (0, 2)
    assert lanes[2] == (1, 2)
    assert lanes[3] == (0, 1)


def test_a_chain_of_overlaps_reuses_a_freed_lane():
    first = event(1, MONDAY, 9, 60)
    second = GridEvent(2, MONDAY, at(MONDAY, 9, 30), at(MONDAY, 10, 30), "B")
    third = GridEvent(3, MONDAY, at(MONDAY, 10), at(MONDAY, 11), "C")
    lanes = _lanes([first, second, third])
    assert lanes[3][0] == 0
    assert {lanes[1][1], lanes[2][1], lanes[3][1]} == {2}


@pytest.fixture
def grid(qtbot):
    widget = ScheduleGrid()
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    days = [MONDAY + timedelta(days=n) for n in range(7)]
    columns = [GridColumn(d, f"{d:%a}", d, day_month(d)) for d in days]
    events = [event(10 + n, d, 8 + n, occupancy="6/8") for n, d in enumerate(days)]
    widget.set_schedule(columns, events, now=at(MONDAY + timedelta(days=2), 12))
    with qtbot.waitExposed(widget):
        widget.show()
    return widget


def test_clicking_a_class_announces_it(grid, qtbot):
    rect = grid.event_rect(12)
    grid.scroll.ensureVisible(rect.center().x(), rect.center().y())
    with qtbot.waitSignal(grid.session_clicked) as signal:
        qtbot.mouseClick(grid.canvas, Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [12]
    assert grid.selected == 12


def test_classes_in_later_columns_are_further_right_and_later_ones_lower(grid):
    monday, tuesday = grid.event_rect(10), grid.event_rect(11)
    assert tuesday.left() > monday.right()
    assert tuesday.top() > monday.top()


def test_clicking_an_empty_spot_offers_that_half_hour(grid, qtbot):
    x = grid.event_rect(10).center().x()
    y = int((14.5 - grid.first_hour) * grid.hour_px) + 5
    grid.scroll.ensureVisible(x, y)
    with qtbot.waitSignal(grid.slot_clicked) as signal:
        qtbot.mouseClick(grid.canvas, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    assert signal.args == [MONDAY, at(MONDAY, 14, 30)]


def test_hours_stretch_to_cover_an_early_class(grid):
    early = [GridEvent(1, MONDAY, at(MONDAY, 6), at(MONDAY, 7), "Sunrise yoga")]
    grid.set_schedule(grid.columns, early, now=None)
    assert grid.first_hour == 6
