"""Members talk to the studio over WhatsApp, end to end: signed webhooks into the real relay,
`desk sync --once` with its default handler (the assistant) on a real SQLite file, replies out
through the relay to the fake Graph API. The studio's classes are relative to the real clock."""

from __future__ import annotations

import argparse
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import factories as f
import pytest
from sqlalchemy import func, select

from desk.domain.enums import BookingStatus, WaitlistStatus
from desk.domain.errors import ClassFull
from desk.domain.timeutil import local_datetime, weekday_day_month
from desk.services import booking, sales
from desk.services.actor import Actor
from desk.store.db import Database
from desk.store.models import Booking, WaitlistEntry
from desk.store.types import utcnow
from desk.sync.cli_command import run_sync_command

from .support import (
    DESK_TOKEN,
    RelayStack,
    change_value,
    contact,
    envelope,
    message,
    wait_for,
)

pytestmark = pytest.mark.e2e

ELIF, ZEYNEP = "905321110001", "905321110003"
TZ_NAME = "Europe/Istanbul"  # the settings' default zone


@dataclass
class Studio:
    db: Database
    db_path: Path
    relay: RelayStack
    desk: Actor
    members: dict[str, int]
    classes: dict[str, int]
    starts: dict[str, datetime]


def _day(offset: int) -> date:
    from zoneinfo import ZoneInfo

    return (utcnow().astimezone(ZoneInfo(TZ_NAME)) + timedelta(days=offset)).date()


def build(db: Database, db_path: Path, relay: RelayStack) -> Studio:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(TZ_NAME)
    with db.write() as s:
        desk = f.staff_actor(s)
        reformer = f.service(s, name="Reformer Pilates", capacity=4)
        trainer = f.trainer(s, name="Marta")
        room = f.room(s, name="Studio A")
        plan = {"tomorrow18": (1, 18), "tomorrow19": (1, 19), "later18": (3, 18)}
        starts = {k: local_datetime(_day(d), time(h), tz) for k, (d, h) in plan.items()}
        classes = {
            k: f.class_session(s, service=reformer, trainer=trainer, room=room, starts_at=at).id
            for k, at in starts.items()
        }
        pack = f.product(s, name="Reformer 10", services=[reformer])
        people = {
            "elif": f.member(s, name="Elif Kaya", whatsapp_id=ELIF),
            "zeynep": f.member(s, name="Zeynep Ak", whatsapp_id=ZEYNEP),
        }
        for person in people.values():
            f.sell(s, member=person, product=pack, actor=desk, now=utcnow())
        walk_ins = [f.member(s).id for _ in range(3)]
    studio = Studio(db, db_path, relay, desk, {k: m.id for k, m in people.items()}, classes, starts)
    for member_id in walk_ins:  # three of the four seats tomorrow at 18:00 are taken
        studio.desk_book(member_id, "tomorrow18")
    return studio


def _desk_book(studio: Studio, member_id: int, key: str) -> int:
    with studio.db.write() as s:
        return booking.book(
            s,
            class_session_id=studio.classes[key],
            member_id=member_id,
            actor=studio.desk,
            drop_in=True,
        ).booking_id


Studio.desk_book = _desk_book  # type: ignore[attr-defined]


def sync(studio: Studio) -> None:
    args = argparse.Namespace(
        db=studio.db_path,
        relay_url=studio.relay.url,
        token=DESK_TOKEN,
        once=True,
        wait=0.0,
        verbose=False,
    )
    assert run_sync_command(args) == 0


