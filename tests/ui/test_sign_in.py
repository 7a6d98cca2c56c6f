"""Signing in at the desk: names and PINs, the first owner, what each role can open."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk.domain.enums import StaffRole
from desk.services import staff
from desk.ui.context import DeskContext
from desk.ui.main_window import MainWindow
from desk.ui.sign_in import SignInDialog

pytestmark = pytest.mark.ui


def open_dialog(qtbot, background) -> SignInDialog:
    dialog = SignInDialog(background)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.submit.isEnabled)
    return dialog


def test_wrong_pin_is_refused_in_plain_words_then_the_right_one_signs_in(qtbot, studio, background):
    dialog = open_dialog(qtbot, background)
    dialog.name.setCurrentText("Rita Reception")
    qtbot.keyClicks(dialog.pin, "9999")
    qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message.isVisible)
    assert dialog.message.text() == "Wrong name or PIN."
    assert dialog.pin.text() == ""
    qtbot.keyClicks(dialog.pin, "2222")
    with qtbot.waitSignal(dialog.signed_in) as signal:
        qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    who = signal.args[0]
    assert who.name == "Rita Reception"
    assert who.role is StaffRole.RECEPTION
    assert who.actor.staff_user_id == studio.reception


def test_a_trainer_signs_in_with_their_trainer_calendar(qtbot, studio, background):
    dialog = open_dialog(qtbot, background)
    dialog.name.setCurrentText("Tom Trainer")
    qtbot.keyClicks(dialog.pin, "3333")
    with qtbot.waitSignal(dialog.signed_in) as signal:
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
    assert signal.args[0].trainer_id == studio.trainer


def test_a_new_database_asks_for_the_owner_first(qtbot, db, background):
    dialog = open_dialog(qtbot, background)
    assert dialog.first_owner
    qtbot.keyClicks(dialog.new_name, "Selin Kaya")
    qtbot.keyClicks(dialog.pin, "4321")
    qtbot.keyClicks(dialog.repeat_pin, "4312")
    qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "The two PINs are different; type them again."
    qtbot.keyClicks(dialog.pin, "4321")
    qtbot.keyClicks(dialog.repeat_pin, "4321")
    with qtbot.waitSignal(dialog.signed_in) as signal:
        qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
    assert signal.args[0].role is StaffRole.OWNER
    with db.read() as s:
        assert [u.name for u in staff.list_staff(s)] == ["Selin Kaya"]


def window_for(qtbot, ctx: DeskContext) -> MainWindow:
    window = MainWindow(ctx, {}, studio_name="Test Studio")
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    return window


def nav_labels(window: MainWindow) -> list[str]:
    return [window.nav.item(row).text() for row in range(window.nav.count())]


def test_owner_sees_everything(qtbot, owner_ctx):
    window = window_for(qtbot, owner_ctx)
    assert nav_labels(window) == [
        "Today",
        "Schedule",
        "Members",
        "Sales",
        "Inbox",
        "Reports",
        "Settings",
    ]
    assert window.user_label.text() == "Signed in: Olivia Owner · Owner"
    # Pages are built on their first visit: signing in shows Today without loading the rest.
    assert list(window.pages) == ["today"]
    window.navigate("settings")
    assert list(window.pages) == ["today", "settings"]


def test_reception_cannot_open_settings_or_reports(qtbot, reception_ctx):
    window = window_for(qtbot, reception_ctx)
    assert "Settings" not in nav_labels(window)
    assert "Reports" not in nav_labels(window)
    assert window.navigate("settings") is None
    assert window.current_page == "today"
    assert window.statusBar().currentMessage() == "Your role cannot open that page."


def test_ctrl_k_opens_member_search_and_finds_by_name(qtbot, owner_ctx):
    window = window_for(qtbot, owner_ctx)
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window.nav, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "search_popup", None) is not None)
    picker = window.search_popup.picker
    with qtbot.waitSignal(picker.results_shown):
        qtbot.keyClicks(picker.query, "ays")  # ASCII only: QTest aborts on other keys
    assert picker.results.count() == 1
    assert picker.results.item(0).text().startswith("Ayşe Yılmaz")
