"""Claiming a seat: the one place a live booking row is created (booking, waitlist, reschedule).

Seats are `1..capacity`. The caller's transaction is a `BEGIN IMMEDIATE` one, so on SQLite the
free-seat read and the insert cannot interleave with another writer; the partial unique index on
(class session, seat) among live bookings is the guarantee when that is not so (PostgreSQL, or a
bug): an insert that collides rolls back to its savepoint and the next free seat is tried.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from desk.domain.entitlements import Holding
from desk.domain.enums import (
    SEAT_HOLDING_STATUSES,
    WAITLIST_OPEN_STATUSES,
    BookingStatus,
    Channel,
    SessionStatus,
    StaffRole,
    WaitlistStatus,
)
from desk.domain.errors import (
    AlreadyBooked,
    BookingClosed,
    ClassFull,
    InvalidInput,
    NotFound,
    SeatTaken,
)
from desk.domain.policies import seats_available
from desk.domain.timeutil import weekday_day_month
from desk.services import holdings, noshows
from desk.services.actor import Actor
from desk.services.settings import get_policy
from desk.store.models import Booking, ClassSession, Member, WaitlistEntry


@dataclass(frozen=True)
class BookingResult:
    booking_id: int
    class_session_id: int
    member_id: int
    seat_no: int
    status: BookingStatus
    channel: Channel
    is_drop_in: bool
    service_id: int
    service_name: str
    starts_at: datetime
    ends_at: datetime
    #: The package or membership expected to pay at check-in; None for a drop-in.
    pays_with_sale_id: int | None
    pays_with: str | None
    #: Something staff should see (e.g. the member is restricted online); None when all is well.
    warning: str | None = None


@dataclass(frozen=True)
class Admission:
    """Why a member may have a seat: what will pay, and any warning for the desk."""

    pays_with: Holding | None
    warning: str | None


def load_class_session(session: Session, class_session_id: int) -> ClassSession:
    # Every booking check reads the service (its kind, its name): joined, not a second read.
    cs = session.get(
        ClassSession, class_session_id, options=[joinedload(ClassSession.service, innerjoin=True)]
    )
    if cs is None:
        raise NotFound(f"No class session #{class_session_id}.")
    return cs


def load_member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None or member.archived:
        raise NotFound("That member does not exist (or was archived).")
    return member


def describe(session: Session, cs: ClassSession) -> str:
    """ "Reformer Pilates on Mon 3 Nov 18:00" in the studio's own time."""
    local = cs.starts_at.astimezone(get_policy(session).tz)
    return f"{cs.service.name} on {weekday_day_month(local)} {local:%H:%M}"


def refuse_if_closed(session: Session, cs: ClassSession, now: datetime) -> None:
    if cs.status is SessionStatus.CANCELLED:
        raise BookingClosed(f"{describe(session, cs)} was cancelled.")
    if now >= cs.starts_at:
        raise BookingClosed(f"{describe(session, cs)} has already started; it cannot be booked.")


def taken_seats(session: Session, class_session_id: int) -> set[int]:
    return set(
        session.scalars(
            select(Booking.seat_no).where(
                Booking.class_session_id == class_session_id,
                Booking.status.in_(SEAT_HOLDING_STATUSES),
            )
        )
    )


def open_offers(
    session: Session, class_session_id: int, now: datetime, *, except_entry_id: int | None = None
) -> int:
    """Seats held for waitlisted members who were offered one and may still accept."""
    query = select(func.count()).where(
        WaitlistEntry.class_session_id == class_session_id,
        WaitlistEntry.status == WaitlistStatus.OFFERED,
        WaitlistEntry.offer_expires_at > now,
    )
    if except_entry_id is not None:
        query = query.where(WaitlistEntry.id != except_entry_id)
    return int(session.scalar(query) or 0)


def waitlist_length(session: Session, class_session_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                WaitlistEntry.class_session_id == class_session_id,
                WaitlistEntry.status.in_(WAITLIST_OPEN_STATUSES),
            )
        )
        or 0
    )


def full(session: Session, cs: ClassSession) -> ClassFull:
    waiting = waitlist_length(session, cs.id)
    return ClassFull(
        f"{describe(session, cs)} is full ({waiting} waiting); the member can join the waitlist.",
        class_session_id=cs.id,
        waitlist_length=waiting,
    )


def refuse_if_booked(session: Session, class_session_id: int, member_id: int) -> None:
    existing = session.scalar(
        select(Booking.id).where(
            Booking.class_session_id == class_session_id,
            Booking.member_id == member_id,
            Booking.status.in_(SEAT_HOLDING_STATUSES),
        )
    )
    if existing is not None:
        raise AlreadyBooked("The member is already booked into this session.")


