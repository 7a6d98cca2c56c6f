"""The roster, driven the way reception works a class: book, check in, undo, full, no-shows."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desk.domain.timeutil import local_datetime
from desk.services import booking, sales
from desk.services.actor import Actor
from desk.store.models import ClassSession
from desk.ui.schedule.page import SchedulePage

pytestmark = pytest.mark.ui

OWNER = Actor.system()


@pytest.fixture
def page(qtbot, owner_ctx, studio):
    widget = SchedulePage(owner_ctx)
    widget.studio = studio
    qtbot.addWidget(widget)
    widget.resize(1400, 850)
    with qtbot.waitSignal(widget.loaded):
        widget.show()
        widget.activate()
    return widget


def class_start(db, class_session_id):
    with db.read() as s:
        return s.get(ClassSession, class_session_id).starts_at


def class_day(studio, class_session_id):
    local_today = studio.built_at.astimezone(ZoneInfo("Europe/Istanbul")).date()
    return local_today + timedelta(days=studio.classes.index(class_session_id) + 1)


def open_class(qtbot, page, class_session_id):
    """Find the class's day in the grid and click the class, as staff do."""
    studio = page.studio
    with qtbot.waitSignal(page.loaded):
        page.go_to(class_day(studio, class_session_id))
    qtbot.waitUntil(lambda: page.grid.find_event(class_session_id) is not None)
    rect = page.grid.event_rect(class_session_id)
    page.grid.scroll.ensureVisible(rect.center().x(), rect.center().y())
    with qtbot.waitSignal(page.roster.loaded):
        qtbot.mouseClick(page.grid.canvas, Qt.MouseButton.LeftButton, pos=rect.center())
    return page.roster


def act(qtbot, roster, click):
    """Click an action and wait until the roster has reloaded with its outcome."""
    with qtbot.waitSignal(roster.acted):
        click()
    with qtbot.waitSignal(roster.loaded):
        pass


def book_through_roster(qtbot, roster, typed):
    box = roster.booking
    with qtbot.waitSignal(box.picker.results_shown):
        qtbot.keyClicks(box.picker.query, typed)
    qtbot.keyClick(box.picker.query, Qt.Key.Key_Return)
    assert box.book_button.isEnabled()
    with qtbot.waitSignal(roster.acted) as outcome:
        qtbot.mouseClick(box.book_button, Qt.MouseButton.LeftButton)
    return outcome.args[0]


def seat_of(roster, name):
    return next(line for line in roster.seat_rows.rows if line.member_name == name)


def test_book_check_in_shows_nine_left_and_undo_gives_it_back(qtbot, db, page, studio, clock):
    with db.write() as s:
        sales.sell(s, member_id=studio.ayse, product_id=studio.package10, actor=OWNER)
    roster = open_class(qtbot, page, studio.classes[0])
    assert roster.title.text() == "Reformer Pilates"
    assert roster.occupancy.text() == "0/8"
    book_through_roster(qtbot, roster, "ays")
    qtbot.waitUntil(lambda: roster.seat_rows.rowCount() == 1)
    assert seat_of(roster, "Ayşe Yılmaz").badge == "10 left"
    assert roster.occupancy.text() == "1/8"
    clock.set(class_start(db, studio.classes[0]) - timedelta(minutes=30))  # about to start
    roster.select_seat(lambda line: line.member_name == "Ayşe Yılmaz")
    act(qtbot, roster, lambda: qtbot.mouseClick(roster.check_in_button, Qt.MouseButton.LeftButton))
    assert seat_of(roster, "Ayşe Yılmaz").badge == "9 left"
    assert roster.undo_row.isVisible()
    assert "9 left" in roster.undo_text.text()
    act(qtbot, roster, lambda: qtbot.mouseClick(roster.undo_button, Qt.MouseButton.LeftButton))
    assert seat_of(roster, "Ayşe Yılmaz").badge == "10 left"
    assert not roster.undo_row.isVisible()
    with db.read() as s:
        (package,) = sales.entitlements(s, member_id=studio.ayse)
    assert package.remaining == 10
    from desk.ui.members.profile import ProfileView

    profile = ProfileView(page.ctx)
    qtbot.addWidget(profile)
    with qtbot.waitSignal(profile.loaded):
        profile.show_member(studio.ayse)
    assert profile.balance.text() == "10 left"
    ledger = [
        (
            profile.ledger_rows.data(profile.ledger_rows.index(r, 2)),
            profile.ledger_rows.data(profile.ledger_rows.index(r, 3)),
        )
        for r in range(profile.ledger_rows.rowCount())
    ]
    assert ledger == [("Given back", "+1"), ("Attended", "-1"), ("Sold", "+10")]
    bookings = profile.bookings_rows
    assert bookings.rowCount() == 1
    assert bookings.data(bookings.index(0, 1)) == "Reformer Pilates"
    assert bookings.data(bookings.index(0, 4)) == "Booked"


