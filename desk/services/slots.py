"""Free time for private appointments, and the checks that nobody is double-booked.

A trainer's bookable time is their weekly hours (local wall-clock, resolved per date so DST is
right) plus extra hours, minus time off, minus every class or appointment they already have.
`assert_trainer_free` / `assert_room_free` are the single rule for "busy": the timetable and the
booking engine call them before placing anything on the calendar.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, not_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from desk.domain.enums import (
    BookingStatus,
    ExceptionKind,
    ServiceKind,
    SessionKind,
    SessionStatus,
)
from desk.domain.errors import InvalidInput, NotFound, ScheduleConflict
from desk.domain.timeutil import local_datetime, require_aware, weekday_day_month
from desk.services.settings import get_policy
from desk.store.models import (
    Booking,
    ClassSession,
    Room,
    Service,
    Trainer,
    TrainerAvailability,
    TrainerException,
)
from desk.store.types import utcnow

Interval = tuple[datetime, datetime]
#: Longest range one free-slot query may cover; a calendar shows a week or a month.
MAX_RANGE_DAYS = 62
#: Bookings that keep an appointment's time taken (a no-show still used the trainer's hour).
_TAKES_TIME = (BookingStatus.BOOKED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


@dataclass(frozen=True)
class Slot:
    trainer_id: int
    service_id: int
    room_id: int | None
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class BusySession:
    id: int
    trainer_id: int
    room_id: int | None
    starts_at: datetime
    ends_at: datetime
    service_name: str
    trainer_name: str


# --- intervals ------------------------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of intervals, sorted; touching intervals join."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(free: Sequence[Interval], taken: Iterable[Interval]) -> list[Interval]:
    """`free` minus every `taken` interval."""
    result = list(free)
    for t_start, t_end in merge(taken):
        pieces: list[Interval] = []
        for start, end in result:
            if t_end <= start or t_start >= end:
                pieces.append((start, end))
                continue
            if start < t_start:
                pieces.append((start, t_start))
            if t_end < end:
                pieces.append((t_end, end))
        result = pieces
    return result


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# --- what is busy ---------------------------------------------------------------------------


def _freed_appointment() -> ColumnElement[bool]:
    """An appointment whose every booking was cancelled no longer holds the trainer's time."""
    any_booking = exists(select(Booking.id).where(Booking.class_session_id == ClassSession.id))
    live_booking = exists(
        select(Booking.id).where(
            Booking.class_session_id == ClassSession.id, Booking.status.in_(_TAKES_TIME)
        )
    )
    return and_(ClassSession.kind == SessionKind.APPOINTMENT, any_booking, not_(live_booking))


def busy_sessions(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    trainer_ids: Iterable[int] | None = None,
    room_ids: Iterable[int] | None = None,
    exclude_session_id: int | None = None,
) -> list[BusySession]:
    """Scheduled sessions overlapping [start, end) that take a trainer's or a room's time."""
    query = (
        select(ClassSession, Service.name, Trainer.name)
        .join(Service, Service.id == ClassSession.service_id)
        .join(Trainer, Trainer.id == ClassSession.trainer_id)
        .where(
            ClassSession.status == SessionStatus.SCHEDULED,
            ClassSession.starts_at < end,
            ClassSession.ends_at > start,
            not_(_freed_appointment()),
        )
        .order_by(ClassSession.starts_at)
    )
    if trainer_ids is not None:
        query = query.where(ClassSession.trainer_id.in_(list(trainer_ids)))
    if room_ids is not None:
        query = query.where(ClassSession.room_id.in_(list(room_ids)))
    if exclude_session_id is not None:
        query = query.where(ClassSession.id != exclude_session_id)
    return [
        BusySession(
            id=row.id,
            trainer_id=row.trainer_id,
            room_id=row.room_id,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            service_name=service_name,
            trainer_name=trainer_name,
        )
        for row, service_name, trainer_name in session.execute(query)
    ]


