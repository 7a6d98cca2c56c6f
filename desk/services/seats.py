"""Claiming a seat: the one place a live booking row is created (booking, waitlist, reschedule).

Seats are `1..capacity`. The caller's transaction is a `BEGIN IMMEDIATE` one, so on SQLite the
free-seat read and the insert cannot interleave with another writer; the partial unique index on
(class session, seat) among live bookings is the guarantee when that is not so (PostgreSQL, or a
bug): an insert that collides writes nothing (ON CONFLICT DO NOTHING) and the next free seat is
tried. What a claim reads is in `desk.services.seat_reads`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.entitlements import Draw, Holding
from desk.domain.enums import (
    WAITLIST_OPEN_STATUSES,
    BookingStatus,
    Channel,
    ServiceKind,
    SessionStatus,
    StaffRole,
    WaitlistStatus,
)
from desk.domain.errors import (
    AlreadyBooked,
    BookingClosed,
    ClassFull,
    InvalidInput,
    OverlappingBooking,
    SeatTaken,
)
from desk.domain.policies import noshow_tally, seats_available
from desk.domain.timeutil import weekday_day_month
from desk.services import holdings, noshows
from desk.services.actor import Actor
from desk.services.seat_reads import (
    Queue,
    SeatMap,
    SessionFacts,
    facts_of,
    insert_booking,
    load_class_session,
    load_member,
    noshows_since,
    overlapping_session_id,
    queue_of,
    read_facts,
    seat_map,
)
from desk.services.settings import StudioPolicy, get_policy
from desk.store.models import Booking, ClassSession, WaitlistEntry

__all__ = [
    "Admission",
    "BookingResult",
    "Claim",
    "Queue",
    "SeatMap",
    "SessionFacts",
    "admit",
    "claim_seat",
    "describe",
    "facts_of",
    "free_seats",
    "full",
    "load_class_session",
    "load_member",
    "open_offers",
    "overlap",
    "queue_of",
    "read_facts",
    "refuse_if_booked",
    "refuse_if_closed",
    "refuse_if_overlapping",
    "result_of",
    "seat_map",
    "take_seat",
    "taken_seats",
    "waitlist_length",
]


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


def describe(
    session: Session, cs: ClassSession | SessionFacts, policy: StudioPolicy | None = None
) -> str:
    """ "Reformer Pilates on Mon 3 Nov 18:00" in the studio's own time."""
    facts = facts_of(cs)
    local = facts.starts_at.astimezone((policy or get_policy(session)).tz)
    return f"{facts.service_name} on {weekday_day_month(local)} {local:%H:%M}"


def refuse_if_closed(session: Session, cs: ClassSession | SessionFacts, now: datetime) -> None:
    if cs.status is SessionStatus.CANCELLED:
        raise BookingClosed(f"{describe(session, cs)} was cancelled.")
    if now >= cs.starts_at:
        raise BookingClosed(f"{describe(session, cs)} has already started; it cannot be booked.")


def refuse_if_overlapping(
    session: Session, *, member_id: int, cs: ClassSession | SessionFacts
) -> None:
    """A member is in one place at a time: no live booking in a session overlapping `cs`."""
    facts = facts_of(cs)
    other_id = overlapping_session_id(session, member_id, facts)
    if other_id is not None:
        raise overlap(session, other_id, facts)


def overlap(
    session: Session, other_id: int, cs: SessionFacts, policy: StudioPolicy | None = None
) -> OverlappingBooking:
    """The refusal for a member already booked into session `other_id`, which overlaps `cs`."""
    other = describe(session, load_class_session(session, other_id), policy)
    return OverlappingBooking(
        f"The member is already booked into {other}, which overlaps "
        f"{describe(session, cs, policy)}.",
        other_class_session_id=other_id,
    )


def taken_seats(session: Session, class_session_id: int) -> set[int]:
    return set(seat_map(session, class_session_id).taken)


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


def full(
    session: Session,
    cs: ClassSession | SessionFacts,
    *,
    waiting: int | None = None,
    policy: StudioPolicy | None = None,
) -> ClassFull:
    """The refusal for a class with no free seat; `waiting` when the caller read the queue."""
    if waiting is None:
        waiting = waitlist_length(session, cs.id)
    return ClassFull(
        f"{describe(session, cs, policy)} is full ({waiting} waiting); "
        "the member can join the waitlist.",
        class_session_id=cs.id,
        waitlist_length=waiting,
    )


def refuse_if_booked(session: Session, class_session_id: int, member_id: int) -> None:
    if member_id in seat_map(session, class_session_id).holders:
        raise AlreadyBooked("The member is already booked into this session.")


def _noshow_warning(
    session: Session,
    policy: StudioPolicy,
    *,
    member_id: int,
    kind: ServiceKind,
    channel: Channel,
    now: datetime,
) -> str | None:
    """None when the member is not restricted (one short read); otherwise the no-show
    service's own answer: `BookingRestricted` online, the warning at the desk."""
    rule = policy.for_kind(kind)
    since = now - timedelta(days=rule.noshow_window_days)
    occurred, lifted_at = noshows_since(session, member_id, kind, since)
    tally = noshow_tally(
        occurred,
        now=now,
        threshold=rule.noshow_threshold,
        window_days=rule.noshow_window_days,
        lifted_at=lifted_at,
    )
    if not tally.restricted:
        return None
    if channel is Channel.WHATSAPP:
        noshows.refuse_if_restricted(session, member_id=member_id, kind=kind, now=now)
    return noshows.standing(session, member_id=member_id, kind=kind, now=now).warning


