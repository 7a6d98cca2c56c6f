"""Roster actions added for reception: undo a no-show (from the banner or the seat), and send a
waitlist offer now. Driven as staff do: select a seat, click, answer the question."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from desk.domain.enums import LedgerKind, ServiceKind, WaitlistStatus
from desk.services import attendance, booking, noshows, sales, settings, waitlist
from desk.services.actor import Actor
from desk.store.models import LedgerEntry

from . import test_roster
from .test_offer_nudge import a_seat_to_offer
from .test_roster import act, answer_next_box, open_class, seat_of

pytestmark = pytest.mark.ui

SYSTEM = Actor.system()
#: The schedule page with its roster, as test_roster opens it.
page = test_roster.page


def restores(db) -> int:
    with db.read() as s:
        return s.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.kind == LedgerKind.RESTORE)
        )


def test_a_noshow_marked_by_mistake_is_undone_from_the_banner(qtbot, db, page, studio, clock):
    with db.write() as s:
        settings.update_policy(s, actor=SYSTEM, group_noshow_deducts=True)
        sales.sell(s, member_id=studio.ayse, product_id=studio.package10, actor=SYSTEM)
        booking.book(s, class_session_id=studio.classes[0], member_id=studio.ayse, actor=SYSTEM)
    roster = open_class(qtbot, page, studio.classes[0])
    clock.set(roster.data.row.session.starts_at + timedelta(minutes=20))
    roster.select_seat(lambda line: line.member_name == "Ayşe Yılmaz")
    assert roster.revert_button.isVisible() and not roster.undo_noshow_button.isVisible()
    answer_next_box("Mark no-show")
    act(qtbot, roster, lambda: qtbot.mouseClick(roster.noshow_button, Qt.MouseButton.LeftButton))
    assert seat_of(roster, "Ayşe Yılmaz").status.value == "no_show"
    assert seat_of(roster, "Ayşe Yılmaz").badge == "9 left"
    assert roster.undo_row.isVisible()
    assert roster.undo_text.text() == "Ayşe Yılmaz marked as a no-show."
    act(qtbot, roster, lambda: qtbot.mouseClick(roster.undo_button, Qt.MouseButton.LeftButton))
    assert seat_of(roster, "Ayşe Yılmaz").status.value == "booked"
    assert seat_of(roster, "Ayşe Yılmaz").badge == "10 left"
    assert roster.occupancy.text() == "1/8"
    assert not roster.undo_row.isVisible()
    assert roster.message.role == "ok"
    assert roster.message.text() == (
        "No-show undone: Ayşe Yılmaz is booked again. The session it cost was given back."
    )
    assert restores(db) == 1
    # A second undo of the same seat (a stale click) is refused in plain words, nothing written.
    stale = seat_of(roster, "Ayşe Yılmaz")
    with qtbot.waitSignal(roster.acted) as refused:
        roster._undo_noshow(stale, check_in=False)
    assert "not a no-show" in str(refused.args[0])
    assert roster.message.role == "error"
    assert restores(db) == 1


def test_undo_and_check_in_lifts_the_restriction(qtbot, db, page, studio, clock):
    with db.write() as s:
        sales.sell(s, member_id=studio.bora, product_id=studio.package10, actor=SYSTEM)
        for class_id in studio.classes[:3]:
            booking.book(s, class_session_id=class_id, member_id=studio.bora, actor=SYSTEM)
    starts = []
    for class_id in studio.classes[:3]:
        roster = open_class(qtbot, page, class_id)
        starts.append(roster.data.row.session.starts_at)
        with db.write() as s:
            bid = seat_of(roster, "Bora Demir").booking_id
            attendance.mark_noshow(s, booking_id=bid, actor=SYSTEM, now=starts[-1])
    clock.set(starts[-1] + timedelta(minutes=30))
    with db.read() as s:
        before = noshows.standing(s, member_id=studio.bora, kind=ServiceKind.GROUP, now=clock())
    assert before.restricted
    roster = open_class(qtbot, page, studio.classes[2])
    roster.select_seat(lambda line: line.member_name == "Bora Demir")
    assert roster.undo_noshow_button.isVisible() and roster.undo_noshow_button.isEnabled()
    assert not roster.revert_button.isVisible()
    assert not roster.check_in_button.isEnabled()
    answered = answer_next_box("Keep no-show")
    qtbot.mouseClick(roster.undo_noshow_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(answered))
    assert "Bora Demir" in answered[0]
    assert seat_of(roster, "Bora Demir").status.value == "no_show"
    answer_next_box("Undo and check in")
    act(
        qtbot,
        roster,
        lambda: qtbot.mouseClick(roster.undo_noshow_button, Qt.MouseButton.LeftButton),
    )
    assert seat_of(roster, "Bora Demir").status.value == "completed"
    assert seat_of(roster, "Bora Demir").badge == "9 left"
    assert roster.message.text() == "No-show undone: Bora Demir checked in — 9 left."
    assert roster.revert_button.isVisible() and roster.revert_button.isEnabled()
    assert not roster.undo_noshow_button.isVisible()
    with db.read() as s:
        after = noshows.standing(s, member_id=studio.bora, kind=ServiceKind.GROUP, now=clock())
    assert (after.count, after.restricted) == (2, False)


def test_reception_sends_a_waitlist_offer_now(qtbot, db, page, studio, clock):
    class_id = a_seat_to_offer(db, studio, clock)  # Ayşe's 30-minute hold ran out unanswered
    roster = open_class(qtbot, page, class_id)
    box = roster.booking
    assert box.waiting.count() == 2
    assert "offer ran out at" in box.waiting.item(0).text()
    assert box.offer_button.isVisible()
    assert box.offer_button.isEnabled()  # nobody chosen: it goes to the next one waiting
    box.waiting.setCurrentRow(0)
    assert not box.offer_button.isEnabled()  # Ayşe's offer ran out: not hers again
    box.waiting.setCurrentRow(1)
    assert box.offer_button.isEnabled()
    act(qtbot, roster, lambda: qtbot.mouseClick(box.offer_button, Qt.MouseButton.LeftButton))
    until = (clock() + timedelta(minutes=30)).astimezone(ZoneInfo("Europe/Istanbul"))
    assert roster.message.role == "ok"
    assert roster.message.text() == (
        f"Seat held for Bora Demir until {until:%H:%M}; the WhatsApp offer goes out with the "
        "next sync."
    )
    assert "offered until" in box.waiting.item(1).text()
    assert not box.offer_button.isEnabled()  # the one free seat is held for Bora now
    with db.read() as s:
        told = waitlist.pending_notifications(s)
    assert [(n.member_id, n.status) for n in told if n.member_id == studio.bora] == [
        (studio.bora, WaitlistStatus.OFFERED)
    ]


def test_a_class_that_books_its_waitlist_itself_has_no_offer_button(qtbot, db, page, studio):
    roster = open_class(qtbot, page, studio.classes[0])
    assert not roster.booking.offer_button.isVisible()
