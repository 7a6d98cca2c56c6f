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
