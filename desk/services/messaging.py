"""The desk's side of WhatsApp: inbound events (deduped by wamid), the outbox, dialog state.

An inbound event, the effects it causes and the replies it queues commit in one transaction with
the event row itself, whose unique wamid is the "processed" mark. So a crash before commit leaves
nothing behind, and a redelivered event after commit is recognised and does nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from desk.domain.enums import MessageKind, OutboxStatus
from desk.store.models import DialogState, InboundEvent, OutboxMessage, SyncState
from desk.store.prepared import Prepared, prepared_insert
from desk.store.types import utcnow

#: Order of delivery states; a status never moves backwards, FAILED is terminal.
_RANK = {
    OutboxStatus.PENDING: 0,
    OutboxStatus.QUEUED: 1,
    OutboxStatus.UNKNOWN: 1,
    OutboxStatus.SENT: 2,
    OutboxStatus.DELIVERED: 3,
    OutboxStatus.READ: 4,
}
FINAL_STATUSES = frozenset({OutboxStatus.READ, OutboxStatus.FAILED, OutboxStatus.NEEDS_TEMPLATE})


@dataclass(frozen=True)
class InboundPayload:
    """A member's message as the relay hands it over."""

    wamid: str
    wa_id: str
    message_type: str
    text: str = ""
    reply_id: str = ""
    profile_name: str = ""
    cursor: int | None = None
    received_at: datetime | None = None
    raw: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class OutboxItem:
    key: str
    to_wa_id: str
    kind: MessageKind
    body: dict[str, Any]
    status: OutboxStatus


#: session.info key: wamids recorded by this session (the sync worker's batch asks, not SQL).
_RECORDED = "messaging.recorded_wamids"


def already_processed(session: Session, wamid: str) -> bool:
    if wamid in session.info.get(_RECORDED, ()):
        return True
    found = session.scalar(select(InboundEvent.id).where(InboundEvent.wamid == wamid))
    return found is not None


def processed_among(session: Session, wamids: Iterable[str]) -> set[str]:
    """Which of `wamids` were processed already: one statement for a whole page of events."""
    wanted = list(dict.fromkeys(wamids))
    if not wanted:
        return set()
    found = session.scalars(select(InboundEvent.wamid).where(InboundEvent.wamid.in_(wanted)))
    return set(found)


def recorded_here(session: Session, wamid: str) -> bool:
    """Whether this session stored the event row for `wamid` (flushed, not yet committed)."""
    return wamid in session.info.get(_RECORDED, ())


def _inbound_row(
    payload: InboundPayload,
    *,
    member_id: int | None,
    now: datetime,
    intent: str,
    needs_staff: bool,
) -> dict[str, Any]:
    return {
        "wamid": payload.wamid,
        "relay_cursor": payload.cursor,
        "wa_id": payload.wa_id,
        "member_id": member_id,
        "profile_name": payload.profile_name[:120],
        "message_type": payload.message_type[:32],
        "text": payload.text,
        "reply_id": payload.reply_id[:256],
        "payload": json.dumps(dict(payload.raw or {}), ensure_ascii=False, default=str),
        "received_at": payload.received_at or now,
        "processed_at": now,
        "intent": intent[:40],
        "needs_staff": needs_staff,
    }


def record_inbound(
    session: Session,
    payload: InboundPayload,
    *,
    member_id: int | None,
    now: datetime | None = None,
    intent: str = "",
    needs_staff: bool = False,
) -> InboundEvent:
    """Store the event row; the caller checked `already_processed` in this same transaction."""
    event_id = store_inbound(
        session,
        payload,
        member_id=member_id,
        now=now or utcnow(),
        intent=intent,
        needs_staff=needs_staff,
    )
    event = session.get(InboundEvent, event_id)
    assert event is not None  # just inserted in this transaction
    return event


_INBOUND = cast(Table, InboundEvent.__table__)
_OUTBOX = cast(Table, OutboxMessage.__table__)
_DIALOGS = cast(Table, DialogState.__table__)
# The sync path writes an event, its replies and a dialog row per message: compiled once, run
# on the transaction's connection (desk.store.prepared). The callers flush ORM changes first.
_INSERT_INBOUND = prepared_insert(_INBOUND, returning=_INBOUND.c.id)
_INSERT_OUTBOX = prepared_insert(_OUTBOX)
_INSERT_DIALOG = prepared_insert(_DIALOGS, with_key=True)
_UPDATE_DIALOG = Prepared(
    update(_DIALOGS)
    .where(_DIALOGS.c.wa_id == bindparam("wa_id"))
    .values({c.name: bindparam(c.name, type_=c.type) for c in _DIALOGS.c if not c.primary_key})
)
_DIALOG = Prepared(
    select(_DIALOGS.c.state, _DIALOGS.c.language, _DIALOGS.c.expires_at).where(
        _DIALOGS.c.wa_id == bindparam("wa_id")
    )
)


