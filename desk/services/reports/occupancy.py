"""Occupancy: how full the group classes ran, per class, service, trainer, room, slot and week.

One grouped SQL statement counts every class session's bookings (the expensive part, over up to a
million booking rows); the roll-ups then add up those per-session rows, which number in the
thousands, not the millions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from desk.domain.enums import BookingStatus, SessionKind
from desk.domain.timeutil import week_start
from desk.services.reports.common import (
    BOOKED_STATUSES,
    WHOLE_STUDIO,
    Period,
    SessionFilter,
    Tally,
    bookings_in,
    local_clock,
    parse_clock,
    period_of,
    rate,
)
from desk.store.models import Booking, ClassSession, Room, Service, Trainer, WaitlistEntry

KeyT = TypeVar("KeyT", bound=Hashable)


@dataclass(frozen=True)
class Fill(Tally):
    """Counts shared by every roll-up. Rates are seat-weighted: sum(booked) / sum(capacity)."""

    sessions: int = 0
    seats: int = 0
    booked: int = 0
    attended: int = 0
    no_shows: int = 0
    late_cancels: int = 0
    waitlisted: int = 0
    full_sessions: int = 0

    @property
    def fill_rate(self) -> float | None:
        return rate(self.booked, self.seats)

    @property
    def attendance_rate(self) -> float | None:
        return rate(self.attended, self.seats)

    @property
    def show_rate(self) -> float | None:
        """Of the seats booked, the share that were attended."""
        return rate(self.attended, self.booked)

    @property
    def average_booked(self) -> float | None:
        return self.booked / self.sessions if self.sessions else None


class SessionOccupancy(NamedTuple):
    """One class session's counts.

    A NamedTuple rather than a frozen dataclass: a year holds some 15,000 of them, and a
    NamedTuple is just as immutable and several times cheaper to build.
    """

    session_id: int
    #: Start as the studio's wall clock shows it (naive; the zone is the period's timezone).
    starts_local: datetime
    service_id: int
    service: str
    trainer_id: int
    trainer: str
    room_id: int | None
    room: str
    capacity: int
    booked: int
    attended: int
    no_shows: int
    late_cancels: int
    #: Waitlist entries ever created for the session (see docs/reports.md).
    waitlist_peak: int

    @property
    def weekday(self) -> int:
        return self.starts_local.weekday()

    @property
    def hour(self) -> int:
        return self.starts_local.hour

    @property
    def fill(self) -> Fill:
        return Fill(
            1,
            self.capacity,
            self.booked,
            self.attended,
            self.no_shows,
            self.late_cancels,
            self.waitlist_peak,
            1 if self.booked >= self.capacity else 0,
        )


@dataclass(frozen=True)
class GroupOccupancy:
    """One service, trainer or room over the period."""

    id: int | None
    name: str
    fill: Fill


@dataclass(frozen=True)
class HeatCell:
    """One weekday × start-hour slot (studio-local), Monday = 0."""

    weekday: int
    hour: int
    fill: Fill


@dataclass(frozen=True)
class WeekOccupancy:
    week_of: date
    fill: Fill
    #: Fill-rate change against the week before, in rate units (0.05 = 5 points); None if unknown.
    fill_change: float | None


@dataclass(frozen=True)
class OccupancyReport:
    period: Period
    filters: SessionFilter
    total: Fill
    sessions: tuple[SessionOccupancy, ...]
    by_service: tuple[GroupOccupancy, ...]
    by_trainer: tuple[GroupOccupancy, ...]
    by_room: tuple[GroupOccupancy, ...]
    heatmap: tuple[HeatCell, ...]
    weeks: tuple[WeekOccupancy, ...]


def _session_rows(
    session: Session, period: Period, filters: SessionFilter
) -> Sequence[Row[*tuple[Any, ...]]]:
    """The single grouped statement: one row per class session with its booking counts."""
    clock = local_clock(session, ClassSession.starts_at, period.tz, period.starts, period.ends)
    waitlist_peak = (
        select(func.count(WaitlistEntry.id))
        .where(WaitlistEntry.class_session_id == ClassSession.id)
        .scalar_subquery()
    )
    query = (
        select(
            ClassSession.id,
            clock,
            ClassSession.service_id,
            ClassSession.trainer_id,
            ClassSession.room_id,
            ClassSession.capacity,
            bookings_in(*BOOKED_STATUSES),
            bookings_in(BookingStatus.COMPLETED),
            bookings_in(BookingStatus.NO_SHOW),
            bookings_in(BookingStatus.LATE_CANCELLED),
            waitlist_peak,
        )
        .outerjoin(Booking, Booking.class_session_id == ClassSession.id)
        .where(ClassSession.kind == SessionKind.CLASS)
        # Grouping in the starts_at index's own order lets SQLite walk that index once, with no
        # temporary B-tree for the grouping or the ordering.
        .group_by(ClassSession.starts_at, ClassSession.id)
        .order_by(ClassSession.starts_at, ClassSession.id)
    )
    # Core execution: the rows are plain numbers and one string, with nothing for the ORM to do.
    return session.connection().execute(filters.held_in(query, period)).all()


def _names(session: Session) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    services = {sid: name for sid, name in session.execute(select(Service.id, Service.name))}
    trainers = {tid: name for tid, name in session.execute(select(Trainer.id, Trainer.name))}
    rooms = {rid: name for rid, name in session.execute(select(Room.id, Room.name))}
    return services, trainers, rooms


def _sessions(
    session: Session, period: Period, filters: SessionFilter
) -> tuple[list[SessionOccupancy], list[Counts]]:
    """The per-session rows, and beside them their counts as plain tuples for the roll-ups."""
    services, trainers, rooms = _names(session)
    result, counts = [], []
    for row in _session_rows(session, period, filters):
        (
            sid,
            clock,
            service_id,
            trainer_id,
            room_id,
            capacity,
            booked,
            attended,
            missed,
            late,
            wl,
        ) = row
        result.append(
            SessionOccupancy(
                sid,
                parse_clock(clock),
                service_id,
                services.get(service_id, "?"),
                trainer_id,
                trainers.get(trainer_id, "?"),
                room_id,
                "" if room_id is None else rooms.get(room_id, "?"),
                capacity,
                booked,
                attended,
                missed,
                late,
                wl,
            )
        )
        counts.append((1, capacity, booked, attended, missed, late, wl, int(booked >= capacity)))
    return result, counts


#: A session's Fill as a plain tuple (sessions, seats, booked, attended, no-shows, late, wl, full).
Counts = tuple[int, int, int, int, int, int, int, int]


def _roll_up(keys: Iterable[KeyT], counts: list[Counts]) -> dict[KeyT, Fill]:
    """Sum the sessions' counts per key; the column sums run in C (zip + sum), not per field."""
    groups: dict[KeyT, list[Counts]] = defaultdict(list)
    for key, row in zip(keys, counts, strict=True):
        groups[key].append(row)
    return {key: Fill(*map(sum, zip(*rows))) for key, rows in groups.items()}  # noqa: B905


