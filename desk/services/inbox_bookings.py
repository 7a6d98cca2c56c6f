"""Bookings beside an Inbox conversation: the member's upcoming classes, and the group classes
staff can book them into from the conversation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.enums import SEAT_HOLDING_STATUSES, SessionKind
from desk.services import occupancy
from desk.store.models import Booking, ClassSession, Service, Trainer
from desk.store.types import utcnow


@dataclass(frozen=True)
class UpcomingBooking:
    booking_id: int
    class_session_id: int
    service_name: str
    trainer_name: str
    starts_at: datetime


@dataclass(frozen=True)
class BookableClass:
    class_session_id: int
    service_name: str
    trainer_name: str
    starts_at: datetime
    free: int
    capacity: int


def upcoming_bookings(
    session: Session, *, member_id: int, now: datetime | None = None, limit: int = 10
) -> list[UpcomingBooking]:
    now = now or utcnow()
    rows = session.execute(
        select(Booking.id, ClassSession.id, Service.name, Trainer.name, ClassSession.starts_at)
        .join(ClassSession, ClassSession.id == Booking.class_session_id)
        .join(Service, Service.id == ClassSession.service_id)
        .join(Trainer, Trainer.id == ClassSession.trainer_id)
        .where(
            Booking.member_id == member_id,
            Booking.status.in_(SEAT_HOLDING_STATUSES),
            ClassSession.starts_at > now,
        )
        .order_by(ClassSession.starts_at)
        .limit(limit)
    ).all()
    return [UpcomingBooking(*row) for row in rows]


def bookable_classes(
    session: Session, *, now: datetime | None = None, days: int = 7, limit: int = 40
) -> list[BookableClass]:
    """Group classes of the coming days, in time order, with how many seats are free."""
    now = now or utcnow()
    found = occupancy.occupancy_between(
        session, starts_from=now, starts_before=now + timedelta(days=days), now=now
    )
    found = [o for o in found if o.kind is SessionKind.CLASS][:limit]
    names = _names(session, Service, {o.service_id for o in found})
    trainers = _names(session, Trainer, {o.trainer_id for o in found})
    return [
        BookableClass(
            o.class_session_id,
            names[o.service_id],
            trainers[o.trainer_id],
            o.starts_at,
            o.free,
            o.capacity,
        )
        for o in found
    ]


def _names(
    session: Session, model: type[Service] | type[Trainer], ids: Iterable[int]
) -> dict[int, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(wanted))).all())
