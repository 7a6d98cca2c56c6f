"""Members: find one, sell a package, adjust, see the balance badge; prices by role."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk.services import sales
from desk.ui.main_window import MainWindow
from desk.ui.pages import default_pages

pytestmark = pytest.mark.ui


def open_window(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx, default_pages(), studio_name="Test Studio")
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    return window


def open_profile(qtbot, window, typed: str):
    page = window.navigate("members")
    qtbot.keyClicks(page.search, typed)
    qtbot.waitUntil(lambda: page.list_hint.text() == "1 member(s)")
    with qtbot.waitSignal(page.profile.loaded):
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
    return page.profile


def test_members_page_lists_everyone_a_to_z_before_any_search(qtbot, owner_ctx):
    window = open_window(qtbot, owner_ctx)
    page = window.navigate("members")
    qtbot.waitUntil(lambda: page.list_hint.text() == "10 member(s), A–Z.")
    names = [m.full_name for m in page.rows.rows]
    assert names[:3] == ["Ayşe Yılmaz", "Bora Demir", "Guest 01"]


def test_search_opens_a_profile_with_no_package(qtbot, owner_ctx):
    window = open_window(qtbot, owner_ctx)
    profile = open_profile(qtbot, window, "bora")
    assert profile.name.text() == "Bora Demir"
    assert profile.balance.text() == "no package"
    assert profile.balance.tone == "bad"
    assert "No packages yet" in profile.packages_hint.text()


def test_sell_ten_sessions_and_the_badge_shows_ten_left(qtbot, db, owner_ctx, studio):
    window = open_window(qtbot, owner_ctx)
    profile = open_profile(qtbot, window, "ays")
    qtbot.mouseClick(profile.sell_button, Qt.MouseButton.LeftButton)
    dialog = profile.dialog
    qtbot.waitUntil(dialog.sell_button.isEnabled)
    dialog.select_product("Reformer 10")
    assert dialog.price.text() == "2500.00"
    assert "10 sessions, valid 90 days" in dialog.terms.text()
    with qtbot.waitSignal(profile.loaded):
        qtbot.mouseClick(dialog.sell_button, Qt.MouseButton.LeftButton)
    assert profile.balance.text() == "10 left"
    assert profile.entitlements.rowCount() == 1
    assert profile.entitlements.data(profile.entitlements.index(0, 1)) == "10 / 10"
    with db.read() as s:
        (sold,) = sales.entitlements(s, member_id=studio.ayse)
    assert sold.seller == "Olivia Owner"
    assert sold.price_minor == 250_000


def test_owner_may_give_a_discount(qtbot, db, owner_ctx, studio):
    window = open_window(qtbot, owner_ctx)
    profile = open_profile(qtbot, window, "bora")
    profile.open_sell()
    dialog = profile.dialog
    qtbot.waitUntil(dialog.sell_button.isEnabled)
    dialog.select_product("Reformer 10")
    assert not dialog.price.isReadOnly()
    dialog.price.clear()
    qtbot.keyClicks(dialog.price, "2000")
    with qtbot.waitSignal(dialog.sold):
        qtbot.mouseClick(dialog.sell_button, Qt.MouseButton.LeftButton)
    with db.read() as s:
        (sold,) = sales.entitlements(s, member_id=studio.bora)
    assert sold.price_minor == 200_000


def test_reception_sells_at_the_catalog_price_only(qtbot, reception_ctx):
    window = open_window(qtbot, reception_ctx)
    profile = open_profile(qtbot, window, "bora")
    profile.open_sell()
    dialog = profile.dialog
    qtbot.waitUntil(dialog.sell_button.isEnabled)
    assert dialog.price.isReadOnly()
    assert "only the owner" in dialog.price_hint.text()


def test_adjust_needs_a_reason_and_then_moves_the_balance(qtbot, db, owner_ctx, studio):
    with db.write() as s:
        sales.sell(s, member_id=studio.bora, product_id=studio.package10, actor=owner_ctx.who.actor)
    window = open_window(qtbot, owner_ctx)
    profile = open_profile(qtbot, window, "bora")
    dialog = profile.open_adjust()
    dialog.delta.setValue(-2)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message.isVisible)
    assert dialog.message.text() == "Say why the balance is being adjusted."
    qtbot.keyClicks(dialog.reason, "two sessions given to her sister")
    with qtbot.waitSignal(profile.loaded):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert profile.balance.text() == "8 left"


def test_new_member_with_a_bad_phone_is_refused_next_to_the_form(qtbot, owner_ctx):
    window = open_window(qtbot, owner_ctx)
    page = window.navigate("members")
    dialog = page.new_member()
    qtbot.keyClicks(dialog.full_name, "Deniz Ak")
    qtbot.keyClicks(dialog.phone, "12")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message.isVisible)
    assert dialog.message.role == "error"
    assert dialog.isVisible()
    dialog.phone.clear()
    qtbot.keyClicks(dialog.phone, "05551234567")
    with qtbot.waitSignal(page.profile.loaded):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert page.profile.name.text() == "Deniz Ak"


def test_pause_a_package_moves_its_expiry(qtbot, db, owner_ctx, studio):
    with db.write() as s:
        sold = sales.sell(
            s, member_id=studio.bora, product_id=studio.package10, actor=owner_ctx.who.actor
        )
    window = open_window(qtbot, owner_ctx)
    profile = open_profile(qtbot, window, "bora")
    dialog = profile.open_pause()
    qtbot.keyClicks(dialog.reason, "holiday")
    with qtbot.waitSignal(profile.loaded):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    with db.read() as s:
        (paused,) = sales.entitlements(s, member_id=studio.bora, now=owner_ctx.now())
    assert (paused.expires_on - sold.expires_on).days == 14
    assert profile.entitlements.data(profile.entitlements.index(0, 4)) == "Paused"


def test_ctrl_k_then_enter_opens_the_profile_from_any_page(qtbot, owner_ctx):
    window = open_window(qtbot, owner_ctx)
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window.nav, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page == "schedule"
    qtbot.keyClick(window.nav, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    picker = window.search_popup.picker
    with qtbot.waitSignal(picker.results_shown):
        qtbot.keyClicks(picker.query, "bora")
    members = window.page("members")
    with qtbot.waitSignal(members.profile.loaded):
        qtbot.keyClick(picker.query, Qt.Key.Key_Return)
    assert window.current_page == "members"
    assert members.profile.name.text() == "Bora Demir"
    assert not window.search_popup.isVisible()
