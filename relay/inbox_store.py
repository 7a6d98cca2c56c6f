"""Inbound side of the store: messages from members, the desk's cursor, the 24-hour window."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from relay.models import Counter, InboundEvent, Member
from relay.normalize import InboundMessage

WINDOW_SECONDS = 24 * 3600
# Stop free-form sends a little before Meta closes the window: a message queued at 23:59:59
# would otherwise be refused with 131047 after we already spent a send on it.
WINDOW_SAFETY_SECONDS = 120


class AckBeyondCursor(ValueError):
    """The desk acknowledged a cursor the relay never handed out."""


def store_inbound(session: Session, message: InboundMessage, now: float) -> int | None:
    """Insert one message unless its wamid is known; returns its new cursor or None."""
    known = select(InboundEvent.cursor).where(InboundEvent.wamid == message.wamid)
    if session.scalar(known) is not None:
        return None
    # Member first: its lookup would otherwise autoflush the new event row on its own.
    _touch_member(session, message, now)
    cursor = _next_cursor(session)
    session.add(
        InboundEvent(
            cursor=cursor,
            wamid=message.wamid,
            wa_from=message.wa_from,
            user_id=message.user_id,
            profile_name=message.profile_name,
            wa_timestamp=message.timestamp,
            type=message.type,
            original_type=message.original_type,
            text=message.text,
            reply_id=message.reply_id,
            reply_title=message.reply_title,
            reply_description=message.reply_description,
            context_id=message.context_id,
            raw_json=message.raw_json(),
            received_at=now,
        )
    )
    return cursor


def _next_cursor(session: Session) -> int:
    # FOR UPDATE holds the counter row until commit, so cursors become visible in order.
    counter = session.scalars(
        select(Counter).where(Counter.name == "inbox").with_for_update()
    ).one()
    counter.value += 1
    return counter.value


def _touch_member(session: Session, message: InboundMessage, now: float) -> None:
    key = message.member_key
    if key is None:
        return
    # Meta's timestamp is when the member wrote; a redelivery days later must not reopen
    # the window. A missing or future timestamp falls back to our clock.
    sent_at = float(message.timestamp) if 0 < message.timestamp <= now else now
    member = session.get(Member, key)
    if member is None:
        session.add(Member(member_key=key, user_id=message.user_id, last_inbound_at=sent_at))
        return
    member.last_inbound_at = max(member.last_inbound_at, sent_at)
    member.user_id = message.user_id or member.user_id


def events_after(session: Session, after: int, limit: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(InboundEvent)
        .where(InboundEvent.cursor > after)
        .order_by(InboundEvent.cursor)
        .limit(limit)
    )
    return [event_view(row) for row in rows]


def event_view(row: InboundEvent) -> dict[str, Any]:
    return {
        "cursor": row.cursor,
        "wamid": row.wamid,
        "from": row.wa_from,
        "user_id": row.user_id,
        "profile_name": row.profile_name,
        "timestamp": row.wa_timestamp,
        "type": row.type,
        "original_type": row.original_type,
        "text": row.text,
        "reply_id": row.reply_id,
        "reply_title": row.reply_title,
        "reply_description": row.reply_description,
        "context_id": row.context_id,
        "raw": json.loads(row.raw_json),
    }


def counter_value(session: Session, name: str) -> int:
    return session.scalar(select(Counter.value).where(Counter.name == name)) or 0


def acknowledge(session: Session, cursor: int) -> int:
    """Record that the desk durably processed everything up to `cursor`; never moves back."""
    issued = counter_value(session, "inbox")
    if cursor > issued:
        raise AckBeyondCursor(f"cursor {cursor} is beyond the last issued cursor {issued}")
    acked = session.scalars(select(Counter).where(Counter.name == "inbox_acked")).one()
    acked.value = max(acked.value, cursor)
    return acked.value


def in_window(session: Session, member_keys: list[str], now: float) -> bool:
    if not member_keys:
        return False
    last = session.scalar(
        select(func.max(Member.last_inbound_at)).where(Member.member_key.in_(member_keys))
    )
    return last is not None and last > now - WINDOW_SECONDS + WINDOW_SAFETY_SECONDS
