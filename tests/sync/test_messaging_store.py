"""Local WhatsApp bookkeeping: dedupe by wamid, monotonic delivery states, dialog expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from desk.domain.enums import OutboxStatus
from desk.services import messaging
from desk.services.messaging import DeliveryUpdate, Dialog, InboundPayload
from desk.store.db import Database
from desk.store.models import InboundEvent

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _payload(wamid: str = "wamid.A") -> InboundPayload:
    return InboundPayload(wamid=wamid, wa_id="905321112233", message_type="text", text="hi")


def test_an_event_is_recorded_once_and_the_database_refuses_a_second_copy(db: Database) -> None:
    with db.write() as s:
        assert not messaging.already_processed(s, "wamid.A")
        messaging.record_inbound(s, _payload(), member_id=None, now=NOW)
    with db.write() as s:
        assert messaging.already_processed(s, "wamid.A")
    with pytest.raises(IntegrityError), db.write() as s:
        messaging.record_inbound(s, _payload(), member_id=None, now=NOW)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(InboundEvent)) == 1


def test_delivery_status_never_moves_backwards_and_failure_is_final(db: Database) -> None:
    with db.write() as s:
        key = messaging.enqueue(
            s, to_wa_id="905321112233", body={"kind": "text", "text": "hello"}, preview="hello"
        )
        assert [i.key for i in messaging.unpushed(s)] == [key]
    # Statuses arrive out of order: a late "delivered" or "sent" must not undo "read".
    steps = [
        (OutboxStatus.QUEUED, OutboxStatus.QUEUED),
        (OutboxStatus.READ, OutboxStatus.READ),
        (OutboxStatus.DELIVERED, OutboxStatus.READ),
        (OutboxStatus.SENT, OutboxStatus.READ),
    ]
    for incoming, expected in steps:
        with db.write() as s:
            messaging.apply_delivery(s, [DeliveryUpdate(key, incoming, wamid="wamid.out")])
        with db.read() as s:
            assert messaging.outbox_status(s, key) == expected
            assert messaging.unpushed(s) == []
    with db.read() as s:
        assert key not in messaging.awaiting_status(s)

    with db.write() as s:
        key2 = messaging.enqueue(s, to_wa_id="1", body={"kind": "text", "text": "x"}, preview="x")
        messaging.apply_delivery(s, [DeliveryUpdate(key2, OutboxStatus.FAILED, error_code=131026)])
        messaging.apply_delivery(s, [DeliveryUpdate(key2, OutboxStatus.DELIVERED)])
    with db.read() as s:
        assert messaging.outbox_status(s, key2) == OutboxStatus.FAILED
        assert key2 not in messaging.awaiting_status(s)


def test_dialog_state_expires(db: Database) -> None:
    with db.write() as s:
        messaging.save_dialog(
            s,
            Dialog("905321112233", {"step": "pick", "options": [1, 2]}, "tr"),
            member_id=None,
            ttl=timedelta(minutes=30),
            now=NOW,
        )
    with db.read() as s:
        fresh = messaging.load_dialog(s, "905321112233", now=NOW + timedelta(minutes=10))
        stale = messaging.load_dialog(s, "905321112233", now=NOW + timedelta(minutes=31))
    assert fresh.state == {"step": "pick", "options": [1, 2]} and fresh.language == "tr"
    assert stale.state == {} and stale.language == "tr"


def test_cursor_only_moves_forward(db: Database) -> None:
    with db.write() as s:
        messaging.advance_cursor(s, 10)
        messaging.advance_cursor(s, 7)
    with db.read() as s:
        assert messaging.inbox_cursor(s) == 10
