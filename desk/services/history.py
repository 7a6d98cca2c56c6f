"""Read-only lists staff look at: a class roster, a member's bookings, a member's ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.enums import BookingStatus, Channel, LedgerKind
from desk.store.models import (
    Booking,
    ClassSession,
    LedgerEntry,
    Member,
    Sale,
    Service,
    StaffUser,
    Trainer,
)


@dataclass(frozen=True)
class RosterSeat:
    booking_id: int
    seat_no: int
    member_id: int
    member_name: str
    status: BookingStatus
    is_drop_in: bool
    channel: Channel
    completion_round: int
    created_at: datetime


def roster(session: Session, *, class_session_id: int) -> list[RosterSeat]:
    """Every booking of a session, live ones first by seat, released ones after."""
    rows = session.execute(
        select(Booking, Member.full_name)
        .join(Member, Member.id == Booking.member_id)
        .where(Booking.class_session_id == class_session_id)
        .order_by(Booking.seat_no, Booking.id)
    )
    seats = [
        RosterSeat(
            booking_id=b.id,
            seat_no=b.seat_no,
            member_id=b.member_id,
            member_name=name,
            status=b.status,
            is_drop_in=b.is_drop_in,
            channel=b.channel,
            completion_round=b.completion_round,
            created_at=b.created_at,
        )
        for b, name in rows
    ]
    live = (BookingStatus.BOOKED, BookingStatus.COMPLETED)
    return sorted(seats, key=lambda s: (s.status not in live, s.seat_no, s.booking_id))


@dataclass(frozen=True)
class MemberBooking:
    booking_id: int
    class_session_id: int
    service_name: str
    trainer_name: str
    starts_at: datetime
    status: BookingStatus
    seat_no: int
    is_drop_in: bool
    channel: Channel


def member_bookings(session: Session, *, member_id: int, limit: int = 200) -> list[MemberBooking]:
    """A member's bookings, newest session first."""
    rows = session.execute(
        select(Booking, ClassSession.starts_at, Service.name, Trainer.name)
        .join(ClassSession, ClassSession.id == Booking.class_session_id)
        .join(Service, Service.id == ClassSession.service_id)
        .join(Trainer, Trainer.id == ClassSession.trainer_id)
        .where(Booking.member_id == member_id)
        .order_by(ClassSession.starts_at.desc(), Booking.id.desc())
        .limit(limit)
    )
    return [
        MemberBooking(
            booking_id=b.id,
            class_session_id=b.class_session_id,
            service_name=service,
            trainer_name=trainer,
            starts_at=starts_at,
            status=b.status,
            seat_no=b.seat_no,
            is_drop_in=b.is_drop_in,
            channel=b.channel,
        )
        for b, starts_at, service, trainer in rows
    ]


@dataclass(frozen=True)
class LedgerLine:
    at: datetime
    kind: LedgerKind
    delta: int
    sale_id: int
    product_name: str
    booking_id: int | None
    reason: str
    staff_name: str


def ledger_history(session: Session, *, member_id: int, limit: int = 500) -> list[LedgerLine]:
    """Every balance change of a member, newest first: the proof behind each number."""
    rows = session.execute(
        select(LedgerEntry, Sale.product_name, StaffUser.name)
        .join(Sale, Sale.id == LedgerEntry.sale_id)
        .outerjoin(StaffUser, StaffUser.id == LedgerEntry.created_by)
        .where(LedgerEntry.member_id == member_id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        .limit(limit)
    )
    return [
        LedgerLine(
            at=entry.created_at,
            kind=entry.kind,
            delta=entry.delta,
            sale_id=entry.sale_id,
            product_name=product,
            booking_id=entry.booking_id,
            reason=entry.reason,
            staff_name=staff or "",
        )
        for entry, product, staff in rows
    ]
