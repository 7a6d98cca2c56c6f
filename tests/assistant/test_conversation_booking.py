"""Booking over WhatsApp, end to end: real sessions offered, a tap or a number books a seat."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import factories as f
import pytest
from sqlalchemy import event

from desk.assistant.conversation import handle_inbound
from desk.domain.enums import BookingStatus
from desk.services import attendance, booking
from desk.services.messaging import InboundPayload
from desk.store.models import Service

from .chat import ELIF, NOW, ZEYNEP, Studio, build_studio


@pytest.fixture
def studio(db) -> Studio:  # type: ignore[no-untyped-def]
    return build_studio(db)


def test_availability_offers_real_sessions_and_a_tap_books_a_seat(studio: Studio) -> None:
    chat = studio.chat(ELIF)
    asked = chat.send("is there reformer tomorrow at 18:00?")
    assert asked.intent == "availability" and not asked.needs_staff
    assert asked.body["kind"] == "buttons"
    assert asked.titles == ["Fri 27 Nov 18:00", "Fri 27 Nov 19:00", "Fri 27 Nov 09:00"]
    assert "Reformer Pilates" in asked.text
    assert studio.bookings("elif") == []

    booked = chat.tap(asked.choice_ids[0], title="Fri 27 Nov 18:00")
    assert booked.text == (
        "You're booked! ✅ Reformer Pilates, Friday 27 November, 18:00 with Ayşe. See you there!"
    )
    assert studio.bookings("elif") == [(studio.sessions["fri18"], BookingStatus.BOOKED, 1)]


def test_a_typed_number_picks_from_the_offered_buttons(studio: Studio) -> None:
    chat = studio.chat(ELIF)
    asked = chat.send("reformer on monday please")
    assert asked.titles == ["Mon 30 Nov 18:00", "Mon 30 Nov 19:00"]
    booked = chat.send("2")
    assert booked.intent == "pick_option"
    assert booked.text == (
        "You're booked! ✅ Reformer Pilates, Monday 30 November, 19:00 with Can. See you there!"
    )
    assert studio.bookings("elif") == [(studio.sessions["mon19"], BookingStatus.BOOKED, 1)]


def test_four_or_more_options_come_as_a_list_and_a_number_picks_a_row(studio: Studio) -> None:
    chat = studio.chat(ELIF)
    asked = chat.send("I want to book reformer")
    assert asked.body["kind"] == "list"
    assert asked.titles == [
        "Fri 27 Nov 09:00",
        "Fri 27 Nov 18:00",
        "Fri 27 Nov 19:00",
        "Sat 28 Nov 10:00",
        "Mon 30 Nov 18:00",
        "Mon 30 Nov 19:00",
    ]
    rows = asked.body["sections"][0]["rows"]
    assert rows[0]["description"] == "with Ayşe · 4 spots left"
    chat.send("5")
    assert studio.bookings("elif") == [(studio.sessions["mon18"], BookingStatus.BOOKED, 1)]


def test_a_request_for_one_exact_class_books_it_straight_away(studio: Studio) -> None:
    studio.fill("fri19", 2)
    reply = studio.chat(ELIF).send("Book me into reformer tomorrow at 19:00 pls")
    assert reply.intent == "book"
    assert reply.text.startswith("You're booked! ✅ Reformer Pilates, Friday 27 November, 19:00")
    assert studio.bookings("elif") == [(studio.sessions["fri19"], BookingStatus.BOOKED, 3)]


def test_the_service_is_remembered_for_a_follow_up_question(studio: Studio) -> None:
    chat = studio.chat(ELIF)
    assert chat.send("any reformer on saturday?").titles == ["Sat 28 Nov 10:00"]
    follow_up = chat.send("and on monday?")
    assert follow_up.titles == ["Mon 30 Nov 18:00", "Mon 30 Nov 19:00"]
    assert "Reformer Pilates" in follow_up.text


def test_no_service_named_asks_which_then_keeps_the_day(studio: Studio) -> None:
    chat = studio.chat(ELIF)
    asked = chat.send("can I come on saturday?")
    assert asked.text.startswith("Which class would you like?")
    assert "Reformer Pilates" in asked.text and "Spinning" in asked.text
    answer = chat.send("reformer")
    assert answer.titles == ["Sat 28 Nov 10:00"]


def test_booking_twice_says_already_booked(studio: Studio) -> None:
    chat = studio.chat(ELIF)
    chat.send("book reformer tomorrow 18:00")
    again = chat.send("book reformer tomorrow 18:00")
    assert (
        again.text == "You're already booked into Reformer Pilates, Friday 27 November, 18:00. ✅"
    )
    assert len(studio.bookings("elif")) == 1


def test_nothing_free_on_the_day_offers_the_next_sessions_with_room(studio: Studio) -> None:
    reply = studio.chat(ELIF).send("reformer on sunday?")
    assert reply.text.startswith("Sorry, no free Reformer Pilates spots on Sunday 29 November.")
    assert reply.titles == ["Mon 30 Nov 18:00", "Mon 30 Nov 19:00"]


def test_a_service_nobody_holds_explains_which_products_cover_it(studio: Studio) -> None:
    reply = studio.chat("905321110002").send("book spinning tomorrow 18:00")  # Mert: PT 5 only
    assert reply.text.startswith("Your PT 5 doesn't cover Spinning.")
    assert "These would cover it: Unlimited Month, Spinning 8." in reply.text
    assert reply.text.endswith("Reception can sell you one; I've let them know. 😊")
    assert reply.needs_staff
    assert studio.bookings("mert") == []


def test_an_expired_package_says_when_it_expired(studio: Studio) -> None:
    reply = studio.chat("905321110004").send("is there reformer tomorrow evening?")  # Deniz
    assert reply.text.startswith("Your Reformer 10 expired on Sun 15 Nov.")
    assert "Unlimited Month, Reformer 10" in reply.text
    assert reply.needs_staff
    assert studio.bookings("deniz") == []


def test_a_member_restricted_by_no_shows_is_told_kindly_and_handed_to_reception(
    studio: Studio,
) -> None:
    with studio.db.write() as s:
        reformer = s.get(Service, studio.reformer)
        missed = [
            f.class_session(s, service=reformer, starts_at=NOW - timedelta(days=d)).id
            for d in (3, 5, 7)
        ]
    for class_session_id in missed:
        with studio.db.write() as s:
            made = booking.book(
                s,
                class_session_id=class_session_id,
                member_id=studio.members["elif"],
                actor=studio.desk,
                drop_in=True,
                now=NOW - timedelta(days=10),
            )
            attendance.mark_noshow(s, booking_id=made.booking_id, actor=studio.desk, now=NOW)
    reply = studio.chat(ELIF).send("book reformer tomorrow 18:00")
    assert reply.text.startswith("Online booking is paused on your account")
    assert reply.needs_staff
    assert [b for b in studio.bookings("elif") if b[1] is BookingStatus.BOOKED] == []


def test_a_turkish_dialog_is_answered_in_turkish(studio: Studio) -> None:
    chat = studio.chat(ZEYNEP)
    asked = chat.send("yarın akşam reformer var mı?")
    assert asked.text == "Reformer Pilates için boş yeri olan saatler bunlar. Hangisini ayırayım?"
    assert asked.titles == ["27 Kas Cum 18:00", "27 Kas Cum 19:00"]
    booked = chat.send("ikincisi lütfen")
    assert booked.text == (
        "Rezervasyonunuz tamam! ✅ Reformer Pilates, 27 Kasım Cuma, 19:00 (eğitmen: Ayşe). "
        "Görüşmek üzere!"
    )
    assert studio.bookings("zeynep") == [(studio.sessions["fri19"], BookingStatus.BOOKED, 1)]
    balance = chat.send("kaç dersim kaldı?")
    assert balance.text.startswith("Paketleriniz:\n• Reformer 10: 10 seans kaldı, son gün")


def test_a_booking_that_overlaps_one_the_member_holds_is_refused_naming_it(
    studio: Studio,
) -> None:
    spin = studio.desk_book(studio.members["elif"], "spin_fri18", drop_in=True)
    reply = studio.chat(ELIF).send("book me into reformer tomorrow at 18:00")
    assert reply.text == (
        "You already have Spinning, Friday 27 November, 18:00, at that time, so I can't book "
        "Reformer Pilates Friday 27 November, 18:00 as well. Cancel that one first if you'd "
        "like to switch."
    )
    assert not reply.needs_staff
    assert [b[0] for b in studio.bookings("elif")] == [studio.sessions["spin_fri18"]]
    assert spin


def test_a_booking_request_stays_within_its_statement_budget(studio: Studio) -> None:
    """The sync path's cost is mostly statements: a request that books a seat directly reads
    and writes each thing once (a regression guard; it took 37 before the sync work).
    Counted by SQLite itself: the prepared statements bypass SQLAlchemy's events."""
    studio.chat(ELIF).send("hello")  # the dialog row exists, as for a member who wrote before
    payload = InboundPayload(
        wamid="wamid.BUDGET", wa_id=ELIF, message_type="text",
        text="book me into reformer tomorrow at 18:00",
    )  # fmt: skip
    sent: list[str] = []

    def trace(dbapi_conn: sqlite3.Connection, *_args: object) -> None:
        dbapi_conn.set_trace_callback(sent.append)

    def untrace(dbapi_conn: sqlite3.Connection, *_args: object) -> None:
        dbapi_conn.set_trace_callback(None)

    event.listen(studio.db.engine, "checkout", trace)
    event.listen(studio.db.engine, "checkin", untrace)
    try:
        with studio.db.write() as s:
            handle_inbound(s, payload, now=NOW)
    finally:
        event.remove(studio.db.engine, "checkout", trace)
        event.remove(studio.db.engine, "checkin", untrace)
    assert [b[0] for b in studio.bookings("elif")] == [studio.sessions["fri18"]]
    work = [s for s in sent if not s.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]
    # 3 of them (policy, services, trainers) are read once per batch of messages, not per message.
    assert len(work) <= 17, "\n".join(work)
