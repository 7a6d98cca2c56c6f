"""The member's own account by message: balance, bookings, cancelling and moving a booking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from desk.domain.enums import BookingStatus, LateCancelPolicy, LedgerKind
from desk.store.models import Booking, LedgerEntry

from .chat import BURAK, ELIF, MERT, NOW, Studio, build_studio


@pytest.fixture
def studio(db) -> Studio:  # type: ignore[no-untyped-def]
    return build_studio(db)


def test_balance_lists_each_active_package_with_remaining_and_expiry(studio: Studio) -> None:
    studio.desk_book(studio.members["elif"], "fri18")
    reply = studio.chat(ELIF).send("how many sessions do I have left?")
    assert reply.intent == "balance"
    # Booked but not yet attended: nothing is deducted until check-in.
    assert reply.text == "Your packages:\n• Reformer 10: 10 sessions left, valid until Tue 23 Feb"


def test_a_member_found_by_phone_number_gets_their_own_balance(studio: Studio) -> None:
    reply = studio.chat(BURAK).send("balance?")
    assert reply.member_id == studio.members["burak"]
    assert reply.text.startswith("Your packages:\n• Reformer 10: 10 sessions left")


def test_my_bookings_shows_only_my_upcoming_sessions(studio: Studio) -> None:
    studio.desk_book(studio.members["elif"], "sat10")
    studio.desk_book(studio.members["elif"], "fri18")
    studio.desk_book(studio.members["zeynep"], "mon18")
    reply = studio.chat(ELIF).send("what are my bookings?")
    assert reply.text == (
        "Your upcoming bookings:\n"
        "• Fri 27 Nov 18:00 Reformer Pilates with Ayşe\n"
        "• Sat 28 Nov 10:00 Reformer Pilates with Ayşe"
    )
    assert studio.chat(MERT).send("my bookings").text.startswith("You have no upcoming bookings")


def test_cancel_inside_the_window_states_the_deduction_before_confirming(studio: Studio) -> None:
    studio.policy(group_late_cancel_policy=LateCancelPolicy.DEDUCT)
    booking_id = studio.desk_book(studio.members["elif"], "fri09")
    chat = studio.chat(ELIF)
    late = NOW + timedelta(hours=20)  # Friday 06:00, three hours before the class
    asked = chat.send("I can't make it to reformer this morning, please cancel", at=late)
    assert asked.text == (
        "Cancel Reformer Pilates, Fri 27 Nov 09:00? It's less than 12 hours before the start, "
        "so the session will still be deducted from your package."
    )
    assert asked.titles == ["Yes, cancel", "Keep it"]
    assert studio.bookings("elif")[0][1] is BookingStatus.BOOKED  # nothing happens before "yes"

    done = chat.tap(asked.choice_ids[0], at=late + timedelta(minutes=1))
    assert done.text == "Done, your Reformer Pilates on Fri 27 Nov 09:00 is cancelled."
    assert studio.bookings("elif")[0][1] is BookingStatus.LATE_CANCELLED
    with studio.db.read() as s:
        consumed = s.scalars(
            select(LedgerEntry.delta).where(
                LedgerEntry.booking_id == booking_id, LedgerEntry.kind == LedgerKind.CONSUME
            )
        ).all()
    assert consumed == [-1]


def test_cancel_in_good_time_is_free_and_asks_which_booking_when_several(studio: Studio) -> None:
    studio.desk_book(studio.members["elif"], "sat10")
    studio.desk_book(studio.members["elif"], "mon18")
    chat = studio.chat(ELIF)
    which = chat.send("cancel my reformer class")
    assert which.text == (
        "Which booking shall I cancel?\n"
        "1. Sat 28 Nov 10:00 Reformer Pilates\n"
        "2. Mon 30 Nov 18:00 Reformer Pilates"
    )
    confirm = chat.send("2")
    assert confirm.text == "Cancel Reformer Pilates, Mon 30 Nov 18:00? It's free of charge."
    done = chat.send("yes")
    assert done.text == "Done, your Reformer Pilates on Mon 30 Nov 18:00 is cancelled."
    assert [b[1] for b in studio.bookings("elif")] == [
        BookingStatus.BOOKED,
        BookingStatus.CANCELLED,
    ]


def test_saying_no_keeps_the_booking(studio: Studio) -> None:
    studio.desk_book(studio.members["elif"], "sat10")
    chat = studio.chat(ELIF)
    chat.send("cancel saturday")
    kept = chat.send("no")
    assert kept.text == "OK, I've left everything as it was."
    assert studio.bookings("elif")[0][1] is BookingStatus.BOOKED


def test_cancelling_a_day_without_bookings_says_so(studio: Studio) -> None:
    studio.desk_book(studio.members["elif"], "sat10")
    reply = studio.chat(ELIF).send("cancel my class on monday")
    assert reply.text == "I couldn't find an upcoming booking of yours on Monday 30 November."
    assert studio.bookings("elif")[0][1] is BookingStatus.BOOKED


def test_reschedule_saturday_to_monday_moves_the_booking_in_one_step(studio: Studio) -> None:
    old_id = studio.desk_book(studio.members["elif"], "sat10")
    chat = studio.chat(ELIF)
    asked = chat.send("can I move Saturday to Monday?")
    assert asked.intent == "reschedule"
    assert asked.text == "Where shall I move Reformer Pilates, Sat 28 Nov 10:00? Pick a new time:"
    assert asked.titles == ["Mon 30 Nov 18:00", "Mon 30 Nov 19:00"]
    moved = chat.tap(asked.choice_ids[1])
    assert moved.text == "Moved! ✅ Reformer Pilates: Sat 28 Nov 10:00 → Mon 30 Nov 19:00 with Can."
    assert studio.bookings("elif") == [
        (studio.sessions["sat10"], BookingStatus.CANCELLED, 1),
        (studio.sessions["mon19"], BookingStatus.BOOKED, 1),
    ]
    with studio.db.read() as s:
        moved_to = s.scalars(
            select(Booking.class_session_id).where(Booking.rescheduled_from_id == old_id)
        ).one()
    assert moved_to == studio.sessions["mon19"]


def test_a_move_to_a_class_that_filled_up_meanwhile_keeps_the_old_booking(studio: Studio) -> None:
    studio.desk_book(studio.members["elif"], "sat10")
    chat = studio.chat(ELIF)
    asked = chat.send("can I move Saturday to Monday?")
    studio.fill("mon18", 4)  # the desk sells the last seats before Elif taps
    full = chat.tap(asked.choice_ids[0])
    assert full.text == (
        "Sorry, that class just filled up. Your booking on Sat 28 Nov 10:00 stays as it was."
    )
    assert studio.bookings("elif") == [(studio.sessions["sat10"], BookingStatus.BOOKED, 1)]


def test_a_turkish_reschedule(studio: Studio) -> None:
    studio.desk_book(studio.members["zeynep"], "sat10")
    chat = studio.chat("905321110003")
    asked = chat.send("cumartesi dersimi pazartesiye alabilir miyiz?")
    assert asked.text == (
        "28 Kas Cmt 10:00 Reformer Pilates dersinizi hangi saate taşıyayım? Yeni saati seçin:"
    )
    moved = chat.send("1")
    assert moved.text.startswith(
        "Taşındı! ✅ Reformer Pilates: 28 Kas Cmt 10:00 → 30 Kas Pzt 18:00"
    )


def test_a_yes_after_the_late_window_started_is_asked_again_not_charged(studio: Studio) -> None:
    studio.policy(group_late_cancel_policy=LateCancelPolicy.DEDUCT)
    studio.desk_book(studio.members["elif"], "fri09")
    chat = studio.chat(ELIF)
    evening = NOW + timedelta(hours=10, minutes=50)  # Thursday 20:50: 12 h 10 min before
    asked = chat.send("please cancel reformer tomorrow", at=evening)
    assert asked.text.endswith("It's free of charge.")
    again = chat.tap(asked.choice_ids[0], at=evening + timedelta(minutes=25))
    assert "will still be deducted" in again.text
    assert studio.bookings("elif")[0][1] is BookingStatus.BOOKED


def test_a_move_the_policy_would_charge_for_goes_to_reception(studio: Studio) -> None:
    studio.policy(group_late_cancel_policy=LateCancelPolicy.DEDUCT)
    studio.desk_book(studio.members["elif"], "fri09")
    reply = studio.chat(ELIF).send(
        "can I move today's reformer to monday?", at=NOW + timedelta(hours=20)
    )
    assert reply.text == (
        "It's less than 12 hours before Reformer Pilates, Fri 27 Nov 09:00, so I can't move it "
        "online. I've asked reception to help you."
    )
    assert reply.needs_staff
    assert studio.bookings("elif") == [(studio.sessions["fri09"], BookingStatus.BOOKED, 1)]
