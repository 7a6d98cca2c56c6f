"""Cancelling and rescheduling bookings, with the studio's late-cancel policy stated up front.

Cancelling frees the seat (the waitlist gets it). Inside the late-cancel window the policy for
the service kind applies: nothing, deduct a session, or count as a no-show (which also deducts
when the no-show rule for that kind does). `cancellation_preview` says what will happen before
anyone confirms. Rescheduling moves a booking in one step: if the new class is full, the old
booking stays exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from desk.domain.enums import (
    BookingStatus,
    Channel,
    NoShowReason,
    SessionKind,
    SessionStatus,
    StaffRole,
)
from desk.domain.errors import (
    BookingClosed,
    InvalidInput,
    InvalidTransition,
    NoEntitlement,
    NotAllowed,
)
from desk.domain.policies import CancelConsequence, cancel_consequence, is_late_cancel
from desk.services import appointments, audit, booking, holdings, waitlist
from desk.services.actor import Actor
from desk.services.attendance import record_noshow
from desk.services.ledger import Consumption, consume_for, load_booking
from desk.services.seats import BookingResult
from desk.services.settings import get_policy
from desk.services.waitlist import WaitlistEvent
from desk.store.models import Booking
from desk.store.types import utcnow

_CANCELLED = (BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED)


@dataclass(frozen=True)
class CancellationPreview:
    booking_id: int
    late: bool
    consequence: CancelConsequence
    #: The package or membership a deduction would come from; None if nothing would pay.
    would_deduct_from: str | None
    late_cancel_hours: int
    #: What to tell the member or the receptionist before they confirm.
    message: str


@dataclass(frozen=True)
class CancellationResult:
    booking_id: int
    status: BookingStatus
    late: bool
    consequence: CancelConsequence
    consumption: Consumption | None
    noshow_recorded: bool
    message: str
    waitlist: tuple[WaitlistEvent, ...]
    already_done: bool = False


@dataclass(frozen=True)
class RescheduleResult:
    old_booking_id: int
    booking: BookingResult
    waitlist: tuple[WaitlistEvent, ...]


def _consequence(
    session: Session, live: Booking, now: datetime, waive: bool
) -> tuple[CancelConsequence, int]:
    policy = get_policy(session)
    cs = live.class_session
    rule = policy.for_kind(cs.service.kind)
    late = is_late_cancel(
        starts_at=cs.starts_at, now=now, late_cancel_hours=policy.late_cancel_hours
    )
    consequence = cancel_consequence(
        late=late, policy=rule.late_cancel, noshow_deducts=rule.noshow_deducts, waived=waive
    )
    return consequence, policy.late_cancel_hours


def _would_pay(session: Session, live: Booking) -> str | None:
    if live.is_drop_in:
        return None
    cs = live.class_session
    try:
        chosen = holdings.choose_for_consumption(
            session,
            member_id=live.member_id,
            service_id=cs.service_id,
            starts_at=cs.starts_at,
            tz=get_policy(session).tz,
        )
    except NoEntitlement:
        return None
    return chosen.terms.name


def _message(
    consequence: CancelConsequence, hours: int, pays: str | None, *, done: bool = False
) -> str:
    """The consequence in plain words: before confirming (`done=False`) or after."""
    if not consequence.late:
        return "Cancelled at no cost." if done else "Cancelling now costs nothing."
    opening = (
        f"Cancelled late (less than {hours} h before the start)"
        if done
        else f"This is a late cancellation (less than {hours} h before the start)"
    )
    if consequence.costs_nothing:
        return f"{opening}, at no cost." if done else f"{opening}, but it costs nothing."
    parts = []
    if consequence.counts_as_noshow:
        parts.append("it counts as a no-show")
    if consequence.deducts and pays:
        parts.append(f"one session {'was' if done else 'is'} deducted from {pays}")
    elif consequence.deducts:
        parts.append("one session is due and no package covers it: collect it at the desk")
    return f"{opening}: {' and '.join(parts)}."


def _refuse_uncancellable(live: Booking, actor: Actor, now: datetime) -> None:
    if live.status is BookingStatus.COMPLETED:
        raise InvalidTransition("The member was checked in; undo the check-in first.")
    if live.status is not BookingStatus.BOOKED:
        raise InvalidTransition(f"This booking is {live.status.value.replace('_', ' ')}.")
    if now >= live.class_session.starts_at and not actor.is_staff:
        raise BookingClosed("The session has started; please contact reception.")


def cancellation_preview(
    session: Session, *, booking_id: int, now: datetime | None = None, waive: bool = False
) -> CancellationPreview:
    """What cancelling this booking now would cost, without changing anything."""
    now = now or utcnow()
    live = load_booking(session, booking_id)
    consequence, hours = _consequence(session, live, now, waive)
    pays = _would_pay(session, live) if consequence.deducts else None
    return CancellationPreview(
        booking_id=live.id,
        late=consequence.late,
        consequence=consequence,
        would_deduct_from=pays,
        late_cancel_hours=hours,
        message=_message(consequence, hours, pays),
    )


def cancel(
    session: Session,
    *,
    booking_id: int,
    actor: Actor,
    waive: bool = False,
    reason: str = "",
    now: datetime | None = None,
) -> CancellationResult:
    """Cancel a booking; the seat goes to the waitlist. Cancelling twice changes nothing.

    `waive` (desk staff only) lets a late cancellation off the studio's policy.
    """
    now = now or utcnow()
    live = load_booking(session, booking_id)
    if live.status in _CANCELLED:
        consequence, hours = _consequence(session, live, now, waive=True)
        return CancellationResult(
            live.id, live.status, False, consequence, None, False, "Already cancelled.", (), True
        )
    _refuse_uncancellable(live, actor, now)
    if waive:
        actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="waive a late cancellation")
    consequence, hours = _consequence(session, live, now, waive)
    consumption = None
    if consequence.deducts:
        consumption, _ = consume_for(
            session, booking=live, actor=actor, reason="late cancellation", now=now
        )
    noshow = False
    if consequence.counts_as_noshow:
        noshow = record_noshow(
            session, booking=live, reason=NoShowReason.LATE_CANCEL, actor=actor, now=now
        )
    return _finish_cancel(
        session, live, actor, consequence, consumption, noshow, reason, now, hours
    )


def _finish_cancel(
    session: Session,
    live: Booking,
    actor: Actor,
    consequence: CancelConsequence,
    consumption: Consumption | None,
    noshow: bool,
    reason: str,
    now: datetime,
    hours: int,
) -> CancellationResult:
    cs = live.class_session
    live.status = BookingStatus.LATE_CANCELLED if consequence.late else BookingStatus.CANCELLED
    live.status_changed_at = now
    if cs.kind is SessionKind.APPOINTMENT:
        # The appointment existed for this booking only: the trainer's time is free again.
        cs.status = SessionStatus.CANCELLED
    audit.record(
        session,
        actor,
        "booking.cancel",
        "booking",
        live.id,
        now=now,
        late=consequence.late,
        policy=consequence.policy,
        deducted_sale_id=consumption.sale_id if consumption else None,
        noshow=noshow,
        reason=reason.strip(),
    )
    session.flush()
    events = waitlist.seat_freed(session, class_session_id=cs.id, now=now)
    pays = consumption.entitlement if consumption else None
    return CancellationResult(
        booking_id=live.id,
        status=live.status,
        late=consequence.late,
        consequence=consequence,
        consumption=consumption,
        noshow_recorded=noshow,
        message=_message(consequence, hours, pays, done=True),
        waitlist=tuple(events),
    )


def _refuse_unmovable(session: Session, live: Booking, actor: Actor, now: datetime) -> None:
    _refuse_uncancellable(live, actor, now)
    if now >= live.class_session.starts_at:
        raise BookingClosed("The session has started; it can no longer be moved.")
    consequence, hours = _consequence(session, live, now, waive=False)
    if consequence.late and not consequence.costs_nothing and not actor.is_staff:
        raise NotAllowed(
            f"Less than {hours} h before the start it is too late to move this booking; "
            "please contact reception."
        )


def _release(session: Session, live: Booking, now: datetime) -> None:
    live.status = BookingStatus.CANCELLED
    live.status_changed_at = now
    if live.class_session.kind is SessionKind.APPOINTMENT:
        live.class_session.status = SessionStatus.CANCELLED
    session.flush()


def reschedule(
    session: Session,
    *,
    booking_id: int,
    to_class_session_id: int,
    actor: Actor,
    seat_no: int | None = None,
    now: datetime | None = None,
) -> RescheduleResult:
    """Move a group booking to another class in one step, at no cost.

    If the new class is full (`ClassFull`) or anything else is refused, nothing changes: the
    member keeps their seat. Online, a move inside the late-cancel window is refused when the
    policy would charge for cancelling; desk staff may always move.
    """
    now = now or utcnow()
    live = load_booking(session, booking_id)
    if live.class_session.kind is not SessionKind.CLASS:
        raise InvalidInput("Move a private appointment to a new time instead.")
    if to_class_session_id == live.class_session_id:
        raise InvalidInput("The booking is already in that class.")
    _refuse_unmovable(session, live, actor, now)
    channel = Channel.DESK if actor.is_staff else Channel.WHATSAPP
    with session.begin_nested():
        _release(session, live, now)
        moved = booking.book(
            session,
            class_session_id=to_class_session_id,
            member_id=live.member_id,
            actor=actor,
            channel=channel,
            seat_no=seat_no,
            drop_in=live.is_drop_in and actor.is_staff,
            now=now,
        )
        _link(session, live, moved, actor, now)
    events = waitlist.seat_freed(session, class_session_id=live.class_session_id, now=now)
    return RescheduleResult(live.id, moved, tuple(events))


def _link(
    session: Session, live: Booking, moved: BookingResult, actor: Actor, now: datetime
) -> None:
    new = load_booking(session, moved.booking_id)
    new.rescheduled_from_id = live.id
    audit.record(
        session, actor, "booking.reschedule", "booking", live.id, now=now, to_booking=new.id
    )
    session.flush()


def reschedule_appointment(
    session: Session,
    *,
    booking_id: int,
    starts_at: datetime,
    actor: Actor,
    trainer_id: int | None = None,
    room_id: int | None = None,
    now: datetime | None = None,
) -> RescheduleResult:
    """Move a private appointment to a new time (and trainer/room), in one step, at no cost."""
    now = now or utcnow()
    live = load_booking(session, booking_id)
    old = live.class_session
    if old.kind is not SessionKind.APPOINTMENT:
        raise InvalidInput("Move a group booking to another class instead.")
    _refuse_unmovable(session, live, actor, now)
    with session.begin_nested():
        _release(session, live, now)
        moved = appointments.book_appointment(
            session,
            member_id=live.member_id,
            service_id=old.service_id,
            trainer_id=trainer_id or old.trainer_id,
            room_id=room_id if room_id is not None else old.room_id,
            starts_at=starts_at,
            actor=actor,
            channel=Channel.DESK if actor.is_staff else Channel.WHATSAPP,
            drop_in=live.is_drop_in and actor.is_staff,
            now=now,
        )
        _link(session, live, moved, actor, now)
    return RescheduleResult(live.id, moved, ())
