"""What staff do in the WhatsApp Inbox: read a conversation, clear the hand-over flag, reply.

A staff reply goes through the same outbox as everything the assistant sends, so the sync
worker delivers it with the same exactly-once guarantees. WhatsApp only lets the studio write
free-form within 24 hours of the member's last message; after that, staff must call.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from desk.domain.enums import StaffRole
from desk.domain.errors import InvalidInput, NotAllowed
from desk.services import audit, members, messaging
from desk.services.actor import Actor
from desk.store.models import InboundEvent
from desk.store.types import utcnow

#: WhatsApp lets the studio write freely for this long after the member's last message.
WINDOW = timedelta(hours=24)
TEXT_MAX = 4096
STAFF_ROLES = (StaffRole.OWNER, StaffRole.RECEPTION)


def last_inbound_at(session: Session, wa_id: str) -> datetime | None:
    return session.scalar(
        select(func.max(InboundEvent.received_at)).where(InboundEvent.wa_id == wa_id)
    )


def window_closes_at(session: Session, *, wa_id: str, now: datetime) -> datetime | None:
    """Until when staff may write free-form to this number (None: the window is closed)."""
    last_in = last_inbound_at(session, wa_id)
    return last_in + WINDOW if last_in is not None and last_in + WINDOW > now else None


def mark_read(session: Session, *, wa_id: str, actor: Actor, now: datetime | None = None) -> int:
    """Staff opened the conversation: its messages are read. Returns how many were unread."""
    actor.require(*STAFF_ROLES, doing="read WhatsApp conversations")
    now = now or utcnow()
    rows = _messages(session, wa_id, InboundEvent.staff_read_at.is_(None))
    for row in rows:
        row.staff_read_at = now
    return _recorded(session, actor, "inbox.read", wa_id=wa_id, changed=len(rows), now=now)


def clear_needs_staff(
    session: Session, *, wa_id: str, actor: Actor, now: datetime | None = None
) -> int:
    """Staff dealt with what the assistant handed over: the flag goes, the messages stay."""
    actor.require(*STAFF_ROLES, doing="handle WhatsApp conversations")
    now = now or utcnow()
    rows = _messages(session, wa_id, InboundEvent.needs_staff.is_(True))
    for row in rows:
        row.needs_staff = False
    return _recorded(session, actor, "inbox.handled", wa_id=wa_id, changed=len(rows), now=now)


def _messages(session: Session, wa_id: str, which: ColumnElement[bool]) -> list[InboundEvent]:
    return list(
        session.scalars(select(InboundEvent).where(InboundEvent.wa_id == wa_id, which)).all()
    )


def _recorded(
    session: Session, actor: Actor, action: str, *, wa_id: str, changed: int, now: datetime
) -> int:
    """Audit a change to `changed` messages of one conversation (nothing when none changed)."""
    if changed:
        audit.record(
            session, actor, action, "conversation", None, now=now, wa_id=wa_id, messages=changed
        )
    session.flush()
    return changed


def staff_reply(
    session: Session, *, wa_id: str, text: str, actor: Actor, now: datetime | None = None
) -> str:
    """Queue a message from the desk to the member; the sync worker sends it. Returns its key."""
    actor.require(*STAFF_ROLES, doing="reply to members on WhatsApp")
    now = now or utcnow()
    body = _checked_reply(session, wa_id=wa_id, text=text, now=now)
    member = members.find_by_whatsapp(session, wa_id)
    key = messaging.enqueue(
        session,
        to_wa_id=wa_id,
        body={"kind": "text", "text": body},
        preview=body,
        member_id=member.id if member else None,
        created_by=actor.staff_user_id,
        now=now,
    )
    mark_read(session, wa_id=wa_id, actor=actor, now=now)
    audit.record(
        session,
        actor,
        "inbox.reply",
        "conversation",
        None,
        now=now,
        wa_id=wa_id,
        key=key,
        characters=len(body),
    )
    return key


def _checked_reply(session: Session, *, wa_id: str, text: str, now: datetime) -> str:
    """The reply as it will be sent, or why WhatsApp would not take it."""
    body = text.strip()
    if not body:
        raise InvalidInput("The reply is empty.")
    if len(body) > TEXT_MAX:
        raise InvalidInput(
            f"A WhatsApp message can be at most {TEXT_MAX} characters; this one has {len(body)}."
        )
    if not wa_id.isdigit():
        raise InvalidInput("This conversation has no phone number WhatsApp can send to.")
    if window_closes_at(session, wa_id=wa_id, now=now) is None:
        raise NotAllowed(
            "More than 24 hours have passed since the member last wrote, so WhatsApp only "
            "allows approved template messages now. Please call them instead."
        )
    return body
