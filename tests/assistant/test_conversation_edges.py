"""Everything that is not a tidy booking: strangers, noise, pictures, people, repeats, stale
questions, and the exactly-once rules the sync worker relies on."""

from __future__ import annotations

import functools
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from desk.assistant import conversation
from desk.assistant.conversation import handle_inbound, reply_key
from desk.domain.enums import BookingStatus
from desk.services import members, messaging
from desk.services.messaging import InboundPayload
from desk.store.models import Booking, InboundEvent, OutboxMessage
from desk.sync.relay_client import InboxPage
from desk.sync.worker import SyncWorker
from relay.limits import KEY_PATTERN

from .chat import ELIF, NOW, STRANGER, Studio, build_studio, deliver, replies_to


@pytest.fixture
def studio(db) -> Studio:  # type: ignore[no-untyped-def]
    return build_studio(db)


def _count(studio: Studio, model: type[Booking | InboundEvent | OutboxMessage]) -> int:
    with studio.db.read() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_an_unknown_number_is_a_lead_for_reception_told_once(studio: Studio) -> None:
    chat = studio.chat(STRANGER)
    first = chat.send("Hi, how much is a reformer class?")
    assert first.text.startswith("Hi! 👋 I couldn't find this number among our members.")
    assert (first.intent, first.needs_staff, first.member_id) == ("lead", True, None)
    second = chat.send("Are you open on Sundays?")
    assert second.bodies == [] and second.needs_staff and second.intent == "lead"


def test_an_unknown_number_writing_turkish_is_answered_in_turkish(studio: Studio) -> None:
    reply = studio.chat(STRANGER).send(
        "Merhaba, reformer dersleriniz hakkında bilgi alabilir miyim?"
    )
    assert reply.text.startswith("Merhaba! 👋 Bu numarayı üyelerimiz arasında bulamadım.")


def test_an_archived_member_is_handled_as_a_new_lead(studio: Studio) -> None:
    with studio.db.write() as s:
        members.archive_member(s, member_id=studio.members["elif"], actor=studio.desk)
    reply = studio.chat(ELIF).send("book reformer tomorrow 18:00")
    assert reply.intent == "lead" and reply.needs_staff and studio.bookings("elif") == []


@pytest.mark.parametrize("text", ["asdkj qwpeoi zzz", "🍕🍕🍕", "", "???"])
def test_what_cannot_be_read_goes_to_reception(studio: Studio, text: str) -> None:
    reply = studio.chat(ELIF).send(text)
    assert reply.text == "Sorry, I didn't quite get that. I've asked reception to help you."
    assert reply.needs_staff and reply.intent == "unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can I talk to a real person please", "Sure, I've asked reception to get back to you."),
        ("yetkili biriyle görüşmek istiyorum", "Tabii, resepsiyondan size dönmelerini istedim."),
    ],
)
def test_asking_for_a_person_hands_over(studio: Studio, text: str, expected: str) -> None:
    reply = studio.chat(ELIF).send(text)
    assert reply.text == expected and reply.needs_staff and reply.intent == "human"


@pytest.mark.parametrize("kind", ["unsupported", "image", "audio"])
def test_pictures_and_voice_notes_get_a_text_only_answer(studio: Studio, kind: str) -> None:
    reply = studio.chat(ELIF).send(message_type=kind)
    assert reply.text == "Sorry, I can only read text messages. Please type what you need."
    assert reply.needs_staff and reply.intent == "unsupported"


def test_greetings_and_thanks_are_answered_by_first_name(studio: Studio) -> None:
    chat = studio.chat(ELIF)
    assert chat.send("hello!").text.startswith("Hi Elif! 👋")
    assert chat.send("thanks a lot").text == "You're welcome! 😊"


def test_the_same_event_delivered_twice_acts_once(studio: Studio) -> None:
    payload = InboundPayload(
        wamid="wamid.DUPLICATE1",
        wa_id=ELIF,
        message_type="text",
        text="book reformer tomorrow 19:00",
    )
    deliver(studio.db, payload, NOW)
    deliver(studio.db, payload, NOW + timedelta(seconds=30))  # the relay redelivered it
    reply = replies_to(studio.db, "wamid.DUPLICATE1")
    assert len(reply.bodies) == 1
    assert (_count(studio, InboundEvent), _count(studio, OutboxMessage)) == (1, 1)
    assert studio.bookings("elif") == [(studio.sessions["fri19"], BookingStatus.BOOKED, 1)]


def test_a_rolled_back_attempt_and_its_rerun_queue_the_same_keys(studio: Studio) -> None:
    payload = InboundPayload(
        wamid="wamid.CRASH1", wa_id=ELIF, message_type="text", text="any reformer on monday?"
    )

    class Crash(Exception):
        pass

    with pytest.raises(Crash), studio.db.write() as s:
        handle_inbound(s, payload, now=NOW)
        first_keys = list(s.scalars(select(OutboxMessage.key)))
        raise Crash  # the worker died before committing
    assert (_count(studio, InboundEvent), _count(studio, OutboxMessage)) == (0, 0)
    deliver(studio.db, payload, NOW)
    reply = replies_to(studio.db, "wamid.CRASH1")
    assert reply.keys == first_keys == [reply_key("wamid.CRASH1", 1)]
    assert all(re.match(KEY_PATTERN, key) for key in reply.keys)


