"""Personal training over WhatsApp: real free times of the trainers, booked as appointments.

The studio of `chat.py`: Ayşe and Can work every day 06:00-22:00 and teach the group classes
listed there (Ayşe Sat 10:00 reformer, Can Sat 11:00 spinning...); Mert holds "PT 5", Elif only
"Reformer 10". PT 1:1 lasts an hour.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import factories as f
import pytest
from sqlalchemy import select

from desk.assistant.dialog import Choice, parse_choice, slot_choice, slot_of
from desk.domain.enums import BookingStatus, Channel, SessionKind, SessionStatus
from desk.services import appointments, attendance, trainers
from desk.store.models import Booking, ClassSession

from .chat import ELIF, MERT, NOW, Studio, build_studio


@pytest.fixture
def studio(db) -> Studio:  # type: ignore[no-untyped-def]
    return build_studio(db)


def appointments_of(studio: Studio, member: str) -> list[tuple[datetime, int, BookingStatus]]:
    """(start, trainer id, booking status) of a member's private sessions, oldest first."""
    with studio.db.read() as s:
        rows = s.execute(
            select(ClassSession.starts_at, ClassSession.trainer_id, Booking.status)
            .join(Booking, Booking.class_session_id == ClassSession.id)
            .where(
                Booking.member_id == studio.members[member],
                ClassSession.kind == SessionKind.APPOINTMENT,
            )
            .order_by(Booking.id)
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def desk_books_pt(studio: Studio, member: str, trainer: str, starts_at: datetime) -> int:
    with studio.db.write() as s:
        return appointments.book_appointment(
            s,
            member_id=studio.members[member],
            service_id=studio.pt,
            trainer_id=studio.trainers[trainer],
            starts_at=starts_at,
            actor=studio.desk,
            drop_in=True,
            now=NOW,
        ).booking_id


def test_an_exact_free_time_is_booked_straight_away_as_the_member(studio: Studio) -> None:
    reply = studio.chat(MERT).send("PT tomorrow at 10")
    assert reply.intent == "book" and not reply.needs_staff
    assert reply.text == (
        "You're booked! ✅ PT 1:1, Friday 27 November, 10:00 with Ayşe. See you there!"
    )
    ten = f.local(2026, 11, 27, 10)
    assert appointments_of(studio, "mert") == [(ten, studio.trainers["ayse"], BookingStatus.BOOKED)]
    with studio.db.read() as s:
        made = s.scalars(select(Booking).where(Booking.member_id == studio.members["mert"])).one()
        assert made.channel is Channel.WHATSAPP
        assert made.class_session.capacity == 1


def test_turkish_request_is_booked_and_confirmed_in_turkish(studio: Studio) -> None:
    reply = studio.chat(MERT).send("özel ders yarın 10:00")
    assert reply.text == (
        "Rezervasyonunuz tamam! ✅ PT 1:1, 27 Kasım Cuma, 10:00 (eğitmen: Ayşe). Görüşmek üzere!"
    )
    assert len(appointments_of(studio, "mert")) == 1


def test_asking_again_for_the_time_already_held_says_so(studio: Studio) -> None:
    chat = studio.chat(MERT)
    chat.send("PT tomorrow at 10")
    again = chat.send("book PT tomorrow 10:00")
    assert again.text == "You're already booked into PT 1:1, Friday 27 November, 10:00. ✅"
    assert len(appointments_of(studio, "mert")) == 1


def test_a_day_offers_both_trainers_named_and_a_number_books_one(studio: Studio) -> None:
    chat = studio.chat(MERT)
    asked = chat.send("can I book a personal training session on Saturday")
    assert asked.body["kind"] == "list"
    # Whole hours, soonest first; Ayşe teaches at 10:00 and Can at 11:00.
    assert asked.titles == [
        "Sat 28 06:00 Ayşe",
        "Sat 28 06:00 Can",
        "Sat 28 07:00 Ayşe",
        "Sat 28 07:00 Can",
        "Sat 28 08:00 Ayşe",
        "Sat 28 08:00 Can",
        "Sat 28 09:00 Ayşe",
        "Sat 28 09:00 Can",
        "Sat 28 10:00 Can",
        "Sat 28 11:00 Ayşe",
    ]
    assert asked.text == "Here are free PT 1:1 times. Which one shall I book?"
    booked = chat.send("9")
    assert booked.text == (
        "You're booked! ✅ PT 1:1, Saturday 28 November, 10:00 with Can. See you there!"
    )
    assert appointments_of(studio, "mert") == [
        (f.local(2026, 11, 28, 10), studio.trainers["can"], BookingStatus.BOOKED)
    ]


def test_the_trainer_the_member_last_trained_with_comes_first(studio: Studio) -> None:
    desk_books_pt(studio, "mert", "can", f.local(2026, 11, 27, 12))
    asked = studio.chat(MERT).send("is there PT on saturday?")
    assert asked.intent == "availability"
    # Only Can's times fit in the ten: titles need no name, the rows still say who.
    assert asked.titles[:3] == ["Sat 28 Nov 06:00", "Sat 28 Nov 07:00", "Sat 28 Nov 08:00"]
    assert asked.body["sections"][0]["rows"][0]["description"] == "with Can"
    assert "Sat 28 Nov 11:00" not in asked.titles  # Can teaches spinning then


def test_a_time_that_is_not_free_offers_the_nearest_free_ones(studio: Studio) -> None:
    desk_books_pt(studio, "elif", "can", f.local(2026, 11, 28, 10))
    reply = studio.chat(MERT).send("PT on saturday at 10:00")
    assert reply.text.startswith("Sorry, Sat 28 Nov 10:00 isn't free for PT 1:1.")
    assert reply.titles[:3] == ["Sat 28 09:00 Ayşe", "Sat 28 09:00 Can", "Sat 28 11:00 Ayşe"]
    assert appointments_of(studio, "mert") == []


def test_a_turkish_list_is_picked_with_an_ordinal(studio: Studio) -> None:
    chat = studio.chat(MERT)
    asked = chat.send("cumartesi özel ders almak istiyorum")
    assert asked.text == "PT 1:1 için boş saatler bunlar. Hangisini ayırayım?"
    assert asked.titles[:2] == ["28 Cmt 06:00 Ayşe", "28 Cmt 06:00 Can"]
    booked = chat.send("ikincisi lütfen")
    assert booked.text == (
        "Rezervasyonunuz tamam! ✅ PT 1:1, 28 Kasım Cumartesi, 06:00 (eğitmen: Can). "
        "Görüşmek üzere!"
    )


def test_no_pt_package_explains_which_products_would_and_books_nothing(studio: Studio) -> None:
    for message in ("PT tomorrow at 10", "is there PT on saturday?"):
        reply = studio.chat(ELIF).send(message)
        assert reply.text == (
            "Your Reformer 10 doesn't cover PT 1:1. These would cover it: PT 5. "
            "Reception can sell you one; I've let them know. 😊"
        )
        assert reply.needs_staff
    assert appointments_of(studio, "elif") == []


def test_a_member_restricted_by_no_shows_is_handed_to_reception(studio: Studio) -> None:
    studio.policy(private_noshow_threshold=1)
    with studio.db.write() as s:
        missed = appointments.book_appointment(
            s,
            member_id=studio.members["mert"],
            service_id=studio.pt,
            trainer_id=studio.trainers["ayse"],
            starts_at=NOW - timedelta(days=2),
            actor=studio.desk,
            drop_in=True,
            now=NOW - timedelta(days=3),
        )
        attendance.mark_noshow(s, booking_id=missed.booking_id, actor=studio.desk, now=NOW)
    for message in ("PT tomorrow at 10", "any PT on saturday?"):
        reply = studio.chat(MERT).send(message)
        assert reply.text.startswith("Online booking is paused on your account")
        assert reply.needs_staff
    assert len(appointments_of(studio, "mert")) == 1  # only the missed one


def test_a_time_taken_meanwhile_is_explained_with_fresh_options(studio: Studio) -> None:
    chat = studio.chat(MERT)
    asked = chat.send("PT on saturday")
    six_with_ayse = asked.choice_ids[0]
    desk_books_pt(studio, "zeynep", "ayse", f.local(2026, 11, 28, 6))  # the desk was quicker
    taken = chat.tap(six_with_ayse, title="Sat 28 06:00 Ayşe")
    assert taken.text.startswith("Sorry, Sat 28 Nov 06:00 was just taken.")
    assert taken.titles[0] == "Sat 28 06:00 Can"
    assert "Sat 28 06:00 Ayşe" not in taken.titles
    assert appointments_of(studio, "mert") == []
    booked = chat.tap(taken.choice_ids[0])
    assert booked.text.startswith("You're booked! ✅ PT 1:1, Saturday 28 November, 06:00 with Can")


def test_a_stale_or_forged_time_is_not_booked(studio: Studio) -> None:
    chat = studio.chat(MERT)
    asked = chat.send("PT on saturday")
    chat.send("thanks")  # nothing pending any more
    stale = chat.tap(asked.choice_ids[0])
    assert stale.text.startswith("Sorry, that choice has expired.")
    assert appointments_of(studio, "mert") == []


def test_nothing_free_that_day_offers_the_next_free_times(studio: Studio) -> None:
    sunday = date(2026, 11, 29)
    with studio.db.write() as s:
        for trainer in ("ayse", "can"):
            trainers.add_days_off(
                s,
                trainer_id=studio.trainers[trainer],
                first_day=sunday,
                last_day=sunday,
                actor=studio.owner,
            )
    reply = studio.chat(MERT).send("PT on sunday")
    assert reply.text.startswith("Sorry, no free PT 1:1 spots on Sunday 29 November.")
    assert reply.titles[0] == "Mon 30 06:00 Ayşe"
    assert not reply.needs_staff


def test_no_free_time_at_all_hands_over_to_reception(studio: Studio) -> None:
    with studio.db.write() as s:
        for trainer in ("ayse", "can"):
            trainers.add_days_off(
                s,
                trainer_id=studio.trainers[trainer],
                first_day=date(2026, 11, 26),
                last_day=date(2026, 12, 20),
                actor=studio.owner,
            )
    reply = studio.chat(MERT).send("özel ders cumartesi")
    assert reply.text.startswith("Üzgünüm, 28 Kasım Cumartesi için boş bir PT 1:1 saati bulamadım.")
    assert reply.needs_staff


def test_my_bookings_lists_a_pt_session_and_cancelling_frees_the_trainer(studio: Studio) -> None:
    chat = studio.chat(MERT)
    chat.send("PT on saturday at 9")
    listed = chat.send("my bookings")
    assert listed.text == "Your upcoming bookings:\n• Sat 28 Nov 09:00 PT 1:1 with Ayşe"
    asked = chat.send("cancel my PT")
    assert asked.text == "Cancel PT 1:1, Sat 28 Nov 09:00? It's free of charge."
    done = chat.send("yes")
    assert done.text == "Done, your PT 1:1 on Sat 28 Nov 09:00 is cancelled."
    nine = f.local(2026, 11, 28, 9)
    assert appointments_of(studio, "mert") == [
        (nine, studio.trainers["ayse"], BookingStatus.CANCELLED)
    ]
    with studio.db.read() as s:
        session = s.scalars(select(ClassSession).where(ClassSession.starts_at == nine)).one()
        assert session.status is SessionStatus.CANCELLED
    again = chat.send("PT on saturday at 9")  # Ayşe's hour is free again
    assert again.text.startswith("You're booked! ✅ PT 1:1, Saturday 28 November, 09:00 with Ayşe")


def test_moving_a_pt_session_is_handed_to_reception(studio: Studio) -> None:
    chat = studio.chat(MERT)
    chat.send("PT on saturday at 9")
    moved = chat.send("can I move my PT to monday?")
    assert moved.text == (
        "Moving a PT 1:1 session is arranged with your trainer: I've asked reception to get "
        "back to you with times."
    )
    assert moved.needs_staff
    assert [a[2] for a in appointments_of(studio, "mert")] == [BookingStatus.BOOKED]


def test_a_pt_time_that_clashes_with_the_members_class_names_the_class(studio: Studio) -> None:
    studio.desk_book(studio.members["mert"], "sat10", drop_in=True)  # reformer with Ayşe
    reply = studio.chat(MERT).send("book PT on saturday at 10:00")  # Can would be free
    assert reply.text == (
        "You already have Reformer Pilates, Saturday 28 November, 10:00, at that time, so I "
        "can't book PT 1:1 Saturday 28 November, 10:00 as well. Cancel that one first if you'd "
        "like to switch."
    )
    assert appointments_of(studio, "mert") == []


def test_a_free_time_choice_id_names_exactly_one_trainer_and_start() -> None:
    start = f.local(2026, 11, 28, 6, 30)
    choice = slot_choice(42, start)
    assert choice is not None and len(choice) <= 15
    parsed = parse_choice(choice)
    assert parsed is not None and parsed[0] == Choice.BOOK_SLOT
    assert slot_of(parsed[1]) == (42, start)
    assert slot_choice(10_000, start) is None  # would not fit a choice id
    assert slot_choice(1, start + timedelta(seconds=30)) is None
    assert slot_of(5) is None  # no trainer in it
