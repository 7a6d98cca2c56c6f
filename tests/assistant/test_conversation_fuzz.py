"""Garbage and hostile messages through the whole conversation: never an exception, always
exactly one reply or a hand-off to reception, and never a booking or waitlist place."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from desk.services.messaging import InboundPayload
from desk.store.db import Database
from desk.store.models import Booking, DialogState, WaitlistEntry

from .chat import ELIF, MERT, NOW, STRANGER, build_studio, deliver, replies_to

HOSTILE = [
    "'; DROP TABLE bookings; --",
    "1' OR '1'='1",
    "<script>alert(1)</script>",
    "{{7*7}} ${jndi:ldap://x} %s %n",
    "\x00\x01\x02\x1b[2J\x7f",
    "\u202e\u202d\u200f\u200e",
    "\ud800\udfff lone surrogates \udc00",
    "ما هي مواعيد الحصص؟",
    "Привет, можно записаться?",
    "我想预约明天的课",
    "Z̴̡̛̖a̷̡̛l̸̢̛g̵̨̛o̶̡̕",
    "cancel:1",
    "wl-accept:1",
    "",
    "   \n\t  ",
]
_REPLY_IDS = st.one_of(
    st.just(""),
    st.sampled_from(["book:1", "cancel-yes:1", "move-to:5", "wl-accept:1", "wl-decline:2"]),
    st.sampled_from(["pt:129930580", "pt:999999999999", "pt:0", "pt:1"]),
    st.sampled_from(["book:99999999999", "BOOK:1", "book:-1", "book:1:2", ":", "x" * 600]),
    st.text(max_size=40),
)
_TEXTS = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(codec=None), max_size=300),
    st.lists(st.sampled_from(HOSTILE) | st.text(max_size=30), max_size=6).map(" ".join),
    st.tuples(st.sampled_from([*HOSTILE[:4], "x", "9", "🙂"]), st.integers(1, 20_000)).map(
        lambda t: t[0] * t[1]
    ),
)
_TYPES = st.sampled_from(["text", "text", "text", "button_reply", "list_reply", "image", "", "?"])
_SENDERS = st.sampled_from([ELIF, MERT, STRANGER])
_wamids = itertools.count(1)


def _count(db: Database, model: type[Booking | WaitlistEntry]) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.property
def test_hostile_messages_never_crash_and_always_get_one_reply_or_a_hand_off(
    db: Database,
) -> None:
    build_studio(db)

    @settings(
        max_examples=120,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(text=_TEXTS, reply_id=_REPLY_IDS, kind=_TYPES, sender=_SENDERS)
    def one_message(text: str, reply_id: str, kind: str, sender: str) -> None:
        with db.write() as s:
            s.execute(delete(DialogState))  # each message on its own: no question is open
        wamid = f"wamid.FUZZ{next(_wamids)}"
        payload = InboundPayload(
            wamid=wamid, wa_id=sender, message_type=kind, text=text, reply_id=reply_id
        )
        deliver(db, payload, NOW)
        reply = replies_to(db, wamid)
        assert len(reply.bodies) == 1 or (not reply.bodies and reply.needs_staff)
        assert _count(db, Booking) == 0 and _count(db, WaitlistEntry) == 0

    one_message()
