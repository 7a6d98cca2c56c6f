"""What the sync worker does with each member message, and with the studio between messages.

The worker calls an `EventHandler` inside the event's own transaction; whatever it writes
(bookings, dialog state, replies in the outbox, the inbound row that marks the message
processed) commits together or not at all. By default that is the WhatsApp assistant
(`desk.assistant.conversation.handle_inbound`), and each round tells members what the waitlist
did for them (`desk.assistant.notify.notify_waitlist`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from desk.services import members, messaging
from desk.services.messaging import InboundPayload
from desk.store.types import utcnow

EventHandler = Callable[[Session, InboundPayload], None]
#: Work done once per sync round in its own transaction (e.g. waitlist offers to send).
RoundHook = Callable[[Session], None]

#: Intent recorded on a message the handler could not deal with (a bug, not a refusal).
HANDLER_FAILED = "handler_failed"


def record_failed(
    session: Session, payload: InboundPayload, *, now: datetime | None = None
) -> None:
    """The handler crashed on this message: keep it (processed, so it cannot loop) for staff."""
    if messaging.already_processed(session, payload.wamid):
        return
    member = members.find_by_whatsapp(session, payload.wa_id) if payload.wa_id else None
    messaging.record_inbound(
        session,
        storable(payload),
        member_id=member.id if member else None,
        now=now or utcnow(),
        intent=HANDLER_FAILED,
        needs_staff=True,
    )


def _text(value: str) -> str:
    # Lone surrogates (broken emoji halves) cannot be stored as UTF-8.
    return value.encode("utf-8", "replace").decode("utf-8")


def storable(payload: InboundPayload) -> InboundPayload:
    """The payload with every string safe to store, whatever the member's phone sent."""
    raw = json.loads(json.dumps(dict(payload.raw or {}), ensure_ascii=True, default=str))
    return replace(
        payload,
        wa_id=_text(payload.wa_id),
        text=_text(payload.text),
        reply_id=_text(payload.reply_id),
        profile_name=_text(payload.profile_name),
        raw=raw,
    )


def conversation_handler() -> EventHandler:
    """The WhatsApp assistant: understands the member, acts for them, queues the replies."""

    def handle(session: Session, payload: InboundPayload) -> None:
        # Imported here: the assistant (and dateparser) load on the sync thread, not at start.
        from desk.assistant.conversation import handle_inbound

        handle_inbound(session, payload)

    return handle


def waitlist_hook() -> RoundHook:
    """Each round: tell members what the waitlist did for them (offers, automatic bookings)."""

    def notify(session: Session) -> None:
        from desk.assistant.notify import notify_waitlist

        notify_waitlist(session, now=utcnow())

    return notify
