"""Outbound side of the store: the desk's messages, their send attempts and delivery status.

Status only ever moves forward: sent < delivered < read, and failed / needs_template are
terminal. Meta's statuses arrive out of order and sometimes before our own POST returns, so
every writer merges instead of overwriting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from relay import inbox_store
from relay.db import rowcount
from relay.limits import ButtonsOut, ListOut, TemplateOut, TextOut, graph_payload
from relay.models import OutboundMessage, StatusEvent
from relay.normalize import StatusUpdate

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
    payload: dict[str, Any]
    attempts: int


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


def enqueue(
    session: Session,
    messages: list[TextOut | ButtonsOut | ListOut | TemplateOut],
    now: float,
) -> list[dict[str, Any]]:
    """Insert new keys; a key seen before returns its first result and is never sent again."""
    results = []
    for message in messages:
        row = session.scalar(select(OutboundMessage).where(OutboundMessage.key == message.key))
        if row is None:
            row = _new_row(session, message, now)
            session.add(row)
            session.flush()
        results.append(status_view(row))
    return results


def _new_row(
    session: Session, message: TextOut | ButtonsOut | ListOut | TemplateOut, now: float
) -> OutboundMessage:
    row = OutboundMessage(
        key=message.key,
        to_digits=message.to_digits,
        kind=message.kind,
        payload_json=json.dumps(graph_payload(message), ensure_ascii=False),
        status="queued",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    # Refuse early so the desk can fall back to a template straight away; the sender checks
    # again at send time because the window can close while a message waits.
    if message.kind != "template" and not member_in_window(session, message.to_digits, now):
        row.status = "needs_template"
        row.error_reason = OUTSIDE_WINDOW_REASON
    return row


def member_in_window(session: Session, to_digits: str, now: float) -> bool:
    # Meta may answer with a wa_id that differs from the number we sent to (e.g. Brazil's
    # ninth digit); inbound messages then come from that wa_id.
    aliases = session.scalars(
        select(OutboundMessage.wa_id)
        .where(OutboundMessage.to_digits == to_digits, OutboundMessage.wa_id.is_not(None))
        .distinct()
    )
    keys = [to_digits, *(a for a in aliases if a and a != to_digits)]
    return inbox_store.in_window(session, keys, now)


def status_view(row: OutboundMessage) -> dict[str, Any]:
    error = None
    if row.error_code is not None or row.error_reason:
        error = {"code": row.error_code, "reason": row.error_reason}
    return {
        "key": row.key,
        # "sending" is an internal claim; to the desk the message is still waiting.
        "status": "queued" if row.status == "sending" else row.status,
        "wamid": row.wamid,
        "wa_id": row.wa_id,
        "kind": row.kind,
        "attempts": row.attempts,
        "error": error,
        "updated_at": row.updated_at,
    }


def statuses(session: Session, keys: list[str]) -> dict[str, dict[str, Any]]:
    rows = session.scalars(select(OutboundMessage).where(OutboundMessage.key.in_(keys)))
    return {row.key: status_view(row) for row in rows}


def queued_heads(session: Session, now: float, limit: int) -> tuple[list[SendJob], float | None]:
    """The oldest queued message of each recipient, if due, plus the next time one falls due.

    Only the head of each recipient's queue is eligible so a conversation keeps its order even
    when an earlier message is backing off."""
    rows = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.status.in_(("queued", "sending")))
        .order_by(OutboundMessage.id)
        .limit(limit)
    )
    heads: dict[str, OutboundMessage] = {}
    for row in rows:
        heads.setdefault(row.to_digits, row)
    due, next_due = [], None
    for row in heads.values():
        if row.status != "queued":
            continue  # in flight: its recipient waits for the answer
        if row.next_attempt_at <= now:
            due.append(_job(row))
        elif next_due is None or row.next_attempt_at < next_due:
            next_due = row.next_attempt_at
    return due, next_due


def _job(row: OutboundMessage) -> SendJob:
    return SendJob(
        id=row.id,
        key=row.key,
        to_digits=row.to_digits,
        kind=row.kind,
        payload=json.loads(row.payload_json),
        attempts=row.attempts,
    )


def claim(session: Session, job_id: int, now: float) -> bool:
    """Mark a queued row as in flight; False if someone else moved it first."""
    result = session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == job_id, OutboundMessage.status == "queued")
        .values(status="sending", attempts=OutboundMessage.attempts + 1, updated_at=now)
    )
    return rowcount(result) == 1


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


def record_sent(session: Session, job_id: int, wamid: str, wa_id: str | None, now: float) -> None:
    row = session.get(OutboundMessage, job_id)
    if row is None:
        return
    row.wamid = row.wamid or wamid
    row.wa_id = wa_id or row.wa_id
    _advance(row, "sent", None, None, now)
    # Statuses that raced ahead of our POST's answer were parked by wamid.
    early = session.scalars(select(StatusEvent).where(StatusEvent.wamid == wamid))
    for event in early:
        _advance(row, event.status, event.error_code, event.error_reason, now)


def record_outcome(
    session: Session,
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
    row = session.get(OutboundMessage, job_id)
    if row is None or row.status not in ("sending", "queued"):
        return
    row.status = status
    row.error_code = code
    row.error_reason = reason
    row.updated_at = now
    if retry_at is not None:
        row.next_attempt_at = retry_at


def apply_status(session: Session, update_: StatusUpdate, now: float) -> bool:
    """Record a webhook status once and move the matching outbound row forward."""
    duplicate = select(StatusEvent.id).where(
        StatusEvent.wamid == update_.wamid, StatusEvent.status == update_.status
    )
    if session.scalar(duplicate) is not None:
        return False
    session.add(
        StatusEvent(
            wamid=update_.wamid,
            status=update_.status,
            recipient_id=update_.recipient_id,
            callback_data=update_.callback_data,
            error_code=update_.error_code,
            error_reason=update_.error_reason,
            wa_timestamp=update_.timestamp,
            received_at=now,
        )
    )
    row = _row_for_status(session, update_)
    if row is not None:
        row.wamid = row.wamid or update_.wamid
        _advance(row, update_.status, update_.error_code, update_.error_reason, now)
    session.flush()
    return True


def _row_for_status(session: Session, update_: StatusUpdate) -> OutboundMessage | None:
    row = session.scalar(select(OutboundMessage).where(OutboundMessage.wamid == update_.wamid))
    if row is not None or not update_.callback_data:
        return row
    row = session.scalar(
        select(OutboundMessage).where(OutboundMessage.key == update_.callback_data)
    )
    if row is not None and row.wamid not in (None, update_.wamid):
        return None  # the key names a different message; trust the wamid we stored
    return row


def _advance(
    row: OutboundMessage, incoming: str, code: int | None, reason: str | None, now: float
) -> None:
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