def store_inbound(
    session: Session,
    payload: InboundPayload,
    *,
    member_id: int | None,
    now: datetime,
    intent: str,
    needs_staff: bool,
) -> int:
    """`record_inbound` for the sync path: the row's id, without building an ORM object."""
    row = _inbound_row(
        payload, member_id=member_id, now=now, intent=intent, needs_staff=needs_staff
    )
    session.flush()  # written beside the ORM: earlier changes go first
    event_id: int = _INSERT_INBOUND.scalar(
        session, {**row, "staff_read_at": None, "created_at": now}
    )
    session.info.setdefault(_RECORDED, set()).add(payload.wamid)
    return event_id


def enqueue(
    session: Session,
    *,
    to_wa_id: str,
    body: Mapping[str, Any],
    preview: str,
    member_id: int | None = None,
    inbound_event_id: int | None = None,
    created_by: int | None = None,
    key: str | None = None,
    now: datetime | None = None,
) -> str:
    """Queue a message for the relay. The key makes re-pushing it harmless."""
    kind = MessageKind(body["kind"])
    key = key or f"desk-{uuid.uuid4().hex}"
    row = {
        "key": key,
        "member_id": member_id,
        "to_wa_id": to_wa_id,
        "kind": kind,
        "body": json.dumps(dict(body), ensure_ascii=False),
        "preview": preview[:2000],
        "status": OutboxStatus.PENDING,
        "wamid": None,
        "error_code": None,
        "error_reason": "",
        "inbound_event_id": inbound_event_id,
        "created_by": created_by,
        "pushed_at": None,
        "updated_at": None,
        "created_at": now or utcnow(),
    }
    session.flush()  # the row is written beside the ORM: earlier changes go first
    _INSERT_OUTBOX.write(session, row)
    return key


def _item(row: OutboxMessage) -> OutboxItem:
    return OutboxItem(
        key=row.key,
        to_wa_id=row.to_wa_id,
        kind=row.kind,
        body=json.loads(row.body),
        status=row.status,
    )


def unpushed(session: Session, *, limit: int = 50) -> list[OutboxItem]:
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return [_item(r) for r in rows]


def outbox_status(session: Session, key: str) -> OutboxStatus | None:
    return session.scalar(select(OutboxMessage.status).where(OutboxMessage.key == key))


def awaiting_status(
    session: Session, *, limit: int = 100, since: datetime | None = None
) -> list[str]:
    """Keys pushed to the relay whose delivery is not final yet, newest first.

    "delivered" and "read" may never come, so rows can stay unsettled for good; newest first
    (and `since`, a horizon) keep those old rows from crowding out the messages that matter.
    """
    query = select(OutboxMessage.key).where(
        OutboxMessage.status.not_in([OutboxStatus.PENDING, *FINAL_STATUSES])
    )
    if since is not None:
        query = query.where(OutboxMessage.created_at >= since)
    keys = session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit))
    return list(keys)


def waiting_count(session: Session) -> int:
    """Messages written on the desk that the relay has not taken yet."""
    count = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    return int(count or 0)


LOST_REASON = "The relay lost track of this message; it may not have reached the member."


def mark_lost(session: Session, keys: Iterable[str], *, now: datetime | None = None) -> int:
    """The relay no longer knows these keys (its database was lost).

    A message it had only queued may or may not have gone out before the loss; sending it
    again could make the member read it twice, so it becomes UNKNOWN for staff to judge,
    exactly like a send that timed out.
    """
    wanted = list(keys)
    if not wanted:
        return 0
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.key.in_(wanted), OutboxMessage.status == OutboxStatus.QUEUED
        )
    )
    moved = 0
    for row in rows:
        row.status = OutboxStatus.UNKNOWN
        row.error_reason = LOST_REASON
        row.updated_at = now or utcnow()
        moved += 1
    session.flush()
    return moved


@dataclass(frozen=True)
class DeliveryUpdate:
    key: str
    status: OutboxStatus
    wamid: str | None = None
    error_code: int | None = None
    error_reason: str = ""