class Phone:
    """A member's WhatsApp: writes and taps through signed webhooks, reads what Graph got."""

    def __init__(self, studio: Studio, graph, wa_id: str) -> None:
        self.studio, self.graph, self.wa_id = studio, graph, wa_id
        self.sent = 0

    def _post(self, item: dict[str, Any]) -> None:
        self.sent += 1
        value = change_value(messages=[item], contacts=[contact(self.wa_id, "Member")])
        self.studio.relay.post_webhook(envelope(value))

    def write(self, text: str) -> None:
        self._post(message(self._wamid(), self.wa_id, "text", text={"body": text}))

    def tap(self, choice: dict[str, str]) -> None:
        reply = {"type": "button_reply", "button_reply": choice}
        if "description" in choice:
            reply = {"type": "list_reply", "list_reply": choice}
        self._post(message(self._wamid(), self.wa_id, "interactive", interactive=reply))

    def _wamid(self) -> str:
        return f"wamid.{self.wa_id}.{self.sent}.{id(self)}"

    def inbox(self) -> list[dict[str, Any]]:
        return [c.body for c in list(self.graph.calls) if c.body["to"] == "+" + self.wa_id]

    def say(self, text: str) -> dict[str, Any]:
        """Write, let the desk sync, and return the (single) answer as Graph received it."""
        before = len(self.inbox())
        self.write(text)
        return self._answer(before)

    def choose(self, choice: dict[str, str]) -> dict[str, Any]:
        before = len(self.inbox())
        self.tap(choice)
        return self._answer(before)

    def _answer(self, before: int) -> dict[str, Any]:
        sync(self.studio)
        wait_for(lambda: len(self.inbox()) > before, what=f"an answer to {self.wa_id}")
        answers = self.inbox()[before:]
        assert len(answers) == 1, answers
        return answers[0]


def words(body: dict[str, Any]) -> str:
    if body["type"] == "text":
        return str(body["text"]["body"])
    return str(body["interactive"]["body"]["text"])


def choices(body: dict[str, Any]) -> list[dict[str, str]]:
    action = body["interactive"]["action"]
    if "buttons" in action:
        return [b["reply"] for b in action["buttons"]]
    return [row for section in action["sections"] for row in section["rows"]]


def shown(at: datetime) -> str:
    from zoneinfo import ZoneInfo

    local = at.astimezone(ZoneInfo(TZ_NAME))
    return f"{weekday_day_month(local)} {local:%H:%M}"


def live_bookings(db: Database, class_session_id: int) -> list[int]:
    with db.read() as s:
        return list(
            s.scalars(
                select(Booking.member_id).where(
                    Booking.class_session_id == class_session_id,
                    Booking.status == BookingStatus.BOOKED,
                )
            )
        )


@pytest.fixture
def studio(db, db_path, relay) -> Studio:
    return build(db, db_path, relay)


def test_a_member_asks_their_balance_and_gets_the_right_number(studio, graph):
    with studio.db.write() as s:  # two sessions used elsewhere: 10 - 2
        sale_id = sales.entitlements(s, member_id=studio.members["elif"])[0].sale_id
        sales.adjust(
            s, sale_id=sale_id, delta=-2, reason="used at another branch", actor=studio.desk
        )
    answer = Phone(studio, graph, ELIF).say("how many sessions do I have left?")
    assert words(answer).startswith("Your packages:\n• Reformer 10: 8 sessions left")


def test_the_last_seat_goes_to_exactly_one_and_the_other_is_offered_the_waitlist(studio, graph):
    """The member asks for the last seat over WhatsApp while the desk books it for Zeynep."""
    phone = Phone(studio, graph, ELIF)
    phone.write("book me into reformer tomorrow at 18:00 please")
    start = threading.Barrier(2)
    desk_outcome: list[Any] = []

    def desk() -> None:
        start.wait()
        try:
            desk_outcome.append(studio.desk_book(studio.members["zeynep"], "tomorrow18"))
        except ClassFull as exc:
            desk_outcome.append(exc)

    desk_thread = threading.Thread(target=desk)
    desk_thread.start()
    start.wait()
    sync(studio)
    desk_thread.join(30)
    wait_for(lambda: phone.inbox(), what="the member's answer")
    answer = phone.inbox()[0]
    seated = live_bookings(studio.db, studio.classes["tomorrow18"])
    assert len(seated) == 4  # never 5 of 4
    member_won = studio.members["elif"] in seated
    desk_won = studio.members["zeynep"] in seated
    assert member_won != desk_won  # exactly one of them
    print("last seat won by", "the member" if member_won else "the desk")
    if member_won:
        assert isinstance(desk_outcome[0], ClassFull)
        assert "waitlist" in str(desk_outcome[0]).lower()
        assert words(answer).startswith("You're booked!")
    else:
        assert isinstance(desk_outcome[0], int)
        assert_full_and_offered(answer, studio)


