"""Undoing a no-show marked by mistake: the member was there after all.

The booking goes back to booked (on its own seat while that is free, else the lowest free one),
the no-show leaves the member's record so their count and any online-booking restriction are
worked out without it, and a session the no-show cost is given back. The give-back is a restore
row for the no-show's completion round, so the ledger's unique index allows it once; the round
then moves on, so checking the member in afterwards is a new consumption, restored at most once
in its turn. `check_in=True` checks the member in within the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.domain.enums import BookingStatus, LedgerKind, SessionStatus, StaffRole
from desk.domain.errors import InvalidTransition, SeatTaken
from desk.services import attendance, audit, noshows, seats
from desk.services.actor import Actor
from desk.services.attendance import AttendanceResult
from desk.services.ledger import (
    Consumption,
    consumption_of,
    insert_once,
    ledger_row,
    load_booking,
)
from desk.services.noshows import NoShowStanding
from desk.services.settings import get_policy
from desk.store.models import AuditEntry, Booking, LedgerEntry, NoShowRecord
from desk.store.types import utcnow

__all__ = ["NoShowUndone", "undo_noshow"]


@dataclass(frozen=True)
class NoShowUndone:
    booking_id: int
    member_id: int
    status: BookingStatus
    seat_no: int
    #: The seat the booking had when it was marked; another one when that was taken since.
    previous_seat_no: int
    #: The session the no-show had cost, given back; None when it cost nothing.
    given_back: Consumption | None
    #: The check-in done together with the undo, when it was asked for.
    check_in: AttendanceResult | None
    #: The member's no-show standing for this kind of service, without the undone no-show.
    standing: NoShowStanding

    @property
    def moved_seat(self) -> bool:
        return self.seat_no != self.previous_seat_no


def _refuse(session: Session, booking: Booking, check_in: bool, now: datetime) -> None:
    """Every reason the undo cannot happen, checked before anything is written."""
    if booking.status is not BookingStatus.NO_SHOW:
        words = booking.status.value.replace("_", " ")
        raise InvalidTransition(f"This booking is {words}, not a no-show: nothing to undo.")
    cs = booking.class_session
    if cs.status is SessionStatus.CANCELLED:
        raise InvalidTransition("That class was cancelled, so the no-show cannot be undone.")
    seats.refuse_if_booked(session, cs.id, booking.member_id)
    hours = get_policy(session).auto_noshow_after_hours
    if not check_in and hours is not None and cs.ends_at <= now - timedelta(hours=hours):
        raise InvalidTransition(
            f"The class ended more than {hours} h ago, so the automatic no-show would mark "
            "it again: undo it and check the member in instead."
        )


def _seat_back(session: Session, booking: Booking, now: datetime) -> int:
    """The booking's own seat if nobody took it since, else the lowest free one."""
    cs = booking.class_session
    taken = seats.taken_seats(session, cs.id)
    if seats.free_seats(session, cs, now) < 1:
        raise InvalidTransition(
            f"{seats.describe(session, cs)} is full now: its seats were given out after the "
            "no-show. Free a seat first, then undo the no-show."
        )
    if booking.seat_no <= cs.capacity and booking.seat_no not in taken:
        return booking.seat_no
    return min(n for n in range(1, cs.capacity + 1) if n not in taken)


def _give_back(
    session: Session, booking: Booking, actor: Actor, now: datetime
) -> LedgerEntry | None:
    """Restore what the no-show consumed (once per round); None when it consumed nothing."""
    consumed = ledger_row(session, LedgerKind.CONSUME, booking, booking.completion_round)
    if consumed is None:
        return None
    restored = LedgerEntry(
        sale_id=consumed.sale_id,
        member_id=booking.member_id,
        kind=LedgerKind.RESTORE,
        delta=-consumed.delta,
        booking_id=booking.id,
        completion_round=booking.completion_round,
        reason="no-show undone",
        created_by=actor.staff_user_id,
        created_at=now,
    )
    if not insert_once(session, restored):
        raise InvalidTransition("This no-show was just undone at another desk.")
    # The next check-in is a new round: consumed once and restored once on its own.
    booking.completion_round += 1
    return restored


def _made_unpaid_by(session: Session, booking: Booking, record: NoShowRecord | None) -> bool:
    """Whether the no-show itself found nothing to pay and turned the booking into a drop-in."""
    if record is None or not booking.is_drop_in:
        return False
    found = session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.entity == "booking",
            AuditEntry.entity_id == booking.id,
            AuditEntry.action == "booking.unpaid",
            AuditEntry.at == record.occurred_at,
        )
    )
    return found is not None


def _back_to_booked(session: Session, booking: Booking, seat_no: int, now: datetime) -> None:
    booking.seat_no = seat_no
    booking.status = BookingStatus.BOOKED
    booking.status_changed_at = now
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Another desk seated someone there between our read and this write.
        raise SeatTaken("That seat was just taken; try the undo again.") from None


def undo_noshow(
    session: Session,
    *,
    booking_id: int,
    actor: Actor,
    check_in: bool = False,
    now: datetime | None = None,
) -> NoShowUndone:
    """Reception marked a no-show by mistake: put the booking back as it was before.

    Refused when the booking is not a no-show (so undoing twice is refused), the class was
    cancelled, the member holds another seat in it, or every seat has gone since.
    """
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="undo a no-show")
    now = now or utcnow()
    booking = load_booking(session, booking_id)
    _refuse(session, booking, check_in, now)
    seat_no, previous = _seat_back(session, booking, now), booking.seat_no
    record = session.scalar(select(NoShowRecord).where(NoShowRecord.booking_id == booking.id))
    restored = _give_back(session, booking, actor, now)
    if _made_unpaid_by(session, booking, record):
        booking.is_drop_in = False
    if record is not None:
        session.delete(record)
    _back_to_booked(session, booking, seat_no, now)
    audit.record(
        session,
        actor,
        "booking.undo_noshow",
        "booking",
        booking.id,
        now=now,
        noshow_at=record.occurred_at if record else None,
        restored_sale_id=restored.sale_id if restored else None,
        seat_no=seat_no,
        previous_seat_no=previous,
        check_in=check_in,
    )
    session.flush()
    given_back = None if restored is None else consumption_of(session, restored)
    attended = None
    if check_in:
        attended = attendance.complete(session, booking_id=booking.id, actor=actor, now=now)
    kind = booking.class_session.service.kind
    return NoShowUndone(
        booking_id=booking.id,
        member_id=booking.member_id,
        status=booking.status,
        seat_no=booking.seat_no,
        previous_seat_no=previous,
        given_back=given_back,
        check_in=attended,
        standing=noshows.standing(session, member_id=booking.member_id, kind=kind, now=now),
    )