def admit(
    session: Session,
    *,
    cs: ClassSession,
    member_id: int,
    channel: Channel,
    actor: Actor,
    drop_in: bool,
    now: datetime,
    exclude_booking_ids: Collection[int] = (),
) -> Admission:
    """The no-show restriction and entitlement checks every new booking passes (no writes)."""
    policy = get_policy(session)
    kind = cs.service.kind
    warning = None
    if channel is Channel.WHATSAPP:
        noshows.refuse_if_restricted(session, member_id=member_id, kind=kind, now=now)
    else:
        warning = noshows.standing(session, member_id=member_id, kind=kind, now=now).warning
    if drop_in:
        actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="book a drop-in")
        return Admission(pays_with=None, warning=warning)
    chosen = holdings.choose_for_booking(
        session,
        member_id=member_id,
        service_id=cs.service_id,
        starts_at=cs.starts_at,
        tz=policy.tz,
        exclude_booking_ids=exclude_booking_ids,
        now=now,
    )
    return Admission(pays_with=chosen, warning=warning)


def free_seats(
    session: Session, cs: ClassSession, now: datetime, *, except_entry_id: int | None = None
) -> int:
    """Seats neither booked nor held for a live waitlist offer (but `except_entry_id`'s)."""
    return seats_available(
        capacity=cs.capacity,
        held_by_bookings=len(taken_seats(session, cs.id)),
        held_by_offers=open_offers(session, cs.id, now, except_entry_id=except_entry_id),
    )


def refuse_if_full(
    session: Session, cs: ClassSession, now: datetime, *, offer_entry_id: int | None = None
) -> None:
    """`ClassFull` before the costlier checks: a full class is the commonest answer at peak."""
    if free_seats(session, cs, now, except_entry_id=offer_entry_id) < 1:
        raise full(session, cs)


def _pick_seat(
    session: Session, cs: ClassSession, seat_no: int | None, now: datetime, entry_id: int | None
) -> int:
    taken = taken_seats(session, cs.id)
    held = open_offers(session, cs.id, now, except_entry_id=entry_id)
    if seats_available(capacity=cs.capacity, held_by_bookings=len(taken), held_by_offers=held) < 1:
        raise full(session, cs)
    if seat_no is None:
        lowest = min((n for n in range(1, cs.capacity + 1) if n not in taken), default=None)
        if lowest is None:  # only if seats above the capacity were written by hand
            raise full(session, cs)
        return lowest
    if seat_no in taken:
        free = ", ".join(str(n) for n in range(1, cs.capacity + 1) if n not in taken)
        raise SeatTaken(f"Seat {seat_no} is taken; free seats: {free}.")
    return seat_no


def claim_seat(
    session: Session,
    *,
    cs: ClassSession,
    member_id: int,
    channel: Channel,
    actor: Actor,
    now: datetime,
    seat_no: int | None = None,
    drop_in: bool = False,
    offer_entry_id: int | None = None,
    rescheduled_from_id: int | None = None,
) -> Booking:
    """Insert the live booking on the lowest free seat (or `seat_no`); `ClassFull` when none.

    `offer_entry_id` is the waitlist offer the member is accepting: its held seat is theirs.
    """
    if seat_no is not None and not 1 <= seat_no <= cs.capacity:
        raise InvalidInput(f"Seats in this class are numbered 1 to {cs.capacity}.")
    for _attempt in range(cs.capacity + 1):
        seat = _pick_seat(session, cs, seat_no, now, offer_entry_id)
        booking = Booking(
            member_id=member_id,
            class_session_id=cs.id,
            seat_no=seat,
            status=BookingStatus.BOOKED,
            channel=channel,
            is_drop_in=drop_in,
            created_by=actor.staff_user_id,
            created_at=now,
            status_changed_at=now,
            rescheduled_from_id=rescheduled_from_id,
        )
        try:
            with session.begin_nested():
                session.add(booking)
        except IntegrityError:
            # Someone else committed a live booking between our read and our insert. If it was
            # this member, that is a double booking; otherwise the seat went: try the next one.
            refuse_if_booked(session, cs.id, member_id)
            if seat_no is not None:
                raise SeatTaken(f"Seat {seat_no} was just taken; pick another.") from None
            continue
        return booking
    raise full(session, cs)


def result_of(booking: Booking, cs: ClassSession, admission: Admission) -> BookingResult:
    pays = admission.pays_with
    return BookingResult(
        booking_id=booking.id,
        class_session_id=cs.id,
        member_id=booking.member_id,
        seat_no=booking.seat_no,
        status=booking.status,
        channel=booking.channel,
        is_drop_in=booking.is_drop_in,
        service_id=cs.service_id,
        service_name=cs.service.name,
        starts_at=cs.starts_at,
        ends_at=cs.ends_at,
        pays_with_sale_id=pays.terms.sale_id if pays else None,
        pays_with=pays.terms.name if pays else None,
        warning=admission.warning,
    )