def assert_full_and_offered(answer: dict[str, Any], studio: Studio) -> None:
    said = words(answer)
    assert shown(studio.starts["tomorrow18"]) in said and "is full" in said, said
    assert "waitlist" in said and "#1" in said, said
    assert [c["title"] for c in choices(answer)] == ["Join waitlist", "No thanks"]


def test_a_member_told_the_class_is_full_joins_the_waitlist(studio, graph):
    studio.desk_book(studio.members["zeynep"], "tomorrow18")  # the desk was first
    phone = Phone(studio, graph, ELIF)
    full = phone.say("book me into reformer tomorrow at 18:00 please")
    assert_full_and_offered(full, studio)
    joined = phone.choose(choices(full)[0])
    assert words(joined).startswith("You're on the waitlist for Reformer Pilates")
    with studio.db.read() as s:
        entry = s.scalars(
            select(WaitlistEntry).where(WaitlistEntry.member_id == studio.members["elif"])
        ).one()
        assert entry.status is WaitlistStatus.WAITING
    assert studio.members["elif"] not in live_bookings(studio.db, studio.classes["tomorrow18"])


def test_a_member_books_reschedules_and_cancels(studio, graph):
    phone = Phone(studio, graph, ELIF)
    booked = phone.say("book reformer tomorrow at 19:00")
    assert words(booked).startswith("You're booked! ✅ Reformer Pilates, "), words(booked)
    assert live_bookings(studio.db, studio.classes["tomorrow19"]) == [studio.members["elif"]]

    weekday = f"{studio.starts['later18'].astimezone(_zone()):%A}"
    asked = phone.say(f"can I move tomorrow to {weekday}?")
    assert words(asked).startswith("Where shall I move Reformer Pilates"), words(asked)
    target = next(c for c in choices(asked) if c["title"] == shown(studio.starts["later18"]))
    moved = phone.choose(target)
    assert words(moved).startswith("Moved! ✅ Reformer Pilates"), words(moved)
    assert live_bookings(studio.db, studio.classes["tomorrow19"]) == []
    assert live_bookings(studio.db, studio.classes["later18"]) == [studio.members["elif"]]

    confirm = phone.say("please cancel my reformer class")
    assert words(confirm).endswith("It's free of charge."), words(confirm)
    done = phone.choose(choices(confirm)[0])
    assert shown(studio.starts["later18"]) in words(done), words(done)
    assert words(done).endswith("is cancelled."), words(done)
    assert live_bookings(studio.db, studio.classes["later18"]) == []
    with studio.db.read() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(Booking)
                .where(Booking.member_id == studio.members["elif"])
            )
            == 2
        )  # the moved one and the new one
    # Every reply went out once.
    keys = [c.body["biz_opaque_callback_data"] for c in graph.calls]
    assert len(keys) == len(set(keys)) == 5


def _zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(TZ_NAME)


def test_when_the_member_gets_the_last_seat_the_desk_is_told_it_is_full(studio, graph):
    answer = Phone(studio, graph, ELIF).say("book me into reformer tomorrow at 18:00 please")
    assert words(answer).startswith("You're booked! ✅ Reformer Pilates"), words(answer)
    with pytest.raises(ClassFull, match=r"(?i)full") as refused:
        studio.desk_book(studio.members["zeynep"], "tomorrow18")
    assert "waitlist" in str(refused.value).lower()
    assert len(live_bookings(studio.db, studio.classes["tomorrow18"])) == 4
