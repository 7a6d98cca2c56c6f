"""Waitlists of full classes: join, leave, and what happens when a seat frees.

Position is the order of open entries (waiting or offered) by when they joined, so it is always
1..n without gaps. When a seat frees, the class's mode (or the studio's) decides: AUTO promotes
the first eligible member straight into a booking; OFFER holds the seat for them for the hold
time and passes it on when they decline or the hold runs out. Nothing happens after the cutoff
before the start. Every promotion and offer stays on the entry (status, booking, `notified_at`)
so the messaging layer can tell the member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.domain.enums import (
    WAITLIST_OPEN_STATUSES,
    Channel,
    SessionKind,
    WaitlistStatus,
)
from desk.domain.errors import InvalidInput, InvalidTransition, NotFound, WaitlistClosed
from desk.domain.policies import waitlist_closes_at
from desk.services import audit, seats
from desk.services.actor import Actor
from desk.services.seats import BookingResult
from desk.services.settings import get_policy
from desk.services.waitlist_moves import (
    WaitlistEvent,
    close_due,
    close_for_session,
    event_of,
    expire_offers,
    leave_overlapping,
    open_entries,
    resolve,
    seat_freed,
    seat_member,
)
from desk.store.models import Booking, ClassSession, WaitlistEntry
from desk.store.types import utcnow

__all__ = [
    "WaitlistEvent",
    "WaitlistNotice",
    "WaitlistPlace",
    "accept_offer",
    "booked_directly",
    "close_due",
    "close_for_session",
    "decline_offer",
    "expire_offers",
    "held_offer_id",
    "join",
    "leave",
    "lineup",
    "mark_notified",
    "pending_notifications",
    "place_of",
    "seat_freed",
]

#: Outcomes the member has not been told about yet.
_NOTIFY = (
    WaitlistStatus.OFFERED,
    WaitlistStatus.PROMOTED,
    WaitlistStatus.EXPIRED,
    WaitlistStatus.CLOSED,
)


@dataclass(frozen=True)
class WaitlistPlace:
    entry_id: int
    class_session_id: int
    member_id: int
    position: int
    length: int
    status: WaitlistStatus
    offer_expires_at: datetime | None

    @property
    def label(self) -> str:
        return f"#{self.position} of {self.length}"


@dataclass(frozen=True)
class WaitlistNotice:
    entry_id: int
    member_id: int
    class_session_id: int
    status: WaitlistStatus
    booking_id: int | None
    offer_expires_at: datetime | None
    service_name: str
    starts_at: datetime


def lineup(session: Session, *, class_session_id: int) -> list[WaitlistPlace]:
    """The open waitlist in order, positions 1..n."""
    entries = open_entries(session, class_session_id)
    return [
        WaitlistPlace(
            entry_id=e.id,
            class_session_id=e.class_session_id,
            member_id=e.member_id,
            position=i,
            length=len(entries),
            status=e.status,
            offer_expires_at=e.offer_expires_at,
        )
        for i, e in enumerate(entries, start=1)
    ]


def place_of(session: Session, *, class_session_id: int, member_id: int) -> WaitlistPlace | None:
    for place in lineup(session, class_session_id=class_session_id):
        if place.member_id == member_id:
            return place
    return None


def _closes_at(session: Session, cs: ClassSession) -> datetime:
    cutoff = get_policy(session).waitlist_cutoff_minutes
    return waitlist_closes_at(starts_at=cs.starts_at, cutoff_minutes=cutoff)


def join(
    session: Session,
    *,
    class_session_id: int,
    member_id: int,
    actor: Actor,
    channel: Channel | None = None,
    now: datetime | None = None,
) -> WaitlistPlace:
    """Queue a member for a full class; joining twice returns the place they already have."""
    now = now or utcnow()
    channel = channel or (Channel.DESK if actor.is_staff else Channel.WHATSAPP)
    cs = seats.load_class_session(session, class_session_id)
    seats.load_member(session, member_id)
    if cs.kind is not SessionKind.CLASS:
        raise InvalidInput("Private appointments have no waitlist.")
    seats.refuse_if_closed(session, cs, now)
    if now >= _closes_at(session, cs):
        raise WaitlistClosed(f"The waitlist for {seats.describe(session, cs)} has closed.")
    seats.refuse_if_booked(session, cs.id, member_id)
    existing = place_of(session, class_session_id=cs.id, member_id=member_id)
    if existing is not None:
        return existing
    if seats.free_seats(session, cs, now) > 0:
        raise InvalidInput(f"{seats.describe(session, cs)} has a free seat: book it instead.")
    seats.admit(
        session, cs=cs, member_id=member_id, channel=channel, actor=actor, drop_in=False, now=now
    )
    entry = WaitlistEntry(
        class_session_id=cs.id,
        member_id=member_id,
        channel=channel,
        created_by=actor.staff_user_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:
        # Another desk queued them a moment ago: they keep that place.
        place = place_of(session, class_session_id=cs.id, member_id=member_id)
        if place is None:
            raise
        return place
    audit.record(
        session, actor, "waitlist.join", "waitlist_entry", entry.id, now=now, class_session_id=cs.id
    )
    place = place_of(session, class_session_id=cs.id, member_id=member_id)
    assert place is not None
    return place


def _open_entry(session: Session, class_session_id: int, member_id: int) -> WaitlistEntry | None:
    return session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.class_session_id == class_session_id,
            WaitlistEntry.member_id == member_id,
            WaitlistEntry.status.in_(WAITLIST_OPEN_STATUSES),
        )
    )


def leave(
    session: Session,
    *,
    class_session_id: int,
    member_id: int,
    actor: Actor,
    now: datetime | None = None,
) -> list[WaitlistEvent]:
    """Take a member off a waitlist; a seat held for them passes to the next person."""
    now = now or utcnow()
    entry = _open_entry(session, class_session_id, member_id)
    if entry is None:
        raise NotFound("The member is not on this waitlist.")
    held_seat = entry.status is WaitlistStatus.OFFERED
    resolve(entry, WaitlistStatus.LEFT, now, told=True)
    audit.record(session, actor, "waitlist.leave", "waitlist_entry", entry.id, now=now)
    session.flush()
    events = [event_of(entry)]
    if held_seat:
        events += seat_freed(session, class_session_id=class_session_id, now=now)
    return events


def _entry(session: Session, entry_id: int) -> WaitlistEntry:
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None:
        raise NotFound(f"No waitlist entry #{entry_id}.")
    return entry


def accept_offer(
    session: Session, *, entry_id: int, actor: Actor, now: datetime | None = None
) -> BookingResult:
    """The member takes the held seat. Accepting twice returns the same booking."""
    now = now or utcnow()
    entry = _entry(session, entry_id)
    if entry.status is WaitlistStatus.PROMOTED and entry.booking_id is not None:
        booking = session.get(Booking, entry.booking_id)
        assert booking is not None
        return seats.result_of(booking, booking.class_session, seats.Admission(None, None))
    if entry.status is not WaitlistStatus.OFFERED:
        raise InvalidTransition("There is no seat on offer for this member.")
    cs = seats.load_class_session(session, entry.class_session_id)
    if entry.offer_expires_at is None or entry.offer_expires_at <= now:
        raise WaitlistClosed("That offer has run out; the seat went to the next person.")
    seats.refuse_if_closed(session, cs, now)
    booking, admission = seat_member(
        session, cs, entry, actor=actor, action="waitlist.accept", now=now
    )
    entry.notified_at = now  # they accepted it themselves: no news to send
    session.flush()
    leave_overlapping(session, member_id=entry.member_id, cs=cs, now=now)
    return seats.result_of(booking, cs, admission)


def decline_offer(
    session: Session, *, entry_id: int, actor: Actor, now: datetime | None = None
) -> list[WaitlistEvent]:
    """The member does not want the seat: it passes to the next person."""
    now = now or utcnow()
    entry = _entry(session, entry_id)
    if entry.status is WaitlistStatus.DECLINED:
        return []
    if entry.status is not WaitlistStatus.OFFERED:
        raise InvalidTransition("There is no seat on offer for this member.")
    resolve(entry, WaitlistStatus.DECLINED, now, told=True)
    audit.record(session, actor, "waitlist.decline", "waitlist_entry", entry.id, now=now)
    session.flush()
    return [event_of(entry), *seat_freed(session, class_session_id=entry.class_session_id, now=now)]


def booked_directly(
    session: Session, *, class_session_id: int, member_id: int, booking_id: int, now: datetime
) -> None:
    """A waitlisted member got a seat by booking it: their entry is done, nothing to tell."""
    entry = _open_entry(session, class_session_id, member_id)
    if entry is None:
        return
    resolve(entry, WaitlistStatus.PROMOTED, now, told=True)
    entry.booking_id = booking_id


def held_offer_id(
    session: Session, *, class_session_id: int, member_id: int, now: datetime
) -> int | None:
    """The member's live offer for this class, if any: booking it uses the held seat."""
    return session.scalar(
        select(WaitlistEntry.id).where(
            WaitlistEntry.class_session_id == class_session_id,
            WaitlistEntry.member_id == member_id,
            WaitlistEntry.status == WaitlistStatus.OFFERED,
            WaitlistEntry.offer_expires_at > now,
        )
    )


