"""Settings (owner): catalog editors, weekly hours, timetable generation, policies."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk.domain.enums import ProductKind
from desk.services import catalog, trainers
from desk.services.settings import get_policy
from desk.ui.settings.page import SettingsPage

pytestmark = pytest.mark.ui


@pytest.fixture
def page(qtbot, owner_ctx):
    widget = SettingsPage(owner_ctx)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    return widget


def open_tab(qtbot, page, tab):
    with qtbot.waitSignal(tab.loaded):
        page.open_tab(tab)


def test_add_a_service_and_a_refusal_shows_beside_the_form(qtbot, db, page):
    tab = page.services
    open_tab(qtbot, page, tab)
    assert tab.rows.rowCount() == 2
    qtbot.keyClicks(tab.name, "Reformer Pilates")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.message.role == "error")
    assert "Reformer Pilates" in tab.message.text()
    tab.name.clear()
    qtbot.keyClicks(tab.name, "Yoga")
    with qtbot.waitSignal(tab.loaded):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.rows.rowCount() == 3
    with db.read() as s:
        assert "Yoga" in [v.name for v in catalog.list_services(s)]


def test_add_a_membership_product_with_a_typed_price(qtbot, db, page):
    tab = page.products
    open_tab(qtbot, page, tab)
    qtbot.waitUntil(lambda: tab.services.count() == 2)
    qtbot.keyClicks(tab.name, "Reformer monthly")
    tab.kind.setCurrentIndex(1)
    tab.valid_days.setValue(30)
    qtbot.keyClicks(tab.price, "3.500,00")
    tab.services.item(1).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(tab.saved):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    with db.read() as s:
        made = next(p for p in catalog.list_products(s) if p.name == "Reformer monthly")
    assert made.kind is ProductKind.MEMBERSHIP
    assert made.price_minor == 350_000
    assert made.service_names == ("Reformer Pilates",)


def test_weekly_hours_are_saved_for_a_trainer(qtbot, db, page, studio):
    tab = page.trainers
    open_tab(qtbot, page, tab)
    with qtbot.waitSignal(tab.hours_loaded):
        tab.select(lambda t: t.id == studio.trainer)
    assert tab.hours_card.isEnabled()
    tab.day_on[0].setChecked(True)
    tab.day_on[2].setChecked(True)
    qtbot.mouseClick(tab.save_hours_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.hours_message.role == "ok")
    with db.read() as s:
        windows = trainers.weekly_availability(s, trainer_id=studio.trainer)
    assert [w.weekday for w in windows] == [0, 2]


def test_timetable_entry_then_generate_four_weeks(qtbot, page):
    tab = page.timetable
    open_tab(qtbot, page, tab)
    qtbot.waitUntil(lambda: tab.service.count() == 1)
    assert tab.capacity.value() == 8
    with qtbot.waitSignal(tab.loaded):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.rows.rowCount() == 1
    tab.weeks.setValue(4)
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    assert tab.progress.isVisible()
    qtbot.waitUntil(lambda: tab.generate_message.role == "ok")
    assert not tab.progress.isVisible()
    assert "class(es) added" in tab.generate_message.text()


def test_policies_save_and_a_bad_currency_is_refused(qtbot, db, page):
    tab = page.studio
    with qtbot.waitSignal(tab.loaded):
        page.activate()
    tab.late_hours.setValue(6)
    tab.currency.setText("E1")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.message.role == "error")
    assert "3-letter" in tab.message.text()
    tab.currency.setText("eur")
    with qtbot.waitSignal(tab.saved):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    with db.read() as s:
        policy = get_policy(s)
    assert policy.late_cancel_hours == 6
    assert policy.currency == "EUR"


def test_deactivating_a_service_asks_first(qtbot, db, page, studio):
    from tests.ui.test_roster import answer_next_box

    tab = page.services
    open_tab(qtbot, page, tab)
    tab.select(lambda s: s.id == studio.pt)
    answered = answer_next_box("Go back")
    qtbot.mouseClick(tab.toggle_button, Qt.MouseButton.LeftButton)
    assert "Deactivate this service?" in answered[0]
    answer_next_box("Yes")
    with qtbot.waitSignal(tab.saved):
        qtbot.mouseClick(tab.toggle_button, Qt.MouseButton.LeftButton)
    with db.read() as s:
        assert [v.name for v in catalog.list_services(s)] == ["Reformer Pilates"]
