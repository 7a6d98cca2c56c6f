"""How full sessions are ("6/8", 2 waiting), for one session or a whole range in ONE query.

The schedule shows dozens of sessions at once, so the counts come from grouped subqueries joined
to the sessions in a single statement, never one query per session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import BindParameter, ColumnElement, bindparam, func, select
from sqlalchemy.orm import Session

from desk.domain.enums import (
    SEAT_HOLDING_STATUSES,
    WAITLIST_OPEN_STATUSES,
    SessionKind,
    SessionStatus,
    WaitlistStatus,
)
from desk.domain.errors import InvalidInput, NotFound
from desk.domain.timeutil import day_bounds, require_aware
from desk.services.settings import get_policy
from desk.store.models import Booking, ClassSession, WaitlistEntry
from desk.store.prepared import Prepared, literal_in
from desk.store.types import utcnow


@dataclass(frozen=True)
class Occupancy:
    class_session_id: int
    kind: SessionKind
    status: SessionStatus
    service_id: int
    trainer_id: int
    room_id: int | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    #: Live bookings (booked or checked in).
    booked: int
    #: Open waitlist entries (waiting or holding an offer).
    waiting: int
    #: Seats held for waitlisted members who may still accept.
    on_offer: int

    @property
    def label(self) -> str:
        return f"{self.booked}/{self.capacity}"

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked - self.on_offer)

    @property
    def is_full(self) -> bool:
        return self.free == 0


_CS = ClassSession.__table__.c


def _counts(sessions: ColumnElement[bool]) -> Prepared:
    """Sessions matching `sessions` with their three counts, in one statement (`:now` bound)."""
    now: BindParameter[datetime] = bindparam("now")
    in_scope = select(ClassSession.id).where(sessions)
    booked = (
        select(Booking.class_session_id.label("sid"), func.count().label("n"))
        .where(
            literal_in(Booking.__table__.c.status, SEAT_HOLDING_STATUSES),
            Booking.class_session_id.in_(in_scope),
        )
        .group_by(Booking.class_session_id)
        .subquery()
    )
    waiting = (
        select(WaitlistEntry.class_session_id.label("sid"), func.count().label("n"))
        .where(
            literal_in(WaitlistEntry.__table__.c.status, WAITLIST_OPEN_STATUSES),
            WaitlistEntry.class_session_id.in_(in_scope),
        )
        .group_by(WaitlistEntry.class_session_id)
        .subquery()
    )
    offered = (
        select(WaitlistEntry.class_session_id.label("sid"), func.count().label("n"))
        .where(
            WaitlistEntry.status == WaitlistStatus.OFFERED,
            WaitlistEntry.offer_expires_at > now,
            WaitlistEntry.class_session_id.in_(in_scope),
        )
        .group_by(WaitlistEntry.class_session_id)
        .subquery()
    )
    # Plain columns, run prepared: every schedule view and WhatsApp question asks for this.
    return Prepared(
        select(
            _CS.id,
            _CS.kind,
            _CS.status,
            _CS.service_id,
            _CS.trainer_id,
            _CS.room_id,
            _CS.starts_at,
            _CS.ends_at,
            _CS.capacity,
            func.coalesce(booked.c.n, 0).label("booked"),
            func.coalesce(waiting.c.n, 0).label("waiting"),
            func.coalesce(offered.c.n, 0).label("offered"),
        )
        .outerjoin(booked, booked.c.sid == ClassSession.id)
        .outerjoin(waiting, waiting.c.sid == ClassSession.id)
        .outerjoin(offered, offered.c.sid == ClassSession.id)
        .where(sessions)
        .order_by(ClassSession.starts_at, ClassSession.id)
    )


# Built once per shape and executed with its values: building this statement (three grouped
# subqueries) cost more than running it, and the booking assistant asks for it on every request.
@cache
def _one_session() -> Prepared:
    return _counts(ClassSession.id == bindparam("class_session_id"))


@cache
def _between(include_cancelled: bool) -> Prepared:
    sessions = (ClassSession.starts_at >= bindparam("starts_from")) & (
        ClassSession.starts_at < bindparam("starts_before")
    )
    if not include_cancelled:
        sessions = sessions & (ClassSession.status == SessionStatus.SCHEDULED)
    return _counts(sessions)


def _run(session: Session, statement: Prepared, **values: object) -> list[Occupancy]:
    session.flush()  # the statement runs beside the ORM: it must see pending changes
    return [
        Occupancy(
            class_session_id=sid,
            kind=kind,
            status=status,
            service_id=service_id,
            trainer_id=trainer_id,
            room_id=room_id,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            booked=int(booked),
            waiting=int(waiting),
            on_offer=int(offered),
        )
        for (
            sid, kind, status, service_id, trainer_id, room_id, starts_at, ends_at, capacity,
            booked, waiting, offered,
        ) in statement.rows(session, values)
    ]  # fmt: skip


def occupancy(session: Session, *, class_session_id: int, now: datetime | None = None) -> Occupancy:
    found = _run(session, _one_session(), class_session_id=class_session_id, now=now or utcnow())
    if not found:
        raise NotFound(f"No class session #{class_session_id}.")
    return found[0]


def occupancy_between(
    session: Session,
    *,
    starts_from: datetime,
    starts_before: datetime,
    include_cancelled: bool = False,
    now: datetime | None = None,
) -> list[Occupancy]:
    """Every session starting in [starts_from, starts_before), in time order, in one query."""
    require_aware(starts_from, "start of the range")
    require_aware(starts_before, "end of the range")
    if starts_before <= starts_from:
        raise InvalidInput("The range must end after it starts.")
    return _run(
        session,
        _between(include_cancelled),
        starts_from=starts_from,
        starts_before=starts_before,
        now=now or utcnow(),
    )


def occupancy_on(
    session: Session, *, day: date, include_cancelled: bool = False, now: datetime | None = None
) -> list[Occupancy]:
    """One studio day (its local midnight to midnight, whatever DST does)."""
    start, end = day_bounds(day, get_policy(session).tz)
    return occupancy_between(
        session,
        starts_from=start,
        starts_before=end,
        include_cancelled=include_cancelled,
        now=now,
    )