def _groups(
    sessions: list[SessionOccupancy],
    counts: list[Counts],
    key: Callable[[SessionOccupancy], tuple[int | None, str]],
) -> tuple[GroupOccupancy, ...]:
    groups = _roll_up(map(key, sessions), counts)
    rows = [GroupOccupancy(k[0], k[1], fill) for k, fill in groups.items()]
    return tuple(sorted(rows, key=lambda g: g.name.casefold()))


def _weeks(
    period: Period, sessions: list[SessionOccupancy], counts: list[Counts]
) -> tuple[WeekOccupancy, ...]:
    mondays: dict[date, date] = {}
    for s in sessions:
        day = s.starts_local.date()
        if day not in mondays:
            mondays[day] = week_start(day)
    by_week = _roll_up((mondays[s.starts_local.date()] for s in sessions), counts)
    weeks: list[WeekOccupancy] = []
    for monday in period.mondays():
        fill = by_week.get(monday, Fill())
        before = weeks[-1].fill.fill_rate if weeks else None
        now_rate = fill.fill_rate
        change = None if before is None or now_rate is None else now_rate - before
        weeks.append(WeekOccupancy(monday, fill, change))
    return tuple(weeks)


def occupancy(
    session: Session,
    *,
    date_from: date,
    date_to: date,
    filters: SessionFilter = WHOLE_STUDIO,
    now: datetime | None = None,
) -> OccupancyReport:
    """Occupancy of the group class sessions that start on studio days date_from..date_to."""
    del now  # occupancy reads what the bookings say; it has no "as of"
    period = period_of(session, date_from=date_from, date_to=date_to)
    sessions, counts = _sessions(session, period, filters)
    heat = _roll_up(((s.starts_local.weekday(), s.starts_local.hour) for s in sessions), counts)
    cells = tuple(HeatCell(day, hour, fill) for (day, hour), fill in sorted(heat.items()))
    by_service = _groups(sessions, counts, lambda s: (s.service_id, s.service))
    return OccupancyReport(
        period=period,
        filters=filters,
        total=sum((g.fill for g in by_service), Fill()),
        sessions=tuple(sessions),
        by_service=by_service,
        by_trainer=_groups(sessions, counts, lambda s: (s.trainer_id, s.trainer)),
        by_room=_groups(sessions, counts, lambda s: (s.room_id, s.room or "No room")),
        heatmap=cells,
        weeks=_weeks(period, sessions, counts),
    )