def time_off(
    session: Session, trainer_ids: Iterable[int], start: datetime, end: datetime
) -> list[tuple[int, Interval]]:
    query = select(TrainerException).where(
        TrainerException.trainer_id.in_(list(trainer_ids)),
        TrainerException.kind == ExceptionKind.TIME_OFF,
        TrainerException.starts_at < end,
        TrainerException.ends_at > start,
    )
    return [(r.trainer_id, (r.starts_at, r.ends_at)) for r in session.scalars(query)]


def when(interval: Interval, tz: ZoneInfo) -> str:
    """ "Tue 10 Mar 18:00-18:50" in the studio's time, for messages."""
    start, end = (t.astimezone(tz) for t in interval)
    if start.date() == end.date():
        return f"{weekday_day_month(start)} {start:%H:%M}-{end:%H:%M}"
    return f"{weekday_day_month(start)} {start:%H:%M} to {weekday_day_month(end)} {end:%H:%M}"


def _check_interval(starts_at: datetime, ends_at: datetime) -> None:
    require_aware(starts_at, "start")
    require_aware(ends_at, "end")
    if starts_at >= ends_at:
        raise InvalidInput("The end must be after the start.")


def assert_trainer_free(
    session: Session,
    trainer_id: int,
    starts_at: datetime,
    ends_at: datetime,
    exclude_session_id: int | None = None,
) -> None:
    """Raise `ScheduleConflict` if the trainer is off or already teaching in that interval."""
    _check_interval(starts_at, ends_at)
    trainer = session.get(Trainer, trainer_id)
    if trainer is None:
        raise NotFound(f"Unknown trainer #{trainer_id}.")
    if not trainer.active:
        raise ScheduleConflict(f"{trainer.name} no longer works here.")
    tz = get_policy(session).tz
    for _, off in time_off(session, [trainer_id], starts_at, ends_at):
        raise ScheduleConflict(f"{trainer.name} is off {when(off, tz)}.")
    busy = busy_sessions(
        session,
        starts_at,
        ends_at,
        trainer_ids=[trainer_id],
        exclude_session_id=exclude_session_id,
    )
    if busy:
        first = busy[0]
        raise ScheduleConflict(
            f"{trainer.name} already has {first.service_name} "
            f"{when((first.starts_at, first.ends_at), tz)}."
        )


def assert_room_free(
    session: Session,
    room_id: int,
    starts_at: datetime,
    ends_at: datetime,
    exclude_session_id: int | None = None,
) -> None:
    """Raise `ScheduleConflict` if another session uses the room in that interval."""
    _check_interval(starts_at, ends_at)
    room = session.get(Room, room_id)
    if room is None:
        raise NotFound(f"Unknown room #{room_id}.")
    if not room.active:
        raise ScheduleConflict(f"{room.name} is no longer in use.")
    busy = busy_sessions(
        session, starts_at, ends_at, room_ids=[room_id], exclude_session_id=exclude_session_id
    )
    if busy:
        first = busy[0]
        tz = get_policy(session).tz
        raise ScheduleConflict(
            f"{room.name} is taken by {first.service_name} with {first.trainer_name} "
            f"{when((first.starts_at, first.ends_at), tz)}."
        )


# --- free slots -----------------------------------------------------------------------------


def working_time(
    session: Session, trainer_id: int, first_day: date, last_day: date, tz: ZoneInfo
) -> list[Interval]:
    """Weekly hours on each day (wall-clock resolved per date) plus extra hours, merged."""
    windows = list(
        session.scalars(
            select(TrainerAvailability).where(TrainerAvailability.trainer_id == trainer_id)
        )
    )
    intervals: list[Interval] = []
    day = first_day
    while day <= last_day:
        for window in windows:
            if window.weekday == day.weekday():
                start = local_datetime(day, window.start_time, tz)
                intervals.append((start, local_datetime(day, window.end_time, tz)))
        day += timedelta(days=1)
    range_start = local_datetime(first_day, time(0), tz)
    range_end = local_datetime(last_day + timedelta(days=1), time(0), tz)
    extra = session.scalars(
        select(TrainerException).where(
            TrainerException.trainer_id == trainer_id,
            TrainerException.kind == ExceptionKind.EXTRA_HOURS,
            TrainerException.starts_at < range_end,
            TrainerException.ends_at > range_start,
        )
    )
    intervals += [(max(e.starts_at, range_start), min(e.ends_at, range_end)) for e in extra]
    return merge(i for i in intervals if i[0] < i[1])


