"""Outbound side of the store: the desk's messages, their send attempts and delivery status.

Status only ever moves forward: sent < delivered < read, and failed / needs_template are
terminal. Meta's statuses arrive out of order and sometimes before our own POST returns, so
every writer merges instead of overwriting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from relay.db import rowcount
from relay.inbox_store import WINDOW_SAFETY_SECONDS, WINDOW_SECONDS
from relay.limits import ButtonsOut, ListOut, TemplateOut, TextOut, graph_payload
from relay.models import Member, OutboundMessage, StatusEvent
from relay.normalize import StatusUpdate
from relay.prepared import Prepared, Runner

RANK = {"queued": 0, "sending": 0, "unknown": 0, "sent": 1, "delivered": 2, "read": 3}
TERMINAL = frozenset({"failed", "needs_template"})
FINISHED = frozenset({"sent", "delivered", "read", "unknown"}) | TERMINAL
OUTSIDE_WINDOW = 131047
OUTSIDE_WINDOW_REASON = "outside the 24-hour window: only a template can be sent"


@dataclass(frozen=True)
class SendJob:
    id: int
    key: str
    to_digits: str
    kind: str
    payload_json: str
    attempts: int

    @property
    def payload(self) -> dict[str, Any]:
        # Parsed by the worker that sends it: a round reads many heads and starts only a few.
        payload: dict[str, Any] = json.loads(self.payload_json)
        return payload


def merge_status(current: str, incoming: str, error_code: int | None = None) -> str | None:
    """The status a row should move to when `incoming` is reported, or None to keep it."""
    if current in TERMINAL:
        return None
    if incoming == "played":  # a voice message was played: as good as read
        incoming = "read"
    if incoming == "failed":
        # Failed wins over any progress so the outcome never depends on arrival order.
        return "needs_template" if error_code == OUTSIDE_WINDOW else "failed"
    if incoming in RANK and RANK[incoming] > RANK[current]:
        return incoming
    return None


_ROW_COLUMNS = (
    OutboundMessage.id,
    OutboundMessage.status,
    OutboundMessage.wamid,
    OutboundMessage.wa_id,
    OutboundMessage.error_code,
    OutboundMessage.error_reason,
    OutboundMessage.updated_at,
)
_VIEW_COLUMNS = (
    OutboundMessage.key,
    OutboundMessage.status,
    OutboundMessage.wamid,
    OutboundMessage.wa_id,
    OutboundMessage.kind,
    OutboundMessage.attempts,
    OutboundMessage.error_code,
    OutboundMessage.error_reason,
    OutboundMessage.updated_at,
)
_VIEW_BY_KEY = Prepared(select(*_VIEW_COLUMNS).where(OutboundMessage.key == bindparam("key")))
_ADD = Prepared(
    insert(OutboundMessage).values(
        {
            column: bindparam(column.key)
            for column in OutboundMessage.__table__.columns
            if column.key not in ("id", "wamid", "wa_id", "error_code")
        }
    )
)
# Meta may answer with a wa_id that differs from the number we sent to (e.g. Brazil's ninth
# digit); inbound messages then come from that wa_id, so it counts for the window too.
_ALIASES = (
    select(OutboundMessage.wa_id)
    .where(
        OutboundMessage.to_digits == bindparam("to"),
        OutboundMessage.wa_id.is_not(None),
        OutboundMessage.wa_id != "",
    )
    .scalar_subquery()
)
_LAST_INBOUND = Prepared(
    select(func.max(Member.last_inbound_at)).where(
        or_(Member.member_key == bindparam("to"), Member.member_key.in_(_ALIASES))
    )
)
_WAITING = or_(OutboundMessage.status == "queued", OutboundMessage.status == "sending")
_QUEUED = Prepared(
    select(
        OutboundMessage.id,
        OutboundMessage.key,
        OutboundMessage.to_digits,
        OutboundMessage.kind,
        OutboundMessage.payload_json,
        OutboundMessage.attempts,
        OutboundMessage.status,
        OutboundMessage.next_attempt_at,
    )
    .where(_WAITING)
    .order_by(OutboundMessage.id)
    .limit(bindparam("limit", type_=Integer))
)
_CLAIM = Prepared(
    update(OutboundMessage)
    .where(OutboundMessage.id == bindparam("job_id"), OutboundMessage.status == "queued")
    .values(status="sending", attempts=OutboundMessage.attempts + 1, updated_at=bindparam("now"))
)
_ROW_BY_ID = Prepared(select(*_ROW_COLUMNS).where(OutboundMessage.id == bindparam("row_id")))
_ROW_BY_WAMID = Prepared(select(*_ROW_COLUMNS).where(OutboundMessage.wamid == bindparam("wamid")))
_ROW_BY_KEY = Prepared(select(*_ROW_COLUMNS).where(OutboundMessage.key == bindparam("key")))
_SAVE_ROW = Prepared(
    update(OutboundMessage)
    .where(OutboundMessage.id == bindparam("row_id"))
    .values({column: bindparam(column.key) for column in _ROW_COLUMNS[1:]})
)
_SETTLE = Prepared(
    update(OutboundMessage)
    .where(OutboundMessage.id == bindparam("row_id"), _WAITING)
    .values(
        status=bindparam("status"),
        error_code=bindparam("error_code"),
        error_reason=bindparam("error_reason"),
        updated_at=bindparam("now"),
        next_attempt_at=func.coalesce(bindparam("retry_at"), OutboundMessage.next_attempt_at),
    )
)
_EARLY_STATUSES = Prepared(
    select(StatusEvent.status, StatusEvent.error_code, StatusEvent.error_reason)
    .where(StatusEvent.wamid == bindparam("wamid"))
    .order_by(StatusEvent.id)
)
_STATUS_SEEN = Prepared(
    select(StatusEvent.id).where(
        StatusEvent.wamid == bindparam("wamid"), StatusEvent.status == bindparam("status")
    )
)
_ADD_STATUS = Prepared(
    insert(StatusEvent).values(
        {
            column: bindparam(column.key)
            for column in StatusEvent.__table__.columns
            if column.key != "id"
        }
    )
)


@dataclass
class _Row:
    """What status merging reads and writes of an outbound row."""

    id: int
    status: str
    wamid: str | None
    wa_id: str | None
    error_code: int | None
    error_reason: str | None
    updated_at: float

    def save(self, session: Runner) -> None:
        _SAVE_ROW.write(
            session,
            {
                "row_id": self.id,
                "status": self.status,
                "wamid": self.wamid,
                "wa_id": self.wa_id,
                "error_code": self.error_code,
                "error_reason": self.error_reason,
                "updated_at": self.updated_at,
            },
        )


def _row(found: tuple[Any, ...] | None) -> _Row | None:
    return None if found is None else _Row(*found)


def enqueue(
    session: Runner,
    messages: list[TextOut | ButtonsOut | ListOut | TemplateOut],
    now: float,
) -> list[dict[str, Any]]:
    """Insert new keys; a key seen before returns its first result and is never sent again."""
    results = []
    for message in messages:
        known = _VIEW_BY_KEY.first(session, {"key": message.key})
        results.append(_view(known) if known is not None else _add(session, message, now))
    return results


def _add(
    session: Runner, message: TextOut | ButtonsOut | ListOut | TemplateOut, now: float
) -> dict[str, Any]:
    status, reason = "queued", None
    # Refuse early so the desk can fall back to a template straight away; the sender checks
    # again at send time because the window can close while a message waits.
    if message.kind != "template" and not member_in_window(session, message.to_digits, now):
        status, reason = "needs_template", OUTSIDE_WINDOW_REASON
    values = {
        "key": message.key,
        "to_digits": message.to_digits,
        "kind": message.kind,
        "payload_json": json.dumps(graph_payload(message), ensure_ascii=False),
        "status": status,
        "error_reason": reason,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }
    _ADD.write(session, values)
    return _view((message.key, status, None, None, message.kind, 0, None, reason, now))


def member_in_window(session: Runner, to_digits: str, now: float) -> bool:
    last = _LAST_INBOUND.scalar(session, {"to": to_digits})
    return last is not None and last > now - WINDOW_SECONDS + WINDOW_SAFETY_SECONDS


def _view(row: tuple[Any, ...]) -> dict[str, Any]:
    key, status, wamid, wa_id, kind, attempts, error_code, error_reason, updated_at = row
    error = None
    if error_code is not None or error_reason:
        error = {"code": error_code, "reason": error_reason}
    return {
        "key": key,
        # "sending" is an internal claim; to the desk the message is still waiting.
        "status": "queued" if status == "sending" else status,
        "wamid": wamid,
        "wa_id": wa_id,
        "kind": kind,
        "attempts": attempts,
        "error": error,
        "updated_at": updated_at,
    }


def statuses(session: Runner, keys: list[str]) -> dict[str, dict[str, Any]]:
    # One short statement per key (a few us each) beats rendering an IN list per call.
    found = {}
    for key in keys:
        row = _VIEW_BY_KEY.first(session, {"key": key})
        if row is not None:
            found[key] = _view(row)
    return found


def queued_heads(session: Runner, now: float, limit: int) -> tuple[list[SendJob], float | None]:
    """The oldest queued message of each recipient, if due, plus the next time one falls due.

    Only the head of each recipient's queue is eligible so a conversation keeps its order even
    when an earlier message is backing off."""
    heads: dict[str, tuple[Any, ...]] = {}
    for row in _QUEUED.rows(session, {"limit": limit}):
        heads.setdefault(row[2], row)
    due, next_due = [], None
    for row_id, key, to_digits, kind, payload_json, attempts, status, next_at in heads.values():
        if status != "queued":
            continue  # in flight: its recipient waits for the answer
        if next_at <= now:
            due.append(SendJob(row_id, key, to_digits, kind, payload_json, attempts))
        elif next_due is None or next_at < next_due:
            next_due = next_at
    return due, next_due


def claim(session: Runner, job_id: int, now: float) -> bool:
    """Mark a queued row as in flight; False if someone else moved it first."""
    return _CLAIM.write(session, {"job_id": job_id, "now": now}) == 1


def unclaim(session: Session, job_id: int, now: float) -> None:
    """Give back a claim whose request was never made."""
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == job_id, OutboundMessage.status == "sending")
        .values(status="queued", attempts=OutboundMessage.attempts - 1, updated_at=now)
    )


def count_in_flight(session: Session) -> int:
    return len(
        session.scalars(select(OutboundMessage.id).where(OutboundMessage.status == "sending")).all()
    )


def release_in_flight(session: Session, now: float, older_than: float | None = None) -> int:
    """Rows left "sending" by a crash (or a failed write) may or may not have reached Meta."""
    stale = OutboundMessage.status == "sending"
    if older_than is not None:
        stale = stale & (OutboundMessage.updated_at < older_than)
    result = session.execute(
        update(OutboundMessage).where(stale).values(status="unknown", updated_at=now)
    )
    return rowcount(result)


def record_sent(session: Runner, job_id: int, wamid: str, wa_id: str | None, now: float) -> None:
    row = _row(_ROW_BY_ID.first(session, {"row_id": job_id}))
    if row is None:
        return
    row.wamid = row.wamid or wamid
    row.wa_id = wa_id or row.wa_id
    _advance(row, "sent", None, None, now)
    # Statuses that raced ahead of our POST's answer were parked by wamid.
    for status, code, reason in _EARLY_STATUSES.rows(session, {"wamid": wamid}):
        _advance(row, status, code, reason, now)
    row.save(session)


def record_outcome(
    session: Runner,
    job_id: int,
    status: str,
    now: float,
    *,
    code: int | None = None,
    reason: str | None = None,
    retry_at: float | None = None,
) -> None:
    """Settle an in-flight row: back to queued for a retry, or unknown/failed/needs_template.

    Ignored when a webhook status already moved the row on (it knows better than we do)."""
    _SETTLE.write(
        session,
        {
            "row_id": job_id,
            "status": status,
            "error_code": code,
            "error_reason": reason,
            "now": now,
            "retry_at": retry_at,
        },
    )


def apply_status(session: Runner, update_: StatusUpdate, now: float) -> bool:
    """Record a webhook status once and move the matching outbound row forward."""
    seen = _STATUS_SEEN.first(session, {"wamid": update_.wamid, "status": update_.status})
    if seen is not None:
        return False
    _ADD_STATUS.write(
        session,
        {
            "wamid": update_.wamid,
            "status": update_.status,
            "recipient_id": update_.recipient_id,
            "callback_data": update_.callback_data,
            "error_code": update_.error_code,
            "error_reason": update_.error_reason,
            "wa_timestamp": update_.timestamp,
            "received_at": now,
        },
    )
    row = _row_for_status(session, update_)
    if row is not None:
        row.wamid = row.wamid or update_.wamid
        _advance(row, update_.status, update_.error_code, update_.error_reason, now)
        row.save(session)
    return True


def _row_for_status(session: Runner, update_: StatusUpdate) -> _Row | None:
    row = _row(_ROW_BY_WAMID.first(session, {"wamid": update_.wamid}))
    if row is not None or not update_.callback_data:
        return row
    row = _row(_ROW_BY_KEY.first(session, {"key": update_.callback_data}))
    if row is not None and row.wamid not in (None, update_.wamid):
        return None  # the key names a different message; trust the wamid we stored
    return row


def _advance(row: _Row, incoming: str, code: int | None, reason: str | None, now: float) -> None:
    new_status = merge_status(row.status, incoming, code)
    if new_status is None:
        return
    row.status = new_status
    row.updated_at = now
    if new_status in TERMINAL:
        row.error_code = code
        row.error_reason = reason
    else:
        row.error_code = row.error_reason = None
