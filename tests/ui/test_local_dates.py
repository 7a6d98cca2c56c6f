"""Just after midnight in the studio (Istanbul, UTC+3) it is still yesterday in UTC: every date
the desk shows or starts from must be the studio's day, not the UTC one or the computer's."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from PySide6.QtCore import QDate, Qt

from desk.domain.timeutil import local_datetime, week_start
from desk.services import members, sales, trainers
from desk.services.settings import get_policy
from desk.ui import formatting as fmt
from desk.ui.main_window import MainWindow
from desk.ui.pages import default_pages
from desk.ui.schedule.view import ScheduleView
from desk.ui.settings.page import SettingsPage

pytestmark = pytest.mark.ui


@pytest.fixture
def monday(db, studio, clock) -> date:
    """A Monday some weeks ahead; the desk clock at 00:30 there (21:30 UTC on Sunday)."""
    with db.read() as s:
        tz = get_policy(s).tz
    day = week_start(studio.built_at.astimezone(tz).date()) + timedelta(weeks=3)
    moment = local_datetime(day, time(0, 30), tz)
    assert moment.date() == day - timedelta(days=1)  # the UTC date is still Sunday
    clock.set(moment)
    return day


def test_the_schedule_opens_on_the_studios_today(qtbot, owner_ctx, monday):
    view = ScheduleView(owner_ctx)
    qtbot.addWidget(view)
    assert view.anchor == monday
    assert view.first_day == monday  # not the week before
    view.anchor = monday + timedelta(days=9)
    view.go_today()
    assert view.anchor == monday


def test_trainer_time_off_starts_at_the_studios_today(qtbot, db, owner_ctx, studio, monday):
    actor = owner_ctx.who.actor
    with db.write() as s:
        trainers.add_days_off(
            s,
            trainer_id=studio.trainer,
            first_day=monday - timedelta(days=1),
            last_day=monday - timedelta(days=1),
            actor=actor,
            note="yesterday",
        )
        trainers.add_days_off(
            s,
            trainer_id=studio.trainer,
            first_day=monday,
            last_day=monday,
            actor=actor,
            note="today",
        )
    page = SettingsPage(owner_ctx)
    qtbot.addWidget(page)
    page.show()
    tab = page.trainers
    with qtbot.waitSignal(tab.loaded):
        page.open_tab(tab)
    with qtbot.waitSignal(tab.hours_loaded):
        tab.select(lambda t: t.id == studio.trainer)
    listed = [tab.time_off.item(i).text() for i in range(tab.time_off.count())]
    assert len(listed) == 1
    assert listed[0].endswith("· today")


def test_new_time_off_defaults_to_the_desk_clocks_studio_day(qtbot, owner_ctx, studio, monday):
    page = SettingsPage(owner_ctx)
    qtbot.addWidget(page)
    page.show()
    tab = page.trainers
    with qtbot.waitSignal(tab.loaded):
        page.open_tab(tab)
    with qtbot.waitSignal(tab.hours_loaded):
        tab.select(lambda t: t.id == studio.trainer)
    expected = QDate(monday.year, monday.month, monday.day)
    assert tab.off_from.date() == expected
    assert tab.off_to.date() == expected


def open_window(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx, default_pages(), studio_name="Test Studio")
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    return window


@pytest.fixture
def night_member(db, owner_ctx, studio, clock, monday) -> int:
    """A member who joined, and bought a package, at 00:30 studio time on `monday`."""
    actor = owner_ctx.who.actor
    with db.write() as s:
        late = members.add_member(
            s, full_name="Nil Gece", phone="+905320009988", actor=actor, now=clock()
        )
        sales.sell(s, member_id=late.id, product_id=studio.package10, actor=actor, now=clock())
    return late.id


def test_member_since_is_the_studios_day(qtbot, owner_ctx, night_member, monday):
    page = open_window(qtbot, owner_ctx).navigate("members")
    qtbot.waitUntil(lambda: page.list_hint.text().startswith("11 member(s)"))
    row = next(i for i, m in enumerate(page.rows.rows) if m.id == night_member)
    assert page.rows.headerData(4, Qt.Orientation.Horizontal) == "Member since"
    assert page.rows.data(page.rows.index(row, 4)) == fmt.day(monday)


def test_sold_is_the_studios_day(qtbot, owner_ctx, night_member, monday):
    page = open_window(qtbot, owner_ctx).navigate("members")
    qtbot.keyClicks(page.search, "nil")
    qtbot.waitUntil(lambda: page.list_hint.text() == "1 member(s)")
    with qtbot.waitSignal(page.profile.loaded):
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
    sold = page.profile.entitlements
    assert sold.headerData(6, Qt.Orientation.Horizontal) == "Sold"
    assert sold.data(sold.index(0, 6)) == fmt.day(monday)
