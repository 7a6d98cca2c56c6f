"""The WhatsApp Inbox at the desk: conversations by member and one conversation's thread.

A conversation is everything exchanged with one WhatsApp number: the member's messages
(inbound_events) and what the studio sent (outbox_messages: the assistant's replies, waitlist
notices, staff replies). What staff do there lives in inbox_staff (read, handled, reply) and the
bookings shown beside a thread in inbox_bookings; both are re-exported here, so the Inbox screen
talks to this one module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from desk.domain import phone as phones
from desk.domain.errors import InvalidInput
from desk.services import sales
from desk.services.inbox_bookings import (
    BookableClass,
    UpcomingBooking,
    bookable_classes,
    upcoming_bookings,
)
from desk.services.inbox_staff import (
    TEXT_MAX,
    clear_needs_staff,
    mark_read,
    staff_reply,
    window_closes_at,
)
from desk.services.sales import EntitlementView
from desk.store.models import InboundEvent, Member, OutboxMessage, StaffUser
from desk.store.types import utcnow

__all__ = [
    "TEXT_MAX",
    "BookableClass",
    "Conversation",
    "ConversationThread",
    "ThreadMessage",
    "UpcomingBooking",
    "bookable_classes",
    "clear_needs_staff",
    "conversation",
    "conversations",
    "fingerprint",
    "mark_read",
    "staff_reply",
    "thread",
    "upcoming_bookings",
]


@dataclass(frozen=True)
class Conversation:
    wa_id: str
    member_id: int | None
    #: The member's name; else the WhatsApp profile name; else the number.
    name: str
    phone: str
    last_at: datetime
    last_text: str
    last_from_member: bool
    unread: int
    needs_staff: bool


@dataclass(frozen=True)
class ThreadMessage:
    at: datetime
    from_member: bool
    text: str
    #: Inbound: the WhatsApp message type; outbound: text, buttons, list or template.
    kind: str
    #: Outbound delivery state (pending, queued, sent, delivered, read, failed...); "" inbound.
    status: str
    #: Inbound: the assistant's reading of it ("balance", "book"...).
    intent: str
    needs_staff: bool
    #: Outbound written by a person at the desk; "" for the assistant.
    staff_name: str
    error: str


@dataclass(frozen=True)
class ConversationThread:
    conversation: Conversation
    messages: list[ThreadMessage]
    balance: list[EntitlementView]
    upcoming: list[UpcomingBooking]
    #: Until when staff may write free-form (None: the window is closed).
    window_closes_at: datetime | None


def _addresses(wa_id: str) -> list[str]:
    """Outbox rows may carry the number with or without "+"."""
    return [wa_id, "+" + wa_id] if wa_id.isdigit() else [wa_id]


def _shown_phone(wa_id: str) -> str:
    e164 = phones.from_whatsapp_id(wa_id) if wa_id.isdigit() else None
    return phones.display(e164) if e164 else wa_id


@dataclass
class _Tally:
    last: datetime
    unread: int = 0
    needs_staff: bool = False
    member_id: int | None = None


def _tallies(session: Session, only: str | None = None) -> dict[str, _Tally]:
    """Per number (or just `only`): last activity either way, unread and flagged counts, the
    member."""
    tallies: dict[str, _Tally] = {}
    unread = func.sum(case((InboundEvent.staff_read_at.is_(None), 1), else_=0))
    flagged = func.sum(case((InboundEvent.needs_staff.is_(True), 1), else_=0))
    inbound = select(
        InboundEvent.wa_id,
        func.max(InboundEvent.received_at),
        unread,
        flagged,
        func.max(InboundEvent.member_id),
    ).group_by(InboundEvent.wa_id)
    if only is not None:
        inbound = inbound.where(InboundEvent.wa_id == only)
    for wa_id, last_in, unread_count, flagged_count, member_id in session.execute(inbound):
        tallies[wa_id] = _Tally(last_in, int(unread_count or 0), bool(flagged_count), member_id)
    address = func.ltrim(OutboxMessage.to_wa_id, "+")
    outbound = select(
        address, func.max(OutboxMessage.created_at), func.max(OutboxMessage.member_id)
    ).group_by(address)
    if only is not None:
        outbound = outbound.where(OutboxMessage.to_wa_id.in_(_addresses(only)))
    for wa_id, last_out, member_id in session.execute(outbound):
        tally = tallies.setdefault(wa_id, _Tally(last_out))
        tally.member_id = tally.member_id or member_id
        tally.last = max(tally.last, last_out)
    return tallies


def _latest_inbound(session: Session, wa_ids: list[str]) -> dict[str, tuple[str, str, datetime]]:
    """(text or type, profile name, when) of each number's newest message, in one query."""
    rank = (
        func.row_number()
        .over(
            partition_by=InboundEvent.wa_id,
            order_by=(InboundEvent.received_at.desc(), InboundEvent.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(
            InboundEvent.wa_id,
            InboundEvent.text,
            InboundEvent.message_type,
            InboundEvent.profile_name,
            InboundEvent.received_at,
            rank,
        )
        .where(InboundEvent.wa_id.in_(wa_ids))
        .subquery()
    )
    rows = session.execute(select(ranked).where(ranked.c.rank == 1))
    return {
        r.wa_id: (r.text or f"({r.message_type} message)", r.profile_name, r.received_at)
        for r in rows
    }


def _latest_outbound(session: Session, wa_ids: list[str]) -> dict[str, tuple[str, datetime]]:
    address = func.ltrim(OutboxMessage.to_wa_id, "+")
    rank = (
        func.row_number()
        .over(
            partition_by=address,
            order_by=(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(address.label("wa_id"), OutboxMessage.preview, OutboxMessage.created_at, rank)
        .where(OutboxMessage.to_wa_id.in_([a for w in wa_ids for a in _addresses(w)]))
        .subquery()
    )
    rows = session.execute(select(ranked).where(ranked.c.rank == 1))
    return {r.wa_id: (r.preview, r.created_at) for r in rows}


def conversations(
    session: Session, *, limit: int = 100, needs_staff_only: bool = False
) -> list[Conversation]:
    """Conversations, most recent activity first (a fixed handful of queries, however many)."""
    tallies = _tallies(session)
    chosen = [k for k, t in tallies.items() if t.needs_staff or not needs_staff_only]
    chosen.sort(key=lambda k: tallies[k].last, reverse=True)
    chosen = chosen[:limit]
    last_in = _latest_inbound(session, chosen)
    last_out = _latest_outbound(session, chosen)
    member_ids = {t.member_id for k in chosen if (t := tallies[k]).member_id is not None}
    names = (
        dict(
            session.execute(
                select(Member.id, Member.full_name).where(Member.id.in_(member_ids))
            ).all()
        )
        if member_ids
        else {}
    )
    return [_conversation(k, tallies[k], last_in.get(k), last_out.get(k), names) for k in chosen]


def _conversation(
    wa_id: str,
    tally: _Tally,
    last_in: tuple[str, str, datetime] | None,
    last_out: tuple[str, datetime] | None,
    names: dict[int, str],
) -> Conversation:
    from_member = last_in is not None and (last_out is None or last_in[2] >= last_out[1])
    if last_in is not None and from_member:
        text = last_in[0]
    else:
        text = last_out[0] if last_out is not None else ""
    name = names.get(tally.member_id) if tally.member_id is not None else None
    profile = last_in[1] if last_in is not None else ""
    return Conversation(
        wa_id=wa_id,
        member_id=tally.member_id,
        name=name or profile or _shown_phone(wa_id),
        phone=_shown_phone(wa_id),
        last_at=tally.last,
        last_text=" ".join(text.split())[:200],
        last_from_member=from_member,
        unread=tally.unread,
        needs_staff=tally.needs_staff,
    )


def fingerprint(session: Session) -> tuple[object, ...]:
    """Changes whenever anything the Inbox shows changes; cheap enough to ask every few
    seconds, so the screen re-reads only when there is something new."""
    inbound = session.execute(
        select(
            func.max(InboundEvent.id),
            func.sum(case((InboundEvent.staff_read_at.is_(None), 1), else_=0)),
            func.sum(case((InboundEvent.needs_staff.is_(True), 1), else_=0)),
        )
    ).one()
    outbound = session.execute(
        select(func.max(OutboxMessage.id), func.max(OutboxMessage.updated_at))
    ).one()
    return (*inbound, *outbound)


def conversation(session: Session, *, wa_id: str) -> Conversation | None:
    tally = _tallies(session, only=wa_id).get(wa_id)
    if tally is None:
        return None
    names: dict[int, str] = {}
    if tally.member_id is not None:
        name = session.scalar(select(Member.full_name).where(Member.id == tally.member_id))
        names = {tally.member_id: name} if name else {}
    return _conversation(
        wa_id,
        tally,
        _latest_inbound(session, [wa_id]).get(wa_id),
        _latest_outbound(session, [wa_id]).get(wa_id),
        names,
    )


def thread(
    session: Session, *, wa_id: str, limit: int = 200, now: datetime | None = None
) -> ConversationThread:
    """One conversation: its last `limit` messages oldest first, the member's balance and
    upcoming bookings, and whether staff may still write free-form."""
    now = now or utcnow()
    summary = conversation(session, wa_id=wa_id)
    if summary is None:
        raise InvalidInput("There is no conversation with that number.")
    messages = sorted(
        _inbound(session, wa_id, limit) + _outbound(session, wa_id, limit), key=lambda m: m.at
    )[-limit:]
    member_id = summary.member_id
    balance = sales.entitlements(session, member_id=member_id, now=now) if member_id else []
    upcoming = upcoming_bookings(session, member_id=member_id, now=now) if member_id else []
    closes = window_closes_at(session, wa_id=wa_id, now=now)
    return ConversationThread(summary, messages, balance, upcoming, closes)


def _inbound(session: Session, wa_id: str, limit: int) -> list[ThreadMessage]:
    rows = session.scalars(
        select(InboundEvent)
        .where(InboundEvent.wa_id == wa_id)
        .order_by(InboundEvent.received_at.desc(), InboundEvent.id.desc())
        .limit(limit)
    )
    return [
        ThreadMessage(
            r.received_at,
            True,
            r.text or f"({r.message_type} message)",
            r.message_type,
            "",
            r.intent,
            r.needs_staff,
            "",
            "",
        )
        for r in rows
    ]


def _outbound(session: Session, wa_id: str, limit: int) -> list[ThreadMessage]:
    rows = session.execute(
        select(OutboxMessage, StaffUser.name)
        .outerjoin(StaffUser, StaffUser.id == OutboxMessage.created_by)
        .where(OutboxMessage.to_wa_id.in_(_addresses(wa_id)))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    return [
        ThreadMessage(
            r.created_at,
            False,
            r.preview,
            r.kind.value,
            r.status.value,
            "",
            False,
            staff or "",
            r.error_reason,
        )
        for r, staff in rows
    ]
