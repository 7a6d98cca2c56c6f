"""Dated class sessions: generated from the weekly timetable, and listed for the calendar.
Re-exported by `desk.services.timetable`, which callers use.

Each wall-clock start is resolved on its own date in the studio's timezone, so 07:30 stays 07:30
across DST. An entry has one session a week: one already there is counted, never created twice
(the database's unique (timetable_entry_id, starts_at) backs this up). A session whose trainer
is off, or whose trainer or room is already busy, is skipped with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from desk.domain.enums import ServiceKind, SessionKind, SessionStatus
from desk.domain.errors import NotFound
from desk.domain.timeutil import local_date, local_datetime, require_aware, week_start
from desk.services.settings import get_policy
from desk.services.slots import Interval, busy_sessions, overlaps, time_off
from desk.store.models import ClassSession, TimetableEntry, Trainer


@dataclass(frozen=True)
class SkippedSession:
    entry_id: int
    service_name: str
    starts_at: datetime
    reason: str


@dataclass(frozen=True)
class GenerationSummary:
    created_ids: tuple[int, ...]
    #: Sessions that were already on the calendar (a second run creates nothing).
    already_there: int
    skipped: tuple[SkippedSession, ...]

    @property
    def created(self) -> int:
        return len(self.created_ids)


class _Calendar:
    """What is already taken in the generated range, kept in memory while generating."""

    def __init__(self, session: Session, start: datetime, end: datetime) -> None:
        self.trainer: dict[int, list[tuple[Interval, str]]] = defaultdict(list)
        self.room: dict[int, list[tuple[Interval, str]]] = defaultdict(list)
        for busy in busy_sessions(session, start, end):
            self.take(
                busy.trainer_id, busy.room_id, (busy.starts_at, busy.ends_at), busy.service_name
            )
        self.off: dict[int, list[Interval]] = defaultdict(list)
        trainer_ids = session.scalars(select(Trainer.id))
        for trainer_id, interval in time_off(session, trainer_ids, start, end):
            self.off[trainer_id].append(interval)

    def take(self, trainer_id: int, room_id: int | None, interval: Interval, label: str) -> None:
        self.trainer[trainer_id].append((interval, label))
        if room_id is not None:
            self.room[room_id].append((interval, label))

    def conflict(self, entry: TimetableEntry, interval: Interval) -> str | None:
        if not (entry.service.active and entry.trainer.active and entry.room.active):
            return "its service, trainer or room is no longer active"
        if any(overlaps(interval, off) for off in self.off[entry.trainer_id]):
            return f"{entry.trainer.name} is off"
        for taken, label in self.trainer[entry.trainer_id]:
            if overlaps(interval, taken):
                return f"{entry.trainer.name} already has {label} then"
        for taken, label in self.room[entry.room_id]:
            if overlaps(interval, taken):
                return f"{entry.room.name} is taken by {label} then"
        return None


def _entries_for(
    session: Session, first: date, last: date, only_entry: int | None
) -> list[TimetableEntry]:
    query = select(TimetableEntry).where(
        TimetableEntry.active.is_(True),
        TimetableEntry.valid_from <= last,
        or_(TimetableEntry.valid_until.is_(None), TimetableEntry.valid_until >= first),
    )
    if only_entry is not None:
        query = query.where(TimetableEntry.id == only_entry)
    return list(session.scalars(query.order_by(TimetableEntry.start_time, TimetableEntry.id)))


def _weeks_with_a_session(
    session: Session, entries: list[TimetableEntry], first: date, last: date, tz: ZoneInfo
) -> set[tuple[int, date]]:
    """(entry, Monday) pairs that already have their session.

    A weekly entry happens once a week. Keyed by week rather than by instant, a session kept at
    its old time (because people booked it) stops an edited entry from adding a second one.
    """
    rows = session.execute(
        select(ClassSession.timetable_entry_id, ClassSession.starts_at).where(
            ClassSession.timetable_entry_id.in_([e.id for e in entries]),
            ClassSession.starts_at >= local_datetime(week_start(first), time(0), tz),
            ClassSession.starts_at < local_datetime(week_start(last) + timedelta(7), time(0), tz),
        )
    )
    return {(entry_id, week_start(local_date(at, tz))) for entry_id, at in rows if entry_id}


def generate_sessions(
    session: Session,
    first: date,
    weeks: int,
    now: datetime,
    *,
    only_entry: int | None = None,
    not_before: datetime | None = None,
) -> GenerationSummary:
    """Sessions for `weeks` weeks from `first`; `not_before` leaves out starts before it (an
    edited entry is not re-created earlier today)."""
    tz = get_policy(session).tz
    last = first + timedelta(days=7 * weeks - 1)
    start = local_datetime(first, time(0), tz)
    end = local_datetime(last + timedelta(days=1), time(0), tz)
    entries = _entries_for(session, first, last, only_entry)
    existing = _weeks_with_a_session(session, entries, first, last, tz)
    calendar = _Calendar(session, start, end)
    created: list[ClassSession] = []
    skipped: list[SkippedSession] = []
    already = 0
    for offset in range(7 * weeks):
        day = first + timedelta(days=offset)
        for entry in entries:
            if entry.weekday != day.weekday() or not _runs_on(entry, day):
                continue
            starts_at = local_datetime(day, entry.start_time, tz)
            if not_before is not None and starts_at < not_before:
                continue
            if (entry.id, week_start(day)) in existing:
                already += 1
                continue
            interval = (starts_at, starts_at + timedelta(minutes=entry.duration_minutes))
            reason = calendar.conflict(entry, interval)
            if reason is not None:
                skipped.append(SkippedSession(entry.id, entry.service.name, starts_at, reason))
                continue
            created.append(_new_session(entry, interval, now))
            calendar.take(entry.trainer_id, entry.room_id, interval, entry.service.name)
    session.add_all(created)
    session.flush()
    return GenerationSummary(tuple(s.id for s in created), already, tuple(skipped))


def _runs_on(entry: TimetableEntry, day: date) -> bool:
    return entry.valid_from <= day and (entry.valid_until is None or day <= entry.valid_until)


def _new_session(entry: TimetableEntry, interval: Interval, now: datetime) -> ClassSession:
    return ClassSession(
        kind=SessionKind.CLASS,
        service_id=entry.service_id,
        trainer_id=entry.trainer_id,
        room_id=entry.room_id,
        timetable_entry_id=entry.id,
        starts_at=interval[0],
        ends_at=interval[1],
        capacity=entry.capacity,
        status=SessionStatus.SCHEDULED,
        created_at=now,
    )


# --- the dated calendar ---------------------------------------------------------------------


@dataclass(frozen=True)
class SessionView:
    """One dated class or appointment as the calendar shows it (occupancy comes from booking)."""

    id: int
    kind: SessionKind
    service_id: int
    service_name: str
    service_kind: ServiceKind
    colour: str
    trainer_id: int
    trainer_name: str
    room_id: int | None
    room_name: str | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    status: SessionStatus
    timetable_entry_id: int | None
    note: str


def session_view(row: ClassSession) -> SessionView:
    return SessionView(
        id=row.id,
        kind=row.kind,
        service_id=row.service_id,
        service_name=row.service.name,
        service_kind=row.service.kind,
        colour=row.service.colour,
        trainer_id=row.trainer_id,
        trainer_name=row.trainer.name,
        room_id=row.room_id,
        room_name=row.room.name if row.room is not None else None,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        capacity=row.capacity,
        status=row.status,
        timetable_entry_id=row.timetable_entry_id,
        note=row.note,
    )


def sessions_between(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    trainer_id: int | None = None,
    room_id: int | None = None,
    service_id: int | None = None,
    include_cancelled: bool = True,
) -> list[SessionView]:
    """Classes and appointments starting in [start, end), in time order."""
    require_aware(start, "start")
    require_aware(end, "end")
    query = (
        select(ClassSession)
        .where(ClassSession.starts_at >= start, ClassSession.starts_at < end)
        .options(  # many-to-one: joined into the one statement instead of three more reads
            joinedload(ClassSession.service, innerjoin=True),
            joinedload(ClassSession.trainer, innerjoin=True),
            joinedload(ClassSession.room),
        )
        .order_by(ClassSession.starts_at, ClassSession.id)
    )
    if trainer_id is not None:
        query = query.where(ClassSession.trainer_id == trainer_id)
    if room_id is not None:
        query = query.where(ClassSession.room_id == room_id)
    if service_id is not None:
        query = query.where(ClassSession.service_id == service_id)
    if not include_cancelled:
        query = query.where(ClassSession.status == SessionStatus.SCHEDULED)
    return [session_view(r) for r in session.scalars(query)]


def get_session(session: Session, *, class_session_id: int) -> SessionView:
    row = session.get(ClassSession, class_session_id)
    if row is None:
        raise NotFound(f"No session #{class_session_id}.")
    return session_view(row)