def test_a_bug_in_a_handler_rolls_the_whole_event_back(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(conversation.account, "balance", broken)
    with pytest.raises(RuntimeError):
        studio.chat(ELIF).send("what's my balance")
    assert (_count(studio, InboundEvent), _count(studio, OutboxMessage)) == (0, 0)


def test_a_stale_pick_is_not_acted_on_after_thirty_minutes(studio: Studio) -> None:
    chat = studio.chat(ELIF)
    offered = chat.send("reformer on monday")
    later = NOW + timedelta(minutes=31)
    typed = chat.send("1", at=later)
    assert typed.text.startswith("Sorry, that choice has expired.")
    tapped = chat.tap(offered.choice_ids[0], at=later)
    assert tapped.text.startswith("Sorry, that choice has expired.")
    assert studio.bookings("elif") == []
    # Within the 30 minutes the same tap books.
    again = chat.send("reformer on monday", at=later)
    chat.tap(again.choice_ids[0], at=later + timedelta(minutes=29))
    assert studio.bookings("elif") == [(studio.sessions["mon18"], BookingStatus.BOOKED, 1)]


def test_a_tap_on_an_older_question_that_was_replaced_does_nothing(studio: Studio) -> None:
    chat = studio.chat(ELIF)
    monday = chat.send("reformer on monday")
    chat.send("reformer on saturday")
    old = chat.tap(monday.choice_ids[0])
    assert old.text.startswith("Sorry, that choice has expired.")
    assert studio.bookings("elif") == []


def test_a_number_outside_the_options_asks_again_and_keeps_the_question(studio: Studio) -> None:
    chat = studio.chat(ELIF)
    chat.send("reformer on monday")
    assert chat.send("7").text == "Which one? Tap an option or type its number."
    chat.send("2")
    assert studio.bookings("elif") == [(studio.sessions["mon19"], BookingStatus.BOOKED, 1)]


def test_a_bare_yes_answers_only_an_open_question(studio: Studio) -> None:
    chat = studio.chat(ELIF)
    assert chat.send("yes").text.startswith("Sorry, that choice has expired.")
    chat.send("book reformer tomorrow 19:00")
    assert chat.send("ok 👍").text == "👍 Anything else I can help with?"
    assert len(studio.bookings("elif")) == 1


def test_a_sender_without_a_phone_number_is_left_to_reception(studio: Studio) -> None:
    reply = studio.chat("user:AbC123").send("hello")
    assert reply.bodies == [] and reply.needs_staff


def test_replies_never_mention_other_members(studio: Studio) -> None:
    studio.desk_book(studio.members["zeynep"], "sat10")
    chat = studio.chat(ELIF)
    texts = [
        chat.send(text).text
        for text in ("my bookings", "balance", "cancel saturday", "move saturday to monday")
    ]
    assert not any("Zeynep" in t or "Ak" in t.split() for t in texts)
    assert texts[2] == "I couldn't find an upcoming booking of yours on Saturday 28 November."


def test_processed_mark_is_the_event_row(studio: Studio) -> None:
    chat = studio.chat(ELIF)
    chat.send("hi")
    with studio.db.read() as s:
        assert messaging.already_processed(s, chat.last_wamid)


class _RedeliveringRelay:
    """A relay that hands the same page over again (its ack was lost): the worker must see
    the wamid as processed and send each reply once."""

    def __init__(self, events: list[dict[str, object]]) -> None:
        self.events = events
        self.sent: list[dict[str, object]] = []

    def inbox(self, *, after: int | None, limit: int = 50, wait: float = 0) -> InboxPage:
        return InboxPage(list(self.events), cursor=0, epoch=None)

    def ack(self, cursor: int) -> int:
        return cursor

    def post_outbox(self, messages: list[dict[str, object]]) -> list[dict[str, object]]:
        self.sent += messages
        return [{"key": m["key"], "status": "queued"} for m in messages]

    def statuses(self, keys: list[str]) -> list[dict[str, object]]:
        return []


def test_the_sync_worker_processes_a_redelivered_page_once(studio: Studio) -> None:
    event = {
        "cursor": 7,
        "wamid": "wamid.PAGE1",
        "from": ELIF,
        "type": "text",
        "text": "book reformer tomorrow 19:00",
        "timestamp": int(NOW.timestamp()),
    }
    relay = _RedeliveringRelay([event])
    worker = SyncWorker(studio.db, relay, functools.partial(handle_inbound, now=NOW))  # type: ignore[arg-type]
    for _ in range(2):  # the second page is the same event again
        assert worker.pull_inbox() == 1
        worker.push_outbox()
    assert [m["key"] for m in relay.sent] == [reply_key("wamid.PAGE1", 1)]
    assert studio.bookings("elif") == [(studio.sessions["fri19"], BookingStatus.BOOKED, 1)]
    assert _count(studio, InboundEvent) == 1