def assert_within_hours(
    session: Session, trainer_id: int, starts_at: datetime, ends_at: datetime
) -> None:
    """Raise `ScheduleConflict` unless the interval lies inside the trainer's working time
    (weekly hours and extra hours together; time off is `assert_trainer_free`'s business)."""
    _check_interval(starts_at, ends_at)
    trainer = session.get(Trainer, trainer_id)
    if trainer is None:
        raise NotFound(f"Unknown trainer #{trainer_id}.")
    tz = get_policy(session).tz
    first, last = starts_at.astimezone(tz).date(), ends_at.astimezone(tz).date()
    working = working_time(session, trainer_id, first - timedelta(days=1), last, tz)
    if not any(start <= starts_at and ends_at <= end for start, end in working):
        raise ScheduleConflict(
            f"{when((starts_at, ends_at), tz)} is outside {trainer.name}'s working hours."
        )


def _first_aligned(at: datetime, step: int, tz: ZoneInfo) -> datetime:
    """The first instant >= `at` on a local wall-clock multiple of `step` minutes."""
    local = at.astimezone(tz)
    minutes = local.hour * 60 + local.minute + (1 if local.second or local.microsecond else 0)
    rounded = -(-minutes // step) * step
    midnight = datetime.combine(local.date(), time(0), tzinfo=tz)
    return (midnight + timedelta(minutes=rounded)).astimezone(UTC)


def _private_service(session: Session, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound(f"Unknown service #{service_id}.")
    if not service.active:
        raise InvalidInput(f"{service.name} is no longer offered.")
    if service.kind is not ServiceKind.PRIVATE:
        raise InvalidInput(f"{service.name} is a group class; book it from the timetable.")
    return service


def free_slots(
    session: Session,
    *,
    trainer_id: int,
    service_id: int,
    first_day: date,
    last_day: date,
    step_minutes: int = 30,
    room_id: int | None = None,
    now: datetime | None = None,
) -> list[Slot]:
    """Start times from `first_day` to `last_day` (studio days, inclusive) where the trainer,
    and the room if given, are free for the whole service; never in the past."""
    if step_minutes not in (5, 10, 15, 20, 30, 60):
        raise InvalidInput("Slots step by 5, 10, 15, 20, 30 or 60 minutes.")
    if last_day < first_day:
        raise InvalidInput("The last day is before the first.")
    if (last_day - first_day).days >= MAX_RANGE_DAYS:
        raise InvalidInput(f"Look at most {MAX_RANGE_DAYS} days at a time.")
    service = _private_service(session, service_id)
    trainer = session.get(Trainer, trainer_id)
    if trainer is None:
        raise NotFound(f"Unknown trainer #{trainer_id}.")
    if room_id is not None and session.get(Room, room_id) is None:
        raise NotFound(f"Unknown room #{room_id}.")
    if not trainer.active:
        return []
    tz = get_policy(session).tz
    free = working_time(session, trainer_id, first_day, last_day, tz)
    if not free:
        return []
    start, end = free[0][0], free[-1][1]
    taken = [i for _, i in time_off(session, [trainer_id], start, end)]
    taken += [
        (b.starts_at, b.ends_at)
        for b in busy_sessions(session, start, end, trainer_ids=[trainer_id])
    ]
    if room_id is not None:
        taken += [
            (b.starts_at, b.ends_at) for b in busy_sessions(session, start, end, room_ids=[room_id])
        ]
    length = timedelta(minutes=service.duration_minutes)
    earliest = now or utcnow()
    slots: list[Slot] = []
    for gap_start, gap_end in subtract(free, taken):
        at = _first_aligned(max(gap_start, earliest), step_minutes, tz)
        while at + length <= gap_end:
            slots.append(Slot(trainer_id, service_id, room_id, at, at + length))
            at += timedelta(minutes=step_minutes)
    return slots
