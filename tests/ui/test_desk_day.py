"""A desk day end to end: sign in through the dialog, sell at Sales, lock; trainer's own view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from desk.app import build_window, desk_context
from desk.services import sales
from desk.ui.schedule.page import SchedulePage
from desk.ui.sign_in import SignInDialog

pytestmark = pytest.mark.ui


def sign_in(qtbot, background, name, pin):
    dialog = SignInDialog(background)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.submit.isEnabled)
    dialog.name.setCurrentText(name)
    qtbot.keyClicks(dialog.pin, pin)
    with qtbot.waitSignal(dialog.signed_in) as signal:
        qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    return signal.args[0]


def test_reception_signs_in_and_sells_from_the_sales_page(qtbot, db, studio, background):
    who = sign_in(qtbot, background, "Rita Reception", "2222")
    window = build_window(background, who, "Test Studio")
    qtbot.addWidget(window)
    window.show()
    assert window.user_label.text() == "Signed in: Rita Reception · Reception"
    page = window.navigate("sales")
    qtbot.waitUntil(lambda: page.catalog.count() == 2)
    with qtbot.waitSignal(page.picker.results_shown):
        qtbot.keyClicks(page.picker.query, "bora")
    qtbot.keyClick(page.picker.query, Qt.Key.Key_Return)
    page.choose_product("Reformer 10")
    qtbot.mouseClick(page.sell_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.waitUntil(dialog.sell_button.isEnabled)
    assert dialog.chosen.name == "Reformer 10"
    assert dialog.price.isReadOnly()
    with qtbot.waitSignal(dialog.sold):
        qtbot.mouseClick(dialog.sell_button, Qt.MouseButton.LeftButton)
    assert page.sold.rowCount() == 1
    assert page.message.text() == "Sold Reformer 10 to Bora Demir."
    with db.read() as s:
        (sold,) = sales.entitlements(s, member_id=studio.bora)
    assert sold.seller == "Rita Reception"
    with qtbot.waitSignal(window.signed_out):
        qtbot.mouseClick(window.lock_button, Qt.MouseButton.LeftButton)


def test_a_trainer_sees_only_their_own_classes_and_no_members(qtbot, db, studio, background, clock):
    who = sign_in(qtbot, background, "Tom Trainer", "3333")
    ctx = desk_context(background, who)
    window = build_window(background, who, "Test Studio")
    qtbot.addWidget(window)
    labels = [window.nav.item(r).text() for r in range(window.nav.count())]
    assert labels == ["Today", "Schedule"]
    page = SchedulePage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded) as loaded:
        page.go_to(studio.built_at.date())
    calendar = loaded.args[0]
    assert {row.session.trainer_id for row in calendar.rows} <= {studio.trainer}
    assert page.calendar.trainers == tuple(t for t in calendar.trainers if t.id == studio.trainer)


def test_today_opens_the_next_class_ready_for_check_in(qtbot, owner_ctx, studio, clock):
    from datetime import time
    from zoneinfo import ZoneInfo

    from desk.domain.timeutil import local_datetime
    from desk.ui.schedule.page import TodayWithRoster

    tz = ZoneInfo("Europe/Istanbul")
    tomorrow = studio.built_at.astimezone(tz).date() + timedelta(days=1)
    clock.set(local_datetime(tomorrow, time(17, 30), tz))
    page = TodayWithRoster(owner_ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.roster.loaded) as loaded:
        page.activate()
    assert loaded.args[0].row.id == studio.classes[0]
    assert page.stats[0].value.text() == "1"
    assert page.title.text() == "Good afternoon, Olivia Owner"


def test_free_pt_slots_are_grouped_by_studio_day():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from desk.services.slots import Slot
    from desk.ui.schedule.pt_booking import slot_lines

    tz = ZoneInfo("Europe/Istanbul")  # UTC+3 all year
    now = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Fri 27 Nov, 10:00 in the studio

    def slot(day: int, hour: int, minute: int = 0) -> Slot:
        start = datetime(2026, 11, day, hour, minute, tzinfo=UTC)
        return Slot(1, 2, None, start, start + timedelta(hours=1))

    # 21:30 UTC on the 28th is 00:30 on Sunday the 29th in the studio.
    free = [slot(28, 21, 30), slot(27, 12), slot(27, 9), slot(28, 6), slot(30, 6)]
    lines = [line.text for line in slot_lines(free, tz, now)]
    assert lines == [
        "Today · Fri 27 Nov — 2 free",
        "12:00–13:00",
        "15:00–16:00",
        "Tomorrow · Sat 28 Nov — 1 free",
        "09:00–10:00",
        "Sun 29 Nov — 1 free",
        "00:30–01:30",
        "Mon 30 Nov — 1 free",
        "09:00–10:00",
    ]
    assert [line.slot is None for line in slot_lines(free, tz, now)][:2] == [True, False]
    assert slot_lines([], tz, now) == []


def test_the_pt_dialog_shows_day_headings_that_cannot_be_chosen(qtbot, db, owner_ctx, studio):
    from datetime import time

    from desk.services import trainers
    from desk.services.actor import Actor
    from desk.services.trainers import WeeklyWindow

    with db.write() as s:
        trainers.set_weekly_availability(
            s,
            trainer_id=studio.trainer,
            windows=[WeeklyWindow(day, time(9), time(11)) for day in range(7)],
            actor=Actor.system(),
        )
    page = SchedulePage(owner_ctx)
    qtbot.addWidget(page)
    dialog = page.book_pt()
    with qtbot.waitSignal(dialog.slots_shown) as shown:
        pass
    slots_list = dialog.slot_list
    texts = [slots_list.item(r).text() for r in range(slots_list.count())]
    headings = [t for t in texts if "free" in t]
    assert len(headings) >= 6  # a week of days, today's slots may already be past
    assert headings[0].startswith(("Today · ", "Tomorrow · "))
    assert any(t.startswith("Tomorrow · ") for t in headings)
    assert len(texts) == shown.args[0] + len(headings)
    first_heading = slots_list.item(0)
    assert not first_heading.flags() & Qt.ItemFlag.ItemIsSelectable
    slots_list.setCurrentRow(0)  # landing on a heading moves to its first slot
    assert slots_list.currentRow() == 1
    assert dialog.selected_slot() is not None
    second = texts.index(headings[1])
    slots_list.setCurrentRow(second - 1)  # the last slot of the first day
    qtbot.keyClick(slots_list, Qt.Key.Key_Down)
    assert slots_list.currentRow() == second + 1
    qtbot.keyClick(slots_list, Qt.Key.Key_Up)
    assert slots_list.currentRow() == second - 1
