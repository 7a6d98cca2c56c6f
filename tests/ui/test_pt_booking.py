"""Booking a private session: trainer → free slot → member; no PT package offers a drop-in."""

from __future__ import annotations

from datetime import time

import pytest
from PySide6.QtCore import Qt

from desk.services import trainers
from desk.services.actor import Actor
from desk.services.trainers import WeeklyWindow
from desk.ui.schedule.page import SchedulePage

pytestmark = pytest.mark.ui


def test_pt_without_a_package_is_booked_as_a_drop_in(qtbot, db, owner_ctx, studio):
    with db.write() as s:
        trainers.set_weekly_availability(
            s,
            trainer_id=studio.trainer,
            windows=[WeeklyWindow(day, time(9), time(12)) for day in range(7)],
            actor=Actor.system(),
        )
    page = SchedulePage(owner_ctx)
    qtbot.addWidget(page)
    dialog = page.book_pt()
    with qtbot.waitSignal(dialog.slots_shown) as shown:
        pass
    assert shown.args[0] > 0
    assert "free slot(s)" in dialog.slot_hint.text()
    dialog.slot_list.setCurrentRow(0)
    with qtbot.waitSignal(dialog.picker.results_shown):
        qtbot.keyClicks(dialog.picker.query, "bora")
    qtbot.keyClick(dialog.picker.query, Qt.Key.Key_Return)
    assert dialog.book_button.isEnabled()
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message.isVisible)
    assert "covers" in dialog.message.text()
    assert dialog.drop_in.isVisible()
    dialog.drop_in.setChecked(True)
    with qtbot.waitSignal(dialog.booked) as booked:
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    result = booked.args[0]
    assert result.is_drop_in
    assert result.member_id == studio.bora
    assert result.service_name == "PT 1:1"
