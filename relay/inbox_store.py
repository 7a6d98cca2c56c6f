"""Inbound side of the store: messages from members, the desk's cursor, the 24-hour window."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Integer, bindparam, insert, select, update

from relay.models import Counter, InboundEvent, Member
from relay.normalize import InboundMessage
from relay.prepared import Prepared, Runner

WINDOW_SECONDS = 24 * 3600
# Stop free-form sends a little before Meta closes the window: a message queued at 23:59:59
# would otherwise be refused with 131047 after we already spent a send on it.
WINDOW_SAFETY_SECONDS = 120


class AckBeyondCursor(ValueError):
    """The desk acknowledged a cursor the relay never handed out."""


_FIND_EVENT = Prepared(select(InboundEvent.cursor).where(InboundEvent.wamid == bindparam("wamid")))
_FIND_MEMBER = Prepared(
    select(Member.last_inbound_at, Member.user_id).where(Member.member_key == bindparam("key"))
)
_ADD_MEMBER = Prepared(
    insert(Member).values(
        member_key=bindparam("key"), user_id=bindparam("user_id"), last_inbound_at=bindparam("at")
    )
)
_TOUCH_MEMBER = Prepared(
    update(Member)
    .where(Member.member_key == bindparam("key"))
    .values(last_inbound_at=bindparam("at"), user_id=bindparam("user_id"))
)
# UPDATE ... RETURNING holds the counter row until commit (a row lock on PostgreSQL, the write
# lock on SQLite), so cursors become visible in the order they were taken.
_NEXT_CURSOR = Prepared(
    update(Counter)
    .where(Counter.name == "inbox")
    .values(value=Counter.value + 1)
    .returning(Counter.value)
)
_EVENT_COLUMNS = (
    InboundEvent.cursor,
    InboundEvent.wamid,
    InboundEvent.wa_from,
    InboundEvent.user_id,
    InboundEvent.profile_name,
    InboundEvent.wa_timestamp,
    InboundEvent.type,
    InboundEvent.original_type,
    InboundEvent.text,
    InboundEvent.reply_id,
    InboundEvent.reply_title,
    InboundEvent.reply_description,
    InboundEvent.context_id,
    InboundEvent.raw_json,
    InboundEvent.received_at,
)
_ADD_EVENT = Prepared(
    insert(InboundEvent).values({column: bindparam(column.key) for column in _EVENT_COLUMNS})
)
_EVENTS_AFTER = Prepared(
    select(*_EVENT_COLUMNS[:-1])
    .where(InboundEvent.cursor > bindparam("after"))
    .order_by(InboundEvent.cursor)
    .limit(bindparam("limit", type_=Integer))
)
_COUNTER = Prepared(select(Counter.value).where(Counter.name == bindparam("name")))
_RAISE_COUNTER = Prepared(
    update(Counter)
    .where(Counter.name == bindparam("name"), Counter.value < bindparam("value"))
    .values(value=bindparam("value"))
)
#: Keys of an inbox event, in the order of `_EVENTS_AFTER`'s columns.
_VIEW_KEYS = (
    "cursor",
    "wamid",
    "from",
    "user_id",
    "profile_name",
    "timestamp",
    "type",
    "original_type",
    "text",
    "reply_id",
    "reply_title",
    "reply_description",
    "context_id",
)


def store_inbound(session: Runner, message: InboundMessage, now: float) -> int | None:
    """Insert one message unless its wamid is known; returns its new cursor or None."""
    if _FIND_EVENT.first(session, {"wamid": message.wamid}) is not None:
        return None
    _touch_member(session, message, now)
    cursor = int(_NEXT_CURSOR.rows(session, {})[0][0])
    _ADD_EVENT.write(
        session,
        {
            "cursor": cursor,
            "wamid": message.wamid,
            "wa_from": message.wa_from,
            "user_id": message.user_id,
            "profile_name": message.profile_name,
            "wa_timestamp": message.timestamp,
            "type": message.type,
            "original_type": message.original_type,
            "text": message.text,
            "reply_id": message.reply_id,
            "reply_title": message.reply_title,
            "reply_description": message.reply_description,
            "context_id": message.context_id,
            "raw_json": message.raw_json(),
            "received_at": now,
        },
    )
    return cursor


def _touch_member(session: Runner, message: InboundMessage, now: float) -> None:
    key = message.member_key
    if key is None:
        return
    # Meta's timestamp is when the member wrote; a redelivery days later must not reopen
    # the window. A missing or future timestamp falls back to our clock.
    sent_at = float(message.timestamp) if 0 < message.timestamp <= now else now
    known = _FIND_MEMBER.first(session, {"key": key})
    if known is None:
        _ADD_MEMBER.write(session, {"key": key, "user_id": message.user_id, "at": sent_at})
        return
    last_inbound_at, user_id = known
    _TOUCH_MEMBER.write(
        session,
        {"key": key, "at": max(last_inbound_at, sent_at), "user_id": message.user_id or user_id},
    )


def events_after(session: Runner, after: int, limit: int) -> list[dict[str, Any]]:
    rows = _EVENTS_AFTER.rows(session, {"after": after, "limit": limit})
    return [_view(row) for row in rows]


def _view(row: tuple[Any, ...]) -> dict[str, Any]:
    view = dict(zip(_VIEW_KEYS, row, strict=False))
    view["raw"] = json.loads(row[-1])
    return view


def inbox_page(
    session: Runner, after: int | None, limit: int
) -> tuple[int, int, list[dict[str, Any]]]:
    """The database's epoch, the cursor read from (default: the last acked) and the events."""
    epoch = counter_value(session, "epoch")
    if after is None:
        after = counter_value(session, "inbox_acked")
    return epoch, after, events_after(session, after, limit)


def counter_value(session: Runner, name: str) -> int:
    return int(_COUNTER.scalar(session, {"name": name}) or 0)


def acknowledge(session: Runner, cursor: int) -> int:
    """Record that the desk durably processed everything up to `cursor`; never moves back."""
    issued = counter_value(session, "inbox")
    if cursor > issued:
        raise AckBeyondCursor(f"cursor {cursor} is beyond the last issued cursor {issued}")
    _RAISE_COUNTER.write(session, {"name": "inbox_acked", "value": cursor})
    return counter_value(session, "inbox_acked")
