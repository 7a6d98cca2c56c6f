"""What happens to a waitlist when a seat frees, an offer lapses or the cutoff passes.

Every operation that frees a seat (cancel, no-show, capacity raised, an offer declined or
lapsed) calls `seat_freed`. The class's mode (or the studio's) decides: AUTO books the first
eligible member straight into the seat; OFFER holds the seat for them for the hold time. Members
who cannot take it right now (no entitlement, restricted online) keep their place and the seat
goes to the next one. Nothing moves after the cutoff before the start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desk.domain.enums import (
    WAITLIST_OPEN_STATUSES,
    SessionKind,
    SessionStatus,
    WaitlistStatus,
)
from desk.domain.errors import AlreadyBooked, BookingRestricted, NoEntitlement, ScheduleConflict
from desk.domain.policies import (
    WaitlistAction,
    offer_expires_at,
    waitlist_action,
)
from desk.services import audit, seats
from desk.services.actor import SYSTEM, Actor
from desk.services.seats import Admission
from desk.services.settings import get_policy
from desk.store.models import Booking, ClassSession, WaitlistEntry
from desk.store.types import utcnow


@dataclass(frozen=True)
class WaitlistEvent:
    """Something that happened to an entry: promoted, offered, expired, declined, closed, left."""

    entry_id: int
    member_id: int
    class_session_id: int
    status: WaitlistStatus
    booking_id: int | None = None
    offer_expires_at: datetime | None = None


def event_of(entry: WaitlistEntry) -> WaitlistEvent:
    return WaitlistEvent(
        entry_id=entry.id,
        member_id=entry.member_id,
        class_session_id=entry.class_session_id,
        status=entry.status,
        booking_id=entry.booking_id,
        offer_expires_at=entry.offer_expires_at,
    )


def open_entries(session: Session, class_session_id: int) -> list[WaitlistEntry]:
    return list(
        session.scalars(
            select(WaitlistEntry)
            .where(
                WaitlistEntry.class_session_id == class_session_id,
                WaitlistEntry.status.in_(WAITLIST_OPEN_STATUSES),
            )
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        )
    )


def resolve(
    entry: WaitlistEntry, status: WaitlistStatus, now: datetime, *, told: bool = False
) -> None:
    """Settle the entry. `told`: the member did this themselves, so there is no news to send."""
    entry.status = status
    entry.resolved_at = now
    # Otherwise the member has to hear about the new outcome, even if they heard about the offer.
    entry.notified_at = now if told else None


def seat_member(
    session: Session,
    cs: ClassSession,
    entry: WaitlistEntry,
    *,
    actor: Actor,
    action: str,
    now: datetime,
) -> tuple[Booking, seats.Admission]:
    """Book the waitlisted member into a seat and mark their entry promoted.

    Their entitlement is checked as for any booking; `action` is the audit action saying why.
    """
    admission = seats.admit(
        session,
        cs=cs,
        member_id=entry.member_id,
        channel=entry.channel,
        actor=actor,
        drop_in=False,
        now=now,
    )
    booking = seats.claim_seat(
        session,
        cs=cs,
        member_id=entry.member_id,
        channel=entry.channel,
        actor=actor,
        now=now,
        offer_entry_id=entry.id,
    )
    resolve(entry, WaitlistStatus.PROMOTED, now)
    entry.booking_id = booking.id
    audit.record(session, actor, action, "waitlist_entry", entry.id, now=now, booking_id=booking.id)
    return booking, admission


def _offer(session: Session, cs: ClassSession, entry: WaitlistEntry, now: datetime) -> None:
    hold_seat(session, cs, entry, actor=SYSTEM, now=now, action="waitlist.offer")


def hold_seat(
    session: Session,
    cs: ClassSession,
    entry: WaitlistEntry,
    *,
    actor: Actor,
    now: datetime,
    action: str,
    **detail: object,
) -> Admission:
    """Hold the seat for the member for the studio's hold time; the sync worker's next round
    sends the offer. The member must be able to take the seat when they accept, as now."""
    seats.refuse_if_overlapping(session, member_id=entry.member_id, cs=cs)
    admission = seats.admit(
        session,
        cs=cs,
        member_id=entry.member_id,
        channel=entry.channel,
        actor=actor,
        drop_in=False,
        now=now,
    )
    policy = get_policy(session)
    entry.status = WaitlistStatus.OFFERED
    entry.offered_at = now
    entry.offer_expires_at = offer_expires_at(
        now=now,
        hold_minutes=policy.waitlist_hold_minutes,
        starts_at=cs.starts_at,
        cutoff_minutes=policy.waitlist_cutoff_minutes,
    )
    entry.notified_at = None
    audit.record(
        session,
        actor,
        action,
        "waitlist_entry",
        entry.id,
        now=now,
        expires_at=entry.offer_expires_at,
        **detail,
    )
    return admission


def _next_waiting(
    session: Session, cs: ClassSession, passed_over: set[int]
) -> WaitlistEntry | None:
    for entry in open_entries(session, cs.id):
        if entry.status is WaitlistStatus.WAITING and entry.id not in passed_over:
            return entry
    return None


def _action(session: Session, cs: ClassSession, now: datetime) -> WaitlistAction:
    policy = get_policy(session)
    if cs.status is SessionStatus.CANCELLED or cs.kind is not SessionKind.CLASS:
        return WaitlistAction.CLOSED
    return waitlist_action(
        mode=cs.waitlist_mode or policy.waitlist_mode,
        starts_at=cs.starts_at,
        now=now,
        cutoff_minutes=policy.waitlist_cutoff_minutes,
    )


def seat_freed(
    session: Session, *, class_session_id: int, now: datetime | None = None
) -> list[WaitlistEvent]:
    """Hand freed seats to the waitlist. Every operation that frees a seat calls this.

    Members who cannot take the seat right now (no entitlement, restricted online) keep their
    place and the seat goes to the next one.
    """
    now = now or utcnow()
    cs = seats.load_class_session(session, class_session_id)
    action = _action(session, cs, now)
    events: list[WaitlistEvent] = []
    passed_over: set[int] = set()
    while action is not WaitlistAction.CLOSED and seats.free_seats(session, cs, now) > 0:
        entry = _next_waiting(session, cs, passed_over)
        if entry is None:
            break
        try:
            seats.refuse_if_booked(session, cs.id, entry.member_id)
            if action is WaitlistAction.PROMOTE:
                seat_member(session, cs, entry, actor=SYSTEM, action="waitlist.promote", now=now)
            else:
                _offer(session, cs, entry, now)
        except (NoEntitlement, BookingRestricted, ScheduleConflict):
            # Booked elsewhere at that time counts too: they keep their place, the seat moves on.
            passed_over.add(entry.id)
            continue
        except AlreadyBooked:
            # They got a seat another way; the entry has nothing left to wait for.
            resolve(entry, WaitlistStatus.LEFT, now, told=True)
            continue
        session.flush()
        events.append(event_of(entry))
        if entry.status is WaitlistStatus.PROMOTED:
            events += leave_overlapping(session, member_id=entry.member_id, cs=cs, now=now)
    return events


def leave_overlapping(
    session: Session, *, member_id: int, cs: ClassSession, now: datetime
) -> list[WaitlistEvent]:
    """A member now booked into `cs` leaves their waitlists for classes at the same time."""
    entries = session.scalars(
        select(WaitlistEntry)
        .join(ClassSession, ClassSession.id == WaitlistEntry.class_session_id)
        .where(
            WaitlistEntry.member_id == member_id,
            WaitlistEntry.status.in_(WAITLIST_OPEN_STATUSES),
            WaitlistEntry.class_session_id != cs.id,
            ClassSession.starts_at < cs.ends_at,
            ClassSession.ends_at > cs.starts_at,
        )
        .order_by(WaitlistEntry.id)
    ).all()
    events: list[WaitlistEvent] = []
    for entry in entries:
        held_seat = entry.status is WaitlistStatus.OFFERED
        resolve(entry, WaitlistStatus.LEFT, now, told=True)
        audit.record(
            session,
            SYSTEM,
            "waitlist.leave_overlapping",
            "waitlist_entry",
            entry.id,
            now=now,
            booked_class_session_id=cs.id,
        )
        session.flush()
        events.append(event_of(entry))
        if held_seat:
            events += seat_freed(session, class_session_id=entry.class_session_id, now=now)
    return events


def expire_offers(session: Session, *, now: datetime | None = None) -> list[WaitlistEvent]:
    """Run often: lapsed offers pass to the next person; waitlists past their cutoff close."""
    now = now or utcnow()
    lapsed = session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.status == WaitlistStatus.OFFERED,
            WaitlistEntry.offer_expires_at <= now,
        )
        .order_by(WaitlistEntry.offer_expires_at, WaitlistEntry.id)
    ).all()
    events: list[WaitlistEvent] = []
    for entry in lapsed:
        resolve(entry, WaitlistStatus.EXPIRED, now)
        audit.record(session, SYSTEM, "waitlist.offer_expired", "waitlist_entry", entry.id, now=now)
        session.flush()
        events.append(event_of(entry))
    for class_session_id in sorted({e.class_session_id for e in lapsed}):
        events += seat_freed(session, class_session_id=class_session_id, now=now)
    return events + close_due(session, now=now)


def close_due(session: Session, *, now: datetime | None = None) -> list[WaitlistEvent]:
    """Close the open waitlists of classes that reached their cutoff (or were cancelled)."""
    now = now or utcnow()
    cutoff = get_policy(session).waitlist_cutoff_minutes
    entries = session.scalars(
        select(WaitlistEntry)
        .join(ClassSession, ClassSession.id == WaitlistEntry.class_session_id)
        .where(
            WaitlistEntry.status.in_(WAITLIST_OPEN_STATUSES),
            or_(
                ClassSession.starts_at <= now + timedelta(minutes=cutoff),
                ClassSession.status == SessionStatus.CANCELLED,
            ),
        )
        .order_by(WaitlistEntry.id)
    ).all()
    return _close(session, entries, now)


def close_for_session(
    session: Session, *, class_session_id: int, now: datetime | None = None
) -> list[WaitlistEvent]:
    """Close one class's waitlist (the class was cancelled)."""
    now = now or utcnow()
    return _close(session, open_entries(session, class_session_id), now)


def _close(
    session: Session, entries: Sequence[WaitlistEntry], now: datetime
) -> list[WaitlistEvent]:
    events: list[WaitlistEvent] = []
    for entry in entries:
        resolve(entry, WaitlistStatus.CLOSED, now)
        audit.record(session, SYSTEM, "waitlist.close", "waitlist_entry", entry.id, now=now)
        events.append(event_of(entry))
    session.flush()
    return events