def apply_delivery(
    session: Session, updates: Iterable[DeliveryUpdate], *, now: datetime | None = None
) -> int:
    """Move outbox rows forward (never backwards; failed and needs_template are terminal)."""
    now = now or utcnow()
    changed = 0
    by_key = {u.key: u for u in updates}
    if not by_key:
        return 0
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.key.in_(by_key)))
    for row in rows:
        update = by_key[row.key]
        if not _moves_forward(row.status, update.status):
            continue
        row.status = update.status
        row.wamid = update.wamid or row.wamid
        row.error_code = update.error_code
        row.error_reason = update.error_reason[:300]
        row.updated_at = now
        if row.pushed_at is None:
            row.pushed_at = now
        changed += 1
    session.flush()
    return changed


def _moves_forward(current: OutboxStatus, new: OutboxStatus) -> bool:
    if current in (OutboxStatus.FAILED, OutboxStatus.NEEDS_TEMPLATE) or current == new:
        return False
    if new in (OutboxStatus.FAILED, OutboxStatus.NEEDS_TEMPLATE):
        return True
    return _RANK.get(new, 0) > _RANK.get(current, 0)


@dataclass(frozen=True)
class Dialog:
    wa_id: str
    state: dict[str, Any]
    language: str
    #: False when no row exists for this wa_id yet: saving inserts without trying an update.
    stored: bool = True


def load_dialog(session: Session, wa_id: str, *, now: datetime | None = None) -> Dialog:
    """The member's conversation state; an expired one reads as a fresh start."""
    now = now or utcnow()
    session.flush()
    row = _DIALOG.first(session, {"wa_id": wa_id})
    if row is None:
        return Dialog(wa_id=wa_id, state={}, language="en", stored=False)
    state, language, expires_at = row
    if expires_at <= now:
        return Dialog(wa_id=wa_id, state={}, language=language)
    return Dialog(wa_id=wa_id, state=json.loads(state), language=language)


def save_dialog(
    session: Session,
    dialog: Dialog,
    *,
    member_id: int | None,
    ttl: timedelta = timedelta(minutes=30),
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    values = {
        "member_id": member_id,
        "state": json.dumps(dialog.state, ensure_ascii=False, default=str),
        "language": dialog.language,
        "expires_at": now + ttl,
        "updated_at": now,
    }
    session.flush()  # written beside the ORM: earlier changes go first
    values["wa_id"] = dialog.wa_id
    if dialog.stored and _UPDATE_DIALOG.write(session, values):
        return
    _INSERT_DIALOG.write(session, values)


def _sync_row(session: Session) -> SyncState:
    row = session.get(SyncState, 1)
    if row is None:
        row = SyncState(id=1, inbox_cursor=0)
        session.add(row)
        session.flush()
    return row


def _read_sync_row(session: Session) -> SyncState:
    """Reads must not insert: a write inside a deferred read transaction can fail at once with
    "database is locked" instead of waiting. A missing row reads as a fresh start."""
    return session.get(SyncState, 1) or SyncState(id=1, inbox_cursor=0, last_error="")


def inbox_cursor(session: Session) -> int:
    return _read_sync_row(session).inbox_cursor


def relay_epoch(session: Session) -> int | None:
    """The epoch of the relay database our cursor belongs to (None before the first page)."""
    return _read_sync_row(session).relay_epoch


def advance_cursor(session: Session, cursor: int, *, epoch: int | None = None) -> None:
    """Only ever forward: an old page replayed after a crash must not rewind the cursor."""
    row = _sync_row(session)
    row.inbox_cursor = max(row.inbox_cursor, cursor)
    if epoch is not None:
        row.relay_epoch = epoch
    session.flush()


def rewind_cursor(session: Session, cursor: int, *, epoch: int | None = None) -> None:
    """Start reading the relay's inbox from `cursor` again (the relay was reset; `epoch` is
    its new identity).

    Safe because every event is deduplicated by wamid: replayed events do nothing.
    """
    row = _sync_row(session)
    row.inbox_cursor = max(cursor, 0)
    if epoch is not None:
        row.relay_epoch = epoch
    session.flush()


def record_sync_outcome(session: Session, *, error: str = "", now: datetime | None = None) -> None:
    row = _sync_row(session)
    row.last_error = error[:300]
    if not error:
        row.last_sync_at = now or utcnow()
    session.flush()


@dataclass(frozen=True)
class SyncSummary:
    cursor: int
    last_sync_at: datetime | None
    last_error: str
    waiting: int


def sync_summary(session: Session) -> SyncSummary:
    row = _read_sync_row(session)
    return SyncSummary(row.inbox_cursor, row.last_sync_at, row.last_error, waiting_count(session))


def parse_relay_time(value: Any) -> datetime | None:
    """Relay timestamps are Unix seconds (as WhatsApp sends them)."""
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None