def pending_notifications(session: Session, *, limit: int = 200) -> list[WaitlistNotice]:
    """Offers, promotions, lapsed offers and closed waitlists the member was not told about."""
    rows = session.execute(
        select(WaitlistEntry, ClassSession)
        .join(ClassSession, ClassSession.id == WaitlistEntry.class_session_id)
        .where(WaitlistEntry.status.in_(_NOTIFY), WaitlistEntry.notified_at.is_(None))
        .order_by(WaitlistEntry.id)
        .limit(limit)
    ).all()
    return [
        WaitlistNotice(
            entry_id=entry.id,
            member_id=entry.member_id,
            class_session_id=cs.id,
            status=entry.status,
            booking_id=entry.booking_id,
            offer_expires_at=entry.offer_expires_at,
            service_name=cs.service.name,
            starts_at=cs.starts_at,
        )
        for entry, cs in rows
    ]


def mark_notified(session: Session, *, entry_ids: list[int], now: datetime | None = None) -> int:
    """Record that the members were told; returns how many entries were marked."""
    now = now or utcnow()
    entries = session.scalars(
        select(WaitlistEntry).where(
            WaitlistEntry.id.in_(entry_ids), WaitlistEntry.notified_at.is_(None)
        )
    ).all()
    for entry in entries:
        entry.notified_at = now
    session.flush()
    return len(entries)
