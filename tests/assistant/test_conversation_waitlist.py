"""Full classes by message: the waitlist offer and place, held seats offered by WhatsApp (free
form inside the 24-hour window, a template outside it) and answered with a tap."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from desk.assistant.notify import notify_waitlist
from desk.domain.enums import BookingStatus, WaitlistMode
from desk.services import cancellation
from desk.store.models import OutboxMessage

from .chat import ELIF, NOW, RELAY, STRANGER, ZEYNEP, Studio, build_studio


@pytest.fixture
def studio(db) -> Studio:  # type: ignore[no-untyped-def]
    built = build_studio(db)
    built.policy(waitlist_mode=WaitlistMode.OFFER)
    return built


def _notices(studio: Studio, at: datetime) -> list[tuple[str, str, dict[str, Any]]]:
    """Run the worker's notification step; (key, to, body) of what it queued."""
    with studio.db.write() as s:
        before = {k for k in s.scalars(select(OutboxMessage.key))}
        notify_waitlist(s, now=at)
        rows = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        queued = [(r.key, r.to_wa_id, json.loads(r.body)) for r in rows if r.key not in before]
    for key, to, body in queued:
        RELAY.validate_python({"key": key, "to": to, **body})
    return queued


def _free_a_seat(studio: Studio, booking_id: int, at: datetime) -> None:
    with studio.db.write() as s:
        cancellation.cancel(s, booking_id=booking_id, actor=studio.desk, now=at)


def test_a_full_class_offers_the_waitlist_with_the_place_and_joining_confirms_it(
    studio: Studio,
) -> None:
    studio.fill("fri18", 4)
    chat = studio.chat(ELIF)
    full = chat.send("book reformer tomorrow at 18:00")
    assert full.text == (
        "Reformer Pilates on Fri 27 Nov 18:00 is full. Shall I put you on the waitlist? "
        "You'd be #1."
    )
    assert full.titles == ["Join waitlist", "No thanks"]
    joined = chat.tap(full.choice_ids[0])
    assert joined.text == (
        "You're on the waitlist for Reformer Pilates, Fri 27 Nov 18:00: #1. "
        "I'll message you if a spot opens."
    )
    assert studio.waitlist("elif") == [(studio.sessions["fri18"], "waiting", 1)]

    turkish = studio.chat(ZEYNEP).send("yarın 18:00 reformer için bekleme listesine yazar mısınız?")
    assert turkish.text.startswith("27 Kas Cum 18:00 Reformer Pilates bekleme listesindesiniz: 2.")
    assert studio.bookings("elif") == [] and studio.bookings("zeynep") == []


def test_a_held_seat_is_offered_with_buttons_inside_the_window_and_a_tap_takes_it(
    studio: Studio,
) -> None:
    seats = studio.fill("fri18", 4)
    chat = studio.chat(ELIF)
    chat.tap(chat.send("reformer tomorrow 18:00").choice_ids[0])
    later = NOW + timedelta(hours=2)
    _free_a_seat(studio, seats[0], later)
    [(key, to, body)] = _notices(studio, later)
    entry_id = studio.waitlist("elif")[0][2]
    assert (key, to) == (f"wl-{entry_id}-offered", ELIF)
    assert body["kind"] == "buttons"
    assert body["body"] == (
        "Good news: a spot opened in Reformer Pilates, Fri 27 Nov 18:00! Want it? "
        "I'll hold it until 12:30."
    )
    assert [b["id"] for b in body["buttons"]] == [f"wl-accept:{entry_id}", f"wl-decline:{entry_id}"]
    assert _notices(studio, later) == []  # told once

    taken = chat.tap(f"wl-accept:{entry_id}", at=later + timedelta(minutes=5))
    assert taken.text.startswith("You're booked! ✅ Reformer Pilates, Friday 27 November, 18:00")
    assert studio.bookings("elif") == [(studio.sessions["fri18"], BookingStatus.BOOKED, 1)]
    assert studio.waitlist("elif")[0][1] == "promoted"


def test_outside_the_window_the_offer_is_a_template_whose_quick_reply_takes_the_seat(
    studio: Studio,
) -> None:
    seats = studio.fill("fri18", 4)
    chat = studio.chat(ELIF)
    chat.tap(chat.send("reformer tomorrow 18:00").choice_ids[0])
    friday = NOW + timedelta(hours=25)  # Friday 11:00: Elif last wrote 25 hours ago
    _free_a_seat(studio, seats[1], friday)
    [(_, _, body)] = _notices(studio, friday)
    entry_id = studio.waitlist("elif")[0][2]
    template = body["template"]
    assert body["kind"] == "template"
    assert (template["name"], template["language"]) == ("waitlist_offer", "en")
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert params == ["Reformer Pilates", "Fri 27 Nov 18:00", "11:30"]
    payloads = [c["parameters"][0]["payload"] for c in template["components"][1:]]
    assert payloads == [f"wl-accept:{entry_id}", f"wl-decline:{entry_id}"]

    # The quick-reply tap comes back as a button reply carrying the payload.
    taken = chat.send("Take the spot", reply_id=payloads[0], at=friday + timedelta(minutes=10))
    assert taken.text.startswith("You're booked! ✅ Reformer Pilates, Friday 27 November, 18:00")
    assert studio.bookings("elif") == [(studio.sessions["fri18"], BookingStatus.BOOKED, 2)]