def admit(
    session: Session,
    *,
    cs: ClassSession | SessionFacts,
    member_id: int,
    channel: Channel,
    actor: Actor,
    drop_in: bool,
    now: datetime,
    exclude_booking_ids: Collection[int] = (),
    policy: StudioPolicy | None = None,
    pending: Sequence[Draw] | None = None,
) -> Admission:
    """The no-show restriction and entitlement checks every new booking passes (no writes).

    `pending`: the member's upcoming bookings as draws, when the caller has already read them.
    """
    facts = facts_of(cs)
    policy = policy or get_policy(session)
    session.flush()
    warning = _noshow_warning(
        session, policy, member_id=member_id, kind=facts.service_kind, channel=channel, now=now
    )
    if drop_in:
        actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="book a drop-in")
        return Admission(pays_with=None, warning=warning)
    chosen = holdings.choose_for_booking(
        session,
        member_id=member_id,
        service_id=facts.service_id,
        starts_at=facts.starts_at,
        tz=policy.tz,
        exclude_booking_ids=exclude_booking_ids,
        now=now,
        pending=pending,
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


def _pick_seat(
    session: Session, facts: SessionFacts, seat_no: int | None, taken: frozenset[int], held: int
) -> int:
    cap = facts.capacity
    if seats_available(capacity=cap, held_by_bookings=len(taken), held_by_offers=held) < 1:
        raise full(session, facts)
    if seat_no is None:
        lowest = min((n for n in range(1, cap + 1) if n not in taken), default=None)
        if lowest is None:  # only if seats above the capacity were written by hand
            raise full(session, facts)
        return lowest
    if seat_no in taken:
        free = ", ".join(str(n) for n in range(1, cap + 1) if n not in taken)
        raise SeatTaken(f"Seat {seat_no} is taken; free seats: {free}.")
    return seat_no


@dataclass(frozen=True)
class Claim:
    """Who takes a seat in which class, how, and what the claim already read."""

    facts: SessionFacts
    member_id: int
    channel: Channel
    actor: Actor
    now: datetime
    seats: SeatMap
    #: Seats held for other members' live waitlist offers.
    offers_held: int
    seat_no: int | None = None
    drop_in: bool = False
    rescheduled_from_id: int | None = None


def take_seat(session: Session, claim: Claim) -> tuple[int, int]:
    """Insert the live booking on the lowest free seat (or the chosen one): (booking id, seat).

    `ClassFull` / `SeatTaken` when there is none. The caller's transaction is a BEGIN IMMEDIATE
    one, so on SQLite nobody else wrote since `claim.seats` was read; the unique indexes are the
    guarantee when that is not so (PostgreSQL, or a bug), and a collision re-reads the seats.
    """
    facts, taken = claim.facts, claim.seats
    for _attempt in range(facts.capacity + 1):
        seat = _pick_seat(session, facts, claim.seat_no, taken.taken, claim.offers_held)
        booking_id = insert_booking(
            session,
            {
                "member_id": claim.member_id, "class_session_id": facts.id, "seat_no": seat,
                "status": BookingStatus.BOOKED, "channel": claim.channel,
                "is_drop_in": claim.drop_in, "created_by": claim.actor.staff_user_id,
                "created_at": claim.now, "status_changed_at": claim.now,
                "rescheduled_from_id": claim.rescheduled_from_id,
            },
        )  # fmt: skip
        if booking_id is not None:
            return booking_id, seat
        # Someone else holds a live booking we did not see. If it was this member, that is a
        # double booking; otherwise the seat went: try the next one.
        taken = seat_map(session, facts.id)
        if claim.member_id in taken.holders:
            raise AlreadyBooked("The member is already booked into this session.")
        if claim.seat_no is not None:
            raise SeatTaken(f"Seat {claim.seat_no} was just taken; pick another.")
    raise full(session, facts)


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
    A member already booked into an overlapping session gets `OverlappingBooking`.
    """
    if seat_no is not None and not 1 <= seat_no <= cs.capacity:
        raise InvalidInput(f"Seats in this class are numbered 1 to {cs.capacity}.")
    session.flush()
    refuse_if_overlapping(session, member_id=member_id, cs=cs)
    claim = Claim(
        facts=facts_of(cs),
        member_id=member_id,
        channel=channel,
        actor=actor,
        now=now,
        seats=seat_map(session, cs.id),
        offers_held=open_offers(session, cs.id, now, except_entry_id=offer_entry_id),
        seat_no=seat_no,
        drop_in=drop_in,
        rescheduled_from_id=rescheduled_from_id,
    )
    booking_id, _seat = take_seat(session, claim)
    booking = session.get(Booking, booking_id)
    assert booking is not None
    return booking


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
