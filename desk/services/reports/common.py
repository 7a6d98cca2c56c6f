"""What every owner report shares: the studio-local date range, filters, and local time in SQL.

Reports are read-only. They run in whatever transaction the caller opened (`db.read()`), never
write (not even the default settings row), and return frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import Field, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, Self, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, DateTime, Integer, Select, String, case, cast, func, literal
from sqlalchemy.orm import Session

from desk.domain.enums import BookingStatus, SessionStatus
from desk.domain.errors import InvalidInput
from desk.domain.timeutil import day_bounds, local_date, week_start, zone
from desk.services.settings import get_policy
from desk.store.models import Booking, ClassSession, StudioSettings
from desk.store.types import utcnow

SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")

#: Longest range a report accepts; the benchmark studio holds ten years.
MAX_RANGE_DAYS = 11 * 366

#: A booking that held its seat when the class ran (see docs/reports.md "Booked").
BOOKED_STATUSES = (BookingStatus.BOOKED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Studio:
    name: str
    timezone: str
    currency: str

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)


def studio_of(session: Session) -> Studio:
    """The studio's name, zone and currency, read without creating the settings row."""
    if session.get(StudioSettings, 1) is not None:
        policy = get_policy(session)
        row = session.get(StudioSettings, 1)
        assert row is not None
        return Studio(row.studio_name, policy.timezone, policy.currency)
    defaults = StudioSettings.__table__.c
    return Studio(
        str(defaults.studio_name.default.arg),
        str(defaults.timezone.default.arg),
        str(defaults.currency.default.arg),
    )


@dataclass(frozen=True)
class Period:
    """Studio-local days `date_from..date_to` (both included) and their UTC instants."""

    date_from: date
    date_to: date
    timezone: str
    #: First instant of `date_from` and first instant after `date_to`, in UTC.
    starts: datetime
    ends: datetime

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def weeks(self) -> float:
        return self.days / 7

    def mondays(self) -> tuple[date, ...]:
        """Every studio week (by its Monday) that overlaps the period."""
        first, last = week_start(self.date_from), week_start(self.date_to)
        return tuple(first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1))

    def as_of(self, now: datetime) -> date:
        """The day "as of" which balances and lists are taken: the period's end, or today."""
        return min(self.date_to, local_date(now, self.tz))


def period_of(session: Session, *, date_from: date, date_to: date) -> Period:
    if not isinstance(date_from, date) or not isinstance(date_to, date):
        raise InvalidInput("Pick a start and an end date for the report.")
    if isinstance(date_from, datetime) or isinstance(date_to, datetime):
        raise InvalidInput("A report range is made of days, not times.")
    if date_from > date_to:
        raise InvalidInput("The report's start date is after its end date.")
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise InvalidInput("Pick a range of at most ten years.")
    studio = studio_of(session)
    tz = studio.tz
    return Period(
        date_from,
        date_to,
        studio.timezone,
        day_bounds(date_from, tz)[0],
        day_bounds(date_to, tz)[1],
    )


