"""Booking group classes and private appointments; capacity changes and cancelled sessions.

Every function runs inside the caller's write transaction (`with db.write() as s:` opens it with
`BEGIN IMMEDIATE`), checks everything before writing, and returns plain results. Seats are
claimed in `desk.services.seats`, which the database's partial unique index backs up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.enums import (
    SEAT_HOLDING_STATUSES,
    BookingStatus,
    Channel,
    SessionKind,
    SessionStatus,
    StaffRole,
)
from desk.domain.errors import (
    AlreadyBooked,
    CapacityBelowBooked,
    InvalidInput,
    InvalidTransition,
)
from desk.domain.timeutil import day_bounds, local_date
from desk.services import audit, holdings, seat_reads, seats, waitlist
from desk.services.actor import Actor
from desk.services.seats import BookingResult
from desk.services.validation import MAX_CAPACITY
from desk.services.waitlist import WaitlistEvent
from desk.store.models import Booking
from desk.store.types import utcnow

__all__ = [
    "BookingResult",
    "CapacityChange",
    "SessionCancellation",
    "book",
    "cancel_class_session",
    "set_capacity",
]


@dataclass(frozen=True)
class CapacityChange:
    class_session_id: int
    capacity: int
    booked: int
    #: (booking id, old seat, new seat) for bookings moved off seats that no longer exist.
    moved: tuple[tuple[int, int, int], ...]
    waitlist: tuple[WaitlistEvent, ...]


@dataclass(frozen=True)
class SessionCancellation:
    class_session_id: int
    cancelled_booking_ids: tuple[int, ...]
    #: Members whose booking was cancelled: the messaging layer tells them.
    member_ids: tuple[int, ...]
    closed_waitlist_entry_ids: tuple[int, ...]
    already_cancelled: bool = False


def channel_for(actor: Actor, channel: Channel | None) -> Channel:
    if channel is not None:
        return channel
    return Channel.DESK if actor.is_staff else Channel.WHATSAPP


def book(
    session: Session,
    *,
    class_session_id: int,
    member_id: int,
    actor: Actor,
    channel: Channel | None = None,
    seat_no: int | None = None,
    drop_in: bool = False,
    now: datetime | None = None,
) -> BookingResult:
    """Book a member into a group class: the lowest free seat, or `seat_no` if they chose one.

    Refusals, in the order they are checked: `BookingClosed` (started or cancelled),
    `AlreadyBooked`, `OverlappingBooking` (booked into another session at that time),
    `ClassFull` (with the waitlist length; the member may join the waitlist),
    `BookingRestricted` (online only), `NoEntitlement` (unless staff book a `drop_in`),
    `SeatTaken` / `InvalidInput` for a chosen seat.

    The whole claim runs inside the caller's write lock, so it reads each thing once, in as few
    statements as it can (the seats and the waitlist are not read again to pick the seat).
    """
    now = now or utcnow()
    channel = channel_for(actor, channel)
    session.flush()  # the reads below skip the ORM: they must see the caller's changes
    cs, policy = seats.read_facts(session, class_session_id, member_id)
    if cs.kind is not SessionKind.CLASS:
        raise InvalidInput("That is a private appointment; it cannot take another booking.")
    seats.refuse_if_closed(session, cs, now)
    taken = seats.seat_map(session, cs.id)
    if member_id in taken.holders:
        raise AlreadyBooked("The member is already booked into this session.")
    tz = policy.tz
    # One read of the member's live bookings from the start of today: the overlap check and
    # the upcoming bookings the entitlement check counts (the session is later than now).
    today = day_bounds(local_date(now, tz), tz)[0]
    mine = seat_reads.member_bookings(session, member_id, today)
    other = seat_reads.overlapping(mine, cs)
    if other is not None:
        raise seats.overlap(session, other.class_session_id, cs, policy)
    queue = seats.queue_of(session, cs.id, member_id, now)
    if cs.capacity - len(taken.taken) - queue.offers_held < 1:
        raise seats.full(session, cs, waiting=queue.length, policy=policy)
    pending = [
        holdings.draw_for(b.service_id, b.starts_at, tz)
        for b in mine
        if b.pending and b.starts_at >= today
    ]
    admission = seats.admit(
        session, cs=cs, member_id=member_id, channel=channel, actor=actor, drop_in=drop_in,
        now=now, policy=policy, pending=pending,
    )  # fmt: skip
    if seat_no is not None and not 1 <= seat_no <= cs.capacity:
        raise InvalidInput(f"Seats in this class are numbered 1 to {cs.capacity}.")
    claim = seats.Claim(
        cs, member_id, channel, actor, now, taken, queue.offers_held, seat_no, drop_in
    )
    booking_id, seat = seats.take_seat(session, claim)
    if queue.own_entry_id is not None:
        waitlist.booked_directly(
            session, class_session_id=cs.id, member_id=member_id, booking_id=booking_id, now=now
        )
    result = BookingResult(
        booking_id=booking_id, class_session_id=cs.id, member_id=member_id, seat_no=seat,
        status=BookingStatus.BOOKED, channel=channel, is_drop_in=drop_in,
        service_id=cs.service_id, service_name=cs.service_name, starts_at=cs.starts_at,
        ends_at=cs.ends_at, warning=admission.warning,
        pays_with_sale_id=admission.pays_with.terms.sale_id if admission.pays_with else None,
        pays_with=admission.pays_with.terms.name if admission.pays_with else None,
    )  # fmt: skip
    _audit_created(session, actor, result, now)
    return result


def _audit_created(session: Session, actor: Actor, result: BookingResult, now: datetime) -> None:
    seat_reads.insert_audit(
        session, actor, "booking.create", "booking", result.booking_id, now=now,
        class_session_id=result.class_session_id, member_id=result.member_id,
        seat_no=result.seat_no, channel=result.channel.value, drop_in=result.is_drop_in,
        pays_with=result.pays_with_sale_id, warning=result.warning,
    )  # fmt: skip


def audit_booking(
    session: Session, actor: Actor, booking: Booking, admission: seats.Admission, now: datetime
) -> None:
    pays = admission.pays_with
    audit.record(
        session,
        actor,
        "booking.create",
        "booking",
        booking.id,
        now=now,
        class_session_id=booking.class_session_id,
        member_id=booking.member_id,
        seat_no=booking.seat_no,
        channel=booking.channel.value,
        drop_in=booking.is_drop_in,
        pays_with=pays.terms.sale_id if pays else None,
        warning=admission.warning,
    )
    session.flush()


def _live_bookings(session: Session, class_session_id: int) -> list[Booking]:
    return list(
        session.scalars(
            select(Booking)
            .where(
                Booking.class_session_id == class_session_id,
                Booking.status.in_(SEAT_HOLDING_STATUSES),
            )
            .order_by(Booking.seat_no)
        )
    )


def _move_off_missing_seats(
    session: Session, bookings: list[Booking], capacity: int
) -> tuple[tuple[int, int, int], ...]:
    """Seats above the new capacity no longer exist: their holders take the lowest free ones."""
    taken = {b.seat_no for b in bookings}
    free = iter(n for n in range(1, capacity + 1) if n not in taken)
    moved = []
    for booking in bookings:
        if booking.seat_no > capacity:
            new_seat = next(free)
            moved.append((booking.id, booking.seat_no, new_seat))
            booking.seat_no = new_seat
            session.flush()
    return tuple(moved)


def set_capacity(
    session: Session,
    *,
    class_session_id: int,
    capacity: int,
    actor: Actor,
    now: datetime | None = None,
) -> CapacityChange:
    """Change a class's seats. Never below the seats already booked or on offer.

    Raising it hands the new seats to the waitlist.
    """
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="change a class's capacity")
    now = now or utcnow()
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(f"Capacity must be a whole number from 1 to {MAX_CAPACITY}.")
    cs = seats.load_class_session(session, class_session_id)
    if cs.kind is not SessionKind.CLASS:
        raise InvalidInput("A private appointment always has one place.")
    if cs.status is SessionStatus.CANCELLED:
        raise InvalidTransition("That class was cancelled.")
    live = _live_bookings(session, cs.id)
    offers = seats.open_offers(session, cs.id, now)
    if capacity < len(live) + offers:
        held = f" and {offers} seat(s) are on offer to the waitlist" if offers else ""
        raise CapacityBelowBooked(
            f"{len(live)} people are booked{held}; capacity cannot go below {len(live) + offers}."
        )
    old = cs.capacity
    cs.capacity = capacity
    moved = _move_off_missing_seats(session, live, capacity)
    audit.record(
        session,
        actor,
        "class_session.capacity",
        "class_session",
        cs.id,
        now=now,
        old=old,
        new=capacity,
        moved=moved,
    )
    session.flush()
    events = waitlist.seat_freed(session, class_session_id=cs.id, now=now) if capacity > old else []
    return CapacityChange(cs.id, capacity, len(live), moved, tuple(events))


def cancel_class_session(
    session: Session,
    *,
    class_session_id: int,
    actor: Actor,
    reason: str = "",
    now: datetime | None = None,
) -> SessionCancellation:
    """The studio cancels a class: every booking is cancelled at no cost, the waitlist closes."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="cancel a class")
    now = now or utcnow()
    cs = seats.load_class_session(session, class_session_id)
    if cs.status is SessionStatus.CANCELLED:
        return SessionCancellation(cs.id, (), (), (), already_cancelled=True)
    completed = session.scalar(
        select(func.count()).where(
            Booking.class_session_id == cs.id, Booking.status == BookingStatus.COMPLETED
        )
    )
    if completed:
        raise InvalidTransition(
            f"{completed} member(s) already checked in; revert their check-ins first."
        )
    cancelled = _live_bookings(session, cs.id)
    for booking in cancelled:
        booking.status = BookingStatus.CANCELLED
        booking.status_changed_at = now
    cs.status = SessionStatus.CANCELLED
    session.flush()
    closed = waitlist.close_for_session(session, class_session_id=cs.id, now=now)
    audit.record(
        session,
        actor,
        "class_session.cancel",
        "class_session",
        cs.id,
        now=now,
        reason=reason.strip(),
        bookings=[b.id for b in cancelled],
    )
    session.flush()
    return SessionCancellation(
        class_session_id=cs.id,
        cancelled_booking_ids=tuple(b.id for b in cancelled),
        member_ids=tuple(b.member_id for b in cancelled),
        closed_waitlist_entry_ids=tuple(e.entry_id for e in closed),
    )