def test_declining_passes_the_seat_to_the_next_in_line(studio: Studio) -> None:
    seats = studio.fill("fri18", 4)
    for wa_id, asking in ((ELIF, "reformer tomorrow 18:00"), (ZEYNEP, "yarın 18:00 reformer")):
        chat = studio.chat(wa_id)
        chat.tap(chat.send(asking).choice_ids[0])
    later = NOW + timedelta(hours=1)
    _free_a_seat(studio, seats[2], later)
    _notices(studio, later)
    declined = studio.chat(ELIF).send("no thanks, give it to someone else", at=later)
    assert declined.text == "No problem, I've passed the spot on."
    assert studio.waitlist("elif")[0][1] == "declined"
    assert studio.waitlist("zeynep")[0][1] == "offered"
    [(_, to, body)] = _notices(studio, later)
    assert to == ZEYNEP and body["body"].startswith("Müjde: 27 Kas Cum 18:00 Reformer Pilates")


def test_nobody_can_take_another_members_held_seat(studio: Studio) -> None:
    seats = studio.fill("fri18", 4)
    chat = studio.chat(ELIF)
    chat.tap(chat.send("reformer tomorrow 18:00").choice_ids[0])
    _free_a_seat(studio, seats[0], NOW)
    entry_id = studio.waitlist("elif")[0][2]
    stolen = studio.chat(ZEYNEP).tap(f"wl-accept:{entry_id}")
    assert stolen.text.startswith("I don't see a spot on offer for you")
    assert studio.bookings("zeynep") == []
    assert studio.waitlist("elif")[0][1] == "offered"
    stranger = studio.chat(STRANGER).tap(f"wl-accept:{entry_id}")
    assert stranger.needs_staff and studio.waitlist("elif")[0][1] == "offered"


def test_an_offer_that_ran_out_cannot_be_taken(studio: Studio) -> None:
    seats = studio.fill("fri18", 4)
    chat = studio.chat(ELIF)
    chat.tap(chat.send("reformer tomorrow 18:00").choice_ids[0])
    _free_a_seat(studio, seats[0], NOW)
    entry_id = studio.waitlist("elif")[0][2]
    late = chat.tap(f"wl-accept:{entry_id}", at=NOW + timedelta(minutes=45))
    assert late.text == "Sorry, that offer has expired. Shall I look for other times?"
    assert studio.bookings("elif") == []


def test_an_automatic_promotion_is_announced_inside_the_window(studio: Studio) -> None:
    studio.policy(waitlist_mode=WaitlistMode.AUTO)
    seats = studio.fill("fri18", 4)
    chat = studio.chat(ELIF)
    chat.tap(chat.send("reformer tomorrow 18:00").choice_ids[0])
    _free_a_seat(studio, seats[3], NOW + timedelta(hours=3))
    [(key, _, body)] = _notices(studio, NOW + timedelta(hours=3))
    assert key.endswith("-promoted")
    assert body == {
        "kind": "text",
        "text": "Good news: a spot opened in Reformer Pilates, Fri 27 Nov 18:00, "
        "and you're booked! ✅",
    }
    assert studio.bookings("elif") == [(studio.sessions["fri18"], BookingStatus.BOOKED, 4)]


def test_the_last_seat_taken_at_the_desk_before_the_tap_turns_into_a_waitlist_place(
    studio: Studio,
) -> None:
    studio.fill("fri18", 3)
    chat = studio.chat(ELIF)
    offered = chat.send("is there reformer tomorrow at 18:00?")
    assert offered.body["kind"] == "buttons"
    assert offered.titles[0] == "Fri 27 Nov 18:00"
    studio.fill("fri18", 1)  # reception sells the last seat first
    full = chat.tap(offered.choice_ids[0])
    assert full.text.startswith("Reformer Pilates on Fri 27 Nov 18:00 is full.")
    assert full.text.endswith("You'd be #1.")
    joined = chat.send("yes please")
    assert "#1" in joined.text
    assert studio.bookings("elif") == []
    assert studio.waitlist("elif") == [(studio.sessions["fri18"], "waiting", 1)]


def test_a_lapsed_offer_passes_on_in_the_next_round_and_both_members_are_told(
    studio: Studio,
) -> None:
    seats = studio.fill("fri18", 4)
    for wa_id, asking in ((ELIF, "reformer tomorrow 18:00"), (ZEYNEP, "yarın 18:00 reformer")):
        chat = studio.chat(wa_id)
        chat.tap(chat.send(asking).choice_ids[0])
    _free_a_seat(studio, seats[0], NOW)
    [(_, to, _)] = _notices(studio, NOW)
    assert to == ELIF
    later = NOW + timedelta(minutes=40)  # the 30-minute hold ran out
    told = {to: body for _, to, body in _notices(studio, later)}
    assert told[ELIF]["text"] == (
        "The spot held for you in Reformer Pilates, Fri 27 Nov 18:00 has passed to the next person."
    )
    assert told[ZEYNEP]["kind"] == "buttons"
    assert [w[1] for w in studio.waitlist("elif") + studio.waitlist("zeynep")] == [
        "expired",
        "offered",
    ]