def now_or_default(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise InvalidInput("The report's 'now' needs a timezone.")
    return now.astimezone(UTC)


@dataclass(frozen=True)
class SessionFilter:
    """Optional narrowing to one service, trainer and/or room."""

    service_id: int | None = None
    trainer_id: int | None = None
    room_id: int | None = None

    def held_in(self, query: SelectT, period: Period, *, until: datetime | None = None) -> SelectT:
        """`query` narrowed to the sessions held (not cancelled) that start in `period`, and
        before `until` when given, and then to this filter."""
        return self.apply(
            query.where(
                ClassSession.starts_at >= period.starts,
                ClassSession.starts_at < (period.ends if until is None else until),
                ClassSession.status == SessionStatus.SCHEDULED,
            )
        )

    def apply(self, query: SelectT) -> SelectT:
        if self.service_id is not None:
            query = query.where(ClassSession.service_id == self.service_id)
        if self.trainer_id is not None:
            query = query.where(ClassSession.trainer_id == self.trainer_id)
        if self.room_id is not None:
            query = query.where(ClassSession.room_id == self.room_id)
        return query

    @property
    def is_empty(self) -> bool:
        return self.service_id is None and self.trainer_id is None and self.room_id is None


#: No narrowing: every service, trainer and room.
WHOLE_STUDIO = SessionFilter()


def rate(part: int, whole: int) -> float | None:
    """A share in 0..1, or None when there is nothing to divide by (shown as "–")."""
    return part / whole if whole else None


class Tally:
    """Base for a frozen dataclass of counts: two tallies add up field by field.

    `sum(tallies, Kind())` then totals any number of them.
    """

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    def __add__(self, other: Self) -> Self:
        kind: Any = type(self)
        total: Self = kind(
            *[getattr(self, n) + getattr(other, n) for n in self.__dataclass_fields__]
        )
        return total


def bookings_in(*statuses: BookingStatus) -> ColumnElement[int]:
    """SQL: how many of the grouped bookings are in one of `statuses` (0 when none)."""
    counted = case((Booking.status.in_(statuses), 1), else_=0)
    return cast(func.coalesce(func.sum(counted), 0), Integer)


# -- studio-local time inside SQL ---------------------------------------------------------------


def _offset(tz: ZoneInfo, instant: datetime) -> int:
    delta = instant.astimezone(tz).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def offset_changes(tz: ZoneInfo, starts: datetime, ends: datetime) -> list[tuple[datetime, int]]:
    """The UTC offset in force from `starts`, then each (instant, new offset) up to `ends`.

    Zones change offset at most a few times a year, so a daily probe and a bisection to the
    second finds every change quickly, without reaching into the tz database's internals.
    """
    changes = [(starts, _offset(tz, starts))]
    probe = starts
    while probe < ends:
        step = min(probe + timedelta(days=1), ends)
        if _offset(tz, step) != changes[-1][1]:
            low, high = probe, step
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset(tz, middle) == changes[-1][1]:
                    low = middle
                else:
                    high = middle
            changes.append((high.replace(microsecond=0), _offset(tz, high)))
        probe = step
    return changes


def local_clock(
    session: Session, column: Any, tz: ZoneInfo, starts: datetime, ends: datetime
) -> ColumnElement[str]:
    """SQL for the studio-local wall clock ("YYYY-MM-DD HH:MM:SS") of a UTC column.

    Valid for values in [starts, ends). SQLite has no time zones, so the offset comes from a
    CASE over the zone's changes in that span (two a year), which keeps grouping by local day,
    hour and week inside one SQL statement and right across daylight-saving changes.
    """
    if session.get_bind().dialect.name == "postgresql":
        local = func.timezone(tz.key, func.timezone("UTC", column))
        return func.to_char(local, "YYYY-MM-DD HH24:MI:SS")
    changes = offset_changes(tz, starts, ends)
    modifier: ColumnElement[str] = literal(f"{changes[-1][1]:+d} seconds", String)
    if len(changes) > 1:
        whens = [
            (column < changes[n + 1][0], literal(f"{changes[n][1]:+d} seconds", String))
            for n in range(len(changes) - 1)
        ]
        modifier = case(*whens, else_=modifier)
    return cast(func.datetime(column, modifier), String)


def local_day(clock: ColumnElement[str]) -> ColumnElement[str]:
    """The studio-local day ("YYYY-MM-DD") of a local clock value."""
    return func.substr(clock, 1, 10)


def local_hour(clock: ColumnElement[str]) -> ColumnElement[int]:
    """The studio-local hour (0-23) of a local clock value."""
    return cast(func.substr(clock, 12, 2), Integer)


def local_week(session: Session, clock: ColumnElement[str]) -> ColumnElement[str]:
    """The Monday ("YYYY-MM-DD") of the studio week holding a local clock value."""
    if session.get_bind().dialect.name == "postgresql":
        monday = func.date_trunc("week", cast(clock, DateTime))
        return func.to_char(monday, "YYYY-MM-DD")
    # SQLite: 'weekday 0' moves forward to Sunday (or stays on it); six days back is Monday.
    return cast(func.date(clock, "weekday 0", "-6 days"), String)


def parse_day(text: str) -> date:
    return date.fromisoformat(text)


def parse_clock(text: str) -> datetime:
    """A local clock string from SQL as a naive wall-clock datetime."""
    return datetime.fromisoformat(text)