def test_the_ninth_member_is_refused_and_offered_the_waitlist(qtbot, db, page, studio):
    class_id = studio.classes[0]
    with db.write() as s:
        for member_id in studio.crowd:
            booking.book(
                s, class_session_id=class_id, member_id=member_id, actor=OWNER, drop_in=True
            )
        sales.sell(s, member_id=studio.ayse, product_id=studio.package10, actor=OWNER)
    roster = open_class(qtbot, page, class_id)
    assert roster.occupancy.text() == "8/8"
    assert roster.occupancy.tone == "bad"
    assert seat_of(roster, "Guest 01").badge == "drop-in"
    refused = book_through_roster(qtbot, roster, "ays")
    assert "full" in str(refused)
    assert roster.message.role == "error"
    assert "waitlist" in roster.message.text()
    assert roster.booking.join_button.isVisible()
    act(
        qtbot,
        roster,
        lambda: qtbot.mouseClick(roster.booking.join_button, Qt.MouseButton.LeftButton),
    )
    assert roster.booking.waiting.count() == 1
    assert roster.booking.waiting.item(0).text().startswith("#1  Ayşe Yılmaz")
    assert roster.message.text() == "On the waitlist: #1 of 1."


def test_a_chosen_seat_is_kept(qtbot, db, page, studio):
    with db.write() as s:
        sales.sell(s, member_id=studio.bora, product_id=studio.package10, actor=OWNER)
    roster = open_class(qtbot, page, studio.classes[1 - 1])
    box = roster.booking
    with qtbot.waitSignal(box.picker.results_shown):
        qtbot.keyClicks(box.picker.query, "bora")
    qtbot.keyClick(box.picker.query, Qt.Key.Key_Return)
    box.choose_seat(5)
    act(qtbot, roster, lambda: qtbot.mouseClick(box.book_button, Qt.MouseButton.LeftButton))
    assert seat_of(roster, "Bora Demir").seat_no == 5


def answer_next_box(button_text):
    """Click a button of the message box that is about to open (it runs its own loop).

    Returns a list that receives the box's text once it has been answered.
    """
    answered: list[str] = []

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        answered.append(f"{box.text()} {box.informativeText()}")
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(20, click)
    return answered


def test_late_cancel_warns_before_it_charges(qtbot, db, page, studio, clock):
    class_id = studio.classes[0]
    with db.write() as s:
        sales.sell(s, member_id=studio.ayse, product_id=studio.package10, actor=OWNER)
        booking.book(s, class_session_id=class_id, member_id=studio.ayse, actor=OWNER)
    roster = open_class(qtbot, page, class_id)
    start = roster.data.row.session.starts_at
    clock.set(start - timedelta(hours=2))
    roster.select_seat(lambda line: line.member_name == "Ayşe Yılmaz")
    answered = answer_next_box("Keep booking")
    qtbot.mouseClick(roster.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(answered))
    assert "late cancellation" in answered[0]
    assert seat_of(roster, "Ayşe Yılmaz").status.value == "booked"
    answer_next_box("Cancel booking")
    act(qtbot, roster, lambda: qtbot.mouseClick(roster.cancel_button, Qt.MouseButton.LeftButton))
    assert seat_of(roster, "Ayşe Yılmaz").status.value == "late_cancelled"
    assert roster.message.text().startswith("Cancelled late")


