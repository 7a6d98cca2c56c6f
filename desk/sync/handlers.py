"""What the sync worker does with each member message, and with the studio between messages.

The worker calls an `EventHandler` inside the event's own transaction; whatever it writes
(bookings, dialog state, replies in the outbox, the inbound row that marks the message
processed) commits together or not at all.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from desk.services import members, messaging
from desk.services.messaging import InboundPayload
from desk.store.types import utcnow

EventHandler = Callable[[Session, InboundPayload], None]
#: Work done once per sync round in its own transaction (e.g. waitlist offers to send).
RoundHook = Callable[[Session], None]

#: Intent recorded on a message the handler could not deal with (a bug, not a refusal).
HANDLER_FAILED = "handler_failed"


def hand_to_reception(session: Session, payload: InboundPayload) -> None:
    """Store the message for the Inbox screen and flag it for staff; no automatic answer."""
    member = members.find_by_whatsapp(session, payload.wa_id) if payload.wa_id else None
    messaging.record_inbound(
        session,
        payload,
        member_id=member.id if member else None,
        intent="handed_to_staff",
        needs_staff=True,
    )


def record_failed(
    session: Session, payload: InboundPayload, *, now: datetime | None = None
) -> None:
    """The handler crashed on this message: keep it (processed, so it cannot loop) for staff."""
    if messaging.already_processed(session, payload.wamid):
        return
    member = members.find_by_whatsapp(session, payload.wa_id) if payload.wa_id else None
    messaging.record_inbound(
        session,
        payload,
        member_id=member.id if member else None,
        now=now or utcnow(),
        intent=HANDLER_FAILED,
        needs_staff=True,
    )


def _assistant(module: str) -> Any:
    try:
        return importlib.import_module(f"desk.assistant.{module}")
    except ImportError:
        return None


def conversation_handler() -> EventHandler:
    """The WhatsApp assistant's handler, or the reception hand-off while it is not installed."""
    conversation = _assistant("conversation")
    if conversation is None:
        return hand_to_reception
    handle: EventHandler = conversation.handle_inbound
    return handle


def waitlist_hook() -> RoundHook | None:
    """Each round: tell members what the waitlist did for them (offers, automatic bookings)."""
    notify_module = _assistant("notify")
    if notify_module is None:
        return None

    def notify(session: Session) -> None:
        notify_module.notify_waitlist(session, now=utcnow())

    return notify
