"""The Inbox services: conversations by member, a thread, reading, handling and replying."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from desk.domain.enums import OutboxStatus, StaffRole
from desk.domain.errors import InvalidInput, NotAllowed
from desk.services import inbox, inbox_bookings, inbox_staff, messaging
from desk.services.actor import Actor
from desk.store.models import AuditEntry, OutboxMessage

from .inbox_scenario import AYSE_WA, BORA_WA, LEAD_WA, build_inbox

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture
def studio(db):
    return build_inbox(db, NOW)


def rita(studio) -> Actor:
    return Actor.staff(studio.reception, StaffRole.RECEPTION, "Rita Reception")


def test_conversations_are_by_member_newest_first_with_unread_and_flags(db, studio):
    with db.read() as s:
        found = inbox.conversations(s)
        flagged = inbox.conversations(s, needs_staff_only=True)
    assert [c.wa_id for c in found] == [LEAD_WA, AYSE_WA, BORA_WA]
    lead, ayse, bora = found
    assert (lead.name, lead.member_id, lead.unread, lead.needs_staff) == ("Deniz", None, 1, True)
    assert lead.last_text == "Hi! How much is a month of pilates?" and lead.last_from_member
    assert (ayse.name, ayse.member_id, ayse.unread, ayse.needs_staff) == (
        "Ayşe Yılmaz",
        studio.ayse,
        2,
        True,
    )
    # The assistant's answer came after her message: it is the last word.
    assert not ayse.last_from_member and ayse.last_text.startswith("I've passed this")
    assert (bora.unread, bora.needs_staff) == (0, False)
    assert bora.phone.startswith("+90")
    assert [c.wa_id for c in flagged] == [LEAD_WA, AYSE_WA]


def test_a_thread_merges_both_directions_with_balance_and_bookings(db, studio):
    with db.read() as s:
        thread = inbox.thread(s, wa_id=AYSE_WA, now=NOW)
    texts = [(m.from_member, m.text) for m in thread.messages]
    assert texts == [
        (True, "how many sessions do I have left?"),
        (False, "You have 10 of 10 sessions left on Reformer 10 (until 28 Feb)."),
        (True, "Can I bring a friend tomorrow? 🙂"),
        (False, "I've passed this to the front desk; someone will answer soon."),
    ]
    assert thread.messages[2].needs_staff and thread.messages[2].intent == "human"
    assert thread.messages[3].status == "delivered"
    assert [(e.name, e.remaining) for e in thread.balance] == [("Reformer 10", 10)]
    assert [(b.booking_id, b.service_name, b.trainer_name) for b in thread.upcoming] == [
        (studio.booking, "Reformer Pilates", "Marta")
    ]
    assert thread.window_closes_at == NOW - timedelta(minutes=7) + timedelta(hours=24)

    with db.read() as s:
        lead = inbox.thread(s, wa_id=LEAD_WA, now=NOW)
        with pytest.raises(InvalidInput):
            inbox.thread(s, wa_id="900000000000", now=NOW)
    assert lead.balance == [] and lead.upcoming == [] and lead.conversation.member_id is None


def test_staff_reply_goes_through_the_outbox_as_the_signed_in_user(db, studio):
    with db.write() as s:
        key = inbox_staff.staff_reply(
            s, wa_id=AYSE_WA, text="  Of course, bring her along!  ", actor=rita(studio), now=NOW
        )
    with db.read() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.key == key)).one()
        assert (row.to_wa_id, row.member_id, row.created_by) == (
            AYSE_WA,
            studio.ayse,
            studio.reception,
        )
        assert row.status == OutboxStatus.PENDING and row.preview == "Of course, bring her along!"
        assert [i.key for i in messaging.unpushed(s)] == [key]
        last = inbox.thread(s, wa_id=AYSE_WA, now=NOW).messages[-1]
        ayse = inbox.conversation(s, wa_id=AYSE_WA)
        audit = s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("inbox.%")))
        actions = sorted(audit)
    assert (last.staff_name, last.status, last.from_member) == ("Rita Reception", "pending", False)
    assert ayse is not None and ayse.unread == 0 and ayse.needs_staff  # read, still flagged
    assert actions == ["inbox.read", "inbox.reply"]


@pytest.mark.parametrize(
    ("text", "wa_id", "at", "error", "words"),
    [
        ("   ", AYSE_WA, NOW, InvalidInput, "empty"),
        ("x" * 4097, AYSE_WA, NOW, InvalidInput, "4096"),
        ("hello", BORA_WA, NOW + timedelta(hours=5), NotAllowed, "24 hours"),
        ("hello", "user:ES.123", NOW, InvalidInput, "phone number"),
    ],
)
def test_staff_reply_refusals_write_nothing(db, studio, text, wa_id, at, error, words):
    with pytest.raises(error, match=words), db.write() as s:
        inbox_staff.staff_reply(s, wa_id=wa_id, text=text, actor=rita(studio), now=at)
    with db.read() as s:
        assert messaging.unpushed(s) == []


def test_a_trainer_may_not_answer_members(db, studio):
    tom = Actor.staff(studio.trainer_user, StaffRole.TRAINER, "Tom Trainer")
    with pytest.raises(NotAllowed), db.write() as s:
        inbox_staff.staff_reply(s, wa_id=AYSE_WA, text="hi", actor=tom, now=NOW)


def test_reading_and_clearing_the_flag(db, studio):
    with db.write() as s:
        assert inbox_staff.mark_read(s, wa_id=LEAD_WA, actor=rita(studio), now=NOW) == 1
        assert inbox_staff.mark_read(s, wa_id=LEAD_WA, actor=rita(studio), now=NOW) == 0
        assert inbox_staff.clear_needs_staff(s, wa_id=LEAD_WA, actor=rita(studio), now=NOW) == 1
    with db.read() as s:
        lead = inbox.conversation(s, wa_id=LEAD_WA)
        flagged = [c.wa_id for c in inbox.conversations(s, needs_staff_only=True)]
    assert lead is not None and (lead.unread, lead.needs_staff) == (0, False)
    assert flagged == [AYSE_WA]


def test_bookable_classes_show_free_seats(db, studio):
    with db.read() as s:
        classes = inbox_bookings.bookable_classes(s, now=NOW)
    assert [(c.class_session_id, c.free, c.capacity) for c in classes] == [
        (studio.class_tomorrow, 7, 8),
        (studio.class_later, 8, 8),
    ]


def test_the_list_costs_a_fixed_handful_of_queries_however_many_conversations(db, studio):
    with db.write() as s:
        for n in range(60):
            payload = messaging.InboundPayload(
                wamid=f"wamid.many{n}",
                wa_id=f"9055500{n:05d}",
                message_type="text",
                text=f"hello {n}",
                received_at=NOW - timedelta(minutes=n),
            )
            event = messaging.record_inbound(s, payload, member_id=None)
            messaging.enqueue(
                s,
                to_wa_id=payload.wa_id,
                body={"kind": "text", "text": "hi"},
                preview="hi",
                inbound_event_id=event.id,
                now=NOW - timedelta(minutes=n) + timedelta(seconds=1),
            )
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.read() as s:
            found = inbox.conversations(s, limit=200)
            before = inbox.fingerprint(s)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert len(found) == 63
    assert found[0].wa_id == "905550000000" and found[0].last_text == "hi"
    assert not found[0].last_from_member
    assert len([q for q in statements if q.lstrip().upper().startswith("SELECT")]) <= 7
    with db.write() as s:
        inbox_staff.mark_read(s, wa_id=LEAD_WA, actor=rita(studio), now=NOW)
    with db.read() as s:
        assert inbox.fingerprint(s) != before
