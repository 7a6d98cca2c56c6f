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
    CapacityBelowBooked,
    InvalidInput,
    InvalidTransition,
)
from desk.services import audit, seats, waitlist
from desk.services.actor import Actor
from desk.services.seats import BookingResult
from desk.services.validation import MAX_CAPACITY
from desk.services.waitlist import WaitlistEvent
from desk.store.models import (
    Booking,
)
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
    `AlreadyBooked`, `ClassFull` (with the waitlist length; the member may join the waitlist),
    `BookingRestricted` (online only), `NoEntitlement` (unless staff book a `drop_in`),
    `SeatTaken` / `InvalidInput` for a chosen seat.
    """
    now = now or utcnow()
    channel = channel_for(actor, channel)
    cs = seats.load_class_session(session, class_session_id)
    # Held, not just checked: the no-show check below then finds the row in the identity map.
    _member = seats.load_member(session, member_id)
    if cs.kind is not SessionKind.CLASS:
        raise InvalidInput("That is a private appointment; it cannot take another booking.")
    seats.refuse_if_closed(session, cs, now)
    seats.refuse_if_booked(session, cs.id, member_id)
    offer_id = waitlist.held_offer_id(session, class_session_id=cs.id, member_id=member_id, now=now)
    seats.refuse_if_full(session, cs, now, offer_entry_id=offer_id)
    admission = seats.admit(
        session, cs=cs, member_id=member_id, channel=channel, actor=actor, drop_in=drop_in, now=now
    )
    booking = seats.claim_seat(
        session,
        cs=cs,
        member_id=member_id,
        channel=channel,
        actor=actor,
        now=now,
        seat_no=seat_no,
        drop_in=drop_in,
        offer_entry_id=offer_id,
    )
    waitlist.booked_directly(
        session, class_session_id=cs.id, member_id=member_id, booking_id=booking.id, now=now
    )
    audit_booking(session, actor, booking, admission, now)
    return seats.result_of(booking, cs, admission)


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
