"""No-shows and late cancellations: rates by service kind, class, time slot, member and week.

Only sessions that have already started count (a future booking can't have been missed yet).
Each breakdown is one grouped SQL statement over the bookings; kinds, weekdays and weeks are
then added up from those groups (services, local day × hour, members), never from booking rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, func, select, type_coerce
from sqlalchemy.orm import Session

from desk.domain.enums import BookingStatus, ServiceKind
from desk.domain.timeutil import local_date, week_start
from desk.services.reports.common import (
    WHOLE_STUDIO,
    Period,
    SessionFilter,
    Tally,
    bookings_in,
    local_clock,
    local_day,
    local_hour,
    now_or_default,
    parse_day,
    period_of,
    rate,
)
from desk.services.settings import get_policy
from desk.store.models import Booking, ClassSession, Member, Service, StudioSettings
from desk.store.types import UTCDateTime

#: Statuses a report counts; a cancellation in time is the member's right and never counts.
COUNTED = (
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
    BookingStatus.LATE_CANCELLED,
    BookingStatus.BOOKED,
)


@dataclass(frozen=True)
class Attendance(Tally):
    """What became of the bookings of sessions that have started."""

    attended: int = 0
    no_shows: int = 0
    late_cancels: int = 0
    #: Still "booked" after the start: nobody marked them attended or no-show.
    unmarked: int = 0

    @property
    def bookings(self) -> int:
        return self.attended + self.no_shows + self.late_cancels + self.unmarked

    @property
    def no_show_rate(self) -> float | None:
        return rate(self.no_shows, self.bookings)

    @property
    def late_cancel_rate(self) -> float | None:
        return rate(self.late_cancels, self.bookings)


@dataclass(frozen=True)
class KindNoShows:
    kind: ServiceKind
    counts: Attendance


@dataclass(frozen=True)
class ServiceNoShows:
    service_id: int
    service: str
    kind: ServiceKind
    counts: Attendance


@dataclass(frozen=True)
class SlotNoShows:
    """A studio-local weekday (Monday = 0) and start hour."""

    weekday: int
    hour: int
    counts: Attendance


@dataclass(frozen=True)
class MemberNoShows:
    member_id: int
    name: str
    phone: str
    counts: Attendance
    last_no_show: date | None


@dataclass(frozen=True)
class WeekNoShows:
    week_of: date
    counts: Attendance


@dataclass(frozen=True)
class NoShowReport:
    period: Period
    filters: SessionFilter
    #: Sessions starting before this instant count (the end of the period, or now).
    counted_until: datetime
    total: Attendance
    by_kind: tuple[KindNoShows, ...]
    by_service: tuple[ServiceNoShows, ...]
    by_slot: tuple[SlotNoShows, ...]
    by_member: tuple[MemberNoShows, ...]
    weeks: tuple[WeekNoShows, ...]
    #: Members with at least `chronic_after` no-shows in the period, most first.
    chronic: tuple[MemberNoShows, ...]
    chronic_after: int


_COUNTS = (
    bookings_in(BookingStatus.COMPLETED),
    bookings_in(BookingStatus.NO_SHOW),
    bookings_in(BookingStatus.LATE_CANCELLED),
    bookings_in(BookingStatus.BOOKED),
)


def _grouped(
    period: Period, filters: SessionFilter, until: datetime, *keys: Any
) -> Select[*tuple[Any, ...]]:
    query = (
        select(*keys, *_COUNTS)
        .select_from(Booking)
        .join(ClassSession, ClassSession.id == Booking.class_session_id)
        .where(Booking.status.in_(COUNTED))
        .group_by(*keys)
    )
    return filters.held_in(query, period, until=until)


def _attendance(row: Any, skip: int) -> Attendance:
    attended, no_shows, late, unmarked = (int(n) for n in tuple(row)[skip : skip + 4])
    return Attendance(attended, no_shows, late, unmarked)


def _by_service(
    session: Session, period: Period, filters: SessionFilter, until: datetime
) -> tuple[ServiceNoShows, ...]:
    query = _grouped(period, filters, until, ClassSession.service_id)
    counts = {row[0]: _attendance(row, 1) for row in session.execute(query)}
    services = session.execute(
        select(Service.id, Service.name, Service.kind).where(Service.id.in_(counts))
    ).all()
    rows = [ServiceNoShows(sid, name, kind, counts[sid]) for sid, name, kind in services]
    return tuple(sorted(rows, key=lambda r: r.service.casefold()))


def _by_day_and_hour(
    session: Session, period: Period, filters: SessionFilter, until: datetime
) -> dict[tuple[date, int], Attendance]:
    clock = local_clock(session, ClassSession.starts_at, period.tz, period.starts, period.ends)
    day, hour = local_day(clock), local_hour(clock)
    query = _grouped(period, filters, until, day, hour)
    return {(parse_day(row[0]), int(row[1])): _attendance(row, 2) for row in session.execute(query)}


def _by_member(
    session: Session, period: Period, filters: SessionFilter, until: datetime
) -> tuple[MemberNoShows, ...]:
    # MAX() over a CASE loses the column type, so say again that it is a UTC instant.
    last_missed = type_coerce(
        func.max(case((Booking.status == BookingStatus.NO_SHOW, ClassSession.starts_at))),
        UTCDateTime(),
    )
    query = _grouped(period, filters, until, Booking.member_id).add_columns(last_missed)
    found = {row[0]: row for row in session.execute(query)}
    names = session.execute(
        select(Member.id, Member.full_name, Member.phone).where(Member.id.in_(found))
    ).all()
    rows = []
    for member_id, name, phone in names:
        row = found[member_id]
        last = row[-1]
        rows.append(
            MemberNoShows(
                member_id,
                name,
                phone or "",
                _attendance(row, 1),
                None if last is None else local_date(last, period.tz),
            )
        )
    return tuple(
        sorted(rows, key=lambda r: (-r.counts.no_shows, -r.counts.late_cancels, r.name.casefold()))
    )


def _chronic_default(session: Session) -> int:
    if session.get(StudioSettings, 1) is None:
        return 3
    return get_policy(session).group_noshow_threshold


def no_shows(
    session: Session,
    *,
    date_from: date,
    date_to: date,
    filters: SessionFilter = WHOLE_STUDIO,
    chronic_after: int | None = None,
    now: datetime | None = None,
) -> NoShowReport:
    """No-show and late-cancel rates for sessions starting on date_from..date_to (and by now)."""
    period = period_of(session, date_from=date_from, date_to=date_to)
    until = min(period.ends, now_or_default(now))
    threshold = chronic_after if chronic_after is not None else _chronic_default(session)
    services = _by_service(session, period, filters, until)
    cells = _by_day_and_hour(session, period, filters, until)
    members = _by_member(session, period, filters, until)
    kinds: dict[ServiceKind, Attendance] = defaultdict(Attendance)
    for row in services:
        kinds[row.kind] = kinds[row.kind] + row.counts
    slots: dict[tuple[int, int], Attendance] = defaultdict(Attendance)
    weeks: dict[date, Attendance] = defaultdict(Attendance)
    for (day, hour), counts in cells.items():
        slots[day.weekday(), hour] = slots[day.weekday(), hour] + counts
        weeks[week_start(day)] = weeks[week_start(day)] + counts
    return NoShowReport(
        period=period,
        filters=filters,
        counted_until=until,
        total=sum((r.counts for r in services), Attendance()),
        by_kind=tuple(KindNoShows(k, kinds[k]) for k in ServiceKind if k in kinds),
        by_service=services,
        by_slot=tuple(SlotNoShows(d, h, c) for (d, h), c in sorted(slots.items())),
        by_member=members,
        weeks=tuple(WeekNoShows(m, weeks.get(m, Attendance())) for m in period.mondays()),
        chronic=tuple(m for m in members if m.counts.no_shows >= threshold),
        chronic_after=threshold,
    )