def test_three_no_shows_put_the_restriction_badge_on_the_profile(
    qtbot, db, page, studio, clock, owner_ctx
):
    with db.write() as s:
        sales.sell(s, member_id=studio.bora, product_id=studio.package10, actor=OWNER)
        for class_id in studio.classes[:3]:
            booking.book(s, class_session_id=class_id, member_id=studio.bora, actor=OWNER)
    roster = page.roster
    for class_id in studio.classes[:3]:
        clock.set(studio.built_at)
        open_class(qtbot, page, class_id)
        clock.set(roster.data.row.session.starts_at + timedelta(minutes=20))
        roster.select_seat(lambda line: line.member_name == "Bora Demir")
        answered = answer_next_box("Mark no-show")
        act(
            qtbot, roster, lambda: qtbot.mouseClick(roster.noshow_button, Qt.MouseButton.LeftButton)
        )
        assert "Bora Demir" in answered[0]
        assert seat_of(roster, "Bora Demir").status.value == "no_show"
        assert roster.occupancy.text() == "0/8"
    from desk.ui.members.profile import ProfileView

    profile = ProfileView(owner_ctx)
    qtbot.addWidget(profile)
    with qtbot.waitSignal(profile.loaded):
        profile.show_member(studio.bora)
    assert profile.restriction.isVisibleTo(profile)
    assert profile.restriction.text() == "online booking restricted"
    assert profile.restriction.tone == "bad"
    assert "3 no-show(s) on record" in profile.standing_text.text()
    profile.tabs.setCurrentIndex(profile.tabs.indexOf(profile.lift_button.parentWidget()))
    assert profile.lift_button.isVisibleTo(profile)
    answered = answer_next_box("Lift restriction")
    with qtbot.waitSignal(profile.loaded):
        qtbot.mouseClick(profile.lift_button, Qt.MouseButton.LeftButton)
    assert answered
    assert not profile.restriction.isVisibleTo(profile)


def test_move_a_booking_to_another_class(qtbot, db, page, studio):
    with db.write() as s:
        sales.sell(s, member_id=studio.ayse, product_id=studio.package10, actor=OWNER)
        booking.book(s, class_session_id=studio.classes[0], member_id=studio.ayse, actor=OWNER)
    roster = open_class(qtbot, page, studio.classes[0])
    roster.select_seat(lambda line: line.member_name == "Ayşe Yılmaz")
    dialog = roster.move_booking()
    qtbot.waitUntil(lambda: dialog.choices.count() == 3)
    dialog.choices.setCurrentRow(0)
    with qtbot.waitSignal(dialog.moved):
        qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: roster.occupancy.text() == "0/8")
    with db.read() as s:
        from desk.ui.schedule.roster_data import load_roster

        moved = load_roster(s, class_session_id=studio.classes[1], now=studio.built_at)
    assert moved.row.label == "1/8"


def test_week_view_can_show_one_trainers_week(qtbot, db, page, studio):
    from desk.services import timetable, trainers

    with db.write() as s:
        other = trainers.create_trainer(s, name="Zeynep", actor=OWNER)
        extra = timetable.add_class(
            s,
            service_id=studio.reformer,
            trainer_id=other.id,
            room_id=studio.room,
            starts_at=local_datetime(
                class_day(studio, studio.classes[0]), time(14), ZoneInfo("Europe/Istanbul")
            ),
            actor=OWNER,
        )
    with qtbot.waitSignal(page.loaded):
        page.go_to(class_day(studio, studio.classes[0]))
    everyone = {e.key for e in page.grid.events}
    assert extra.id in everyone
    page.show_week_of("Trainer: Tom")
    toms = {e.key for e in page.grid.events}
    assert extra.id not in toms
    assert studio.classes[0] in toms
    page.show_week_of("Trainer: Zeynep")
    assert {e.key for e in page.grid.events} == {extra.id}
