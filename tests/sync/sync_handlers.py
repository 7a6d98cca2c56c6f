"""Stand-in conversation handlers for the sync tests (no assistant needed).

`echo_handler` does what a real handler does, in the event's own transaction: records the
inbound row (the processed mark), makes one effect (an audit row keyed by the wamid) and queues
one deterministic reply whose key is derived from the wamid.
"""

from __future__ import annotations

import hashlib
import os
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.services import audit, members, messaging
from desk.services.actor import Actor
from desk.services.messaging import InboundPayload
from desk.store.models import AuditEntry

EFFECT = "test.effect"
#: Seconds the handler dawdles inside its transaction (widens the crash windows).
DELAY_ENV = "SYNC_TEST_HANDLER_DELAY"


def reply_key(wamid: str) -> str:
    return "echo-" + hashlib.sha256(wamid.encode()).hexdigest()[:24]


def reply_text(payload: InboundPayload) -> str:
    return f"You said: {payload.text}"[:4000] or "You said nothing"


def echo_handler(session: Session, payload: InboundPayload) -> None:
    member = members.find_by_whatsapp(session, payload.wa_id)
    event = messaging.record_inbound(session, payload, member_id=member.id if member else None)
    audit.record(
        session,
        Actor.whatsapp(payload.wa_id),
        EFFECT,
        "inbound_event",
        event.id,
        wamid=payload.wamid,
    )
    delay = float(os.environ.get(DELAY_ENV, "0") or 0)
    if delay:
        time.sleep(delay)
    messaging.enqueue(
        session,
        to_wa_id=payload.wa_id,
        body={"kind": "text", "text": reply_text(payload)},
        preview=reply_text(payload),
        member_id=member.id if member else None,
        inbound_event_id=event.id,
        key=reply_key(payload.wamid),
    )


def effects_by_wamid(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(AuditEntry.detail, func.count())
        .where(AuditEntry.action == EFFECT)
        .group_by(AuditEntry.detail)
    ).all()
    import json

    return {json.loads(detail)["wamid"]: count for detail, count in rows}
