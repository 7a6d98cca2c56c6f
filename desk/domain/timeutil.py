"""The studio's days and weeks. Stored instants are UTC; "today" and "Monday" are local."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desk.domain.errors import InvalidInput


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"Unknown timezone {name!r} (use a name like Europe/Istanbul).") from exc


def local_datetime(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a studio day.

    In the spring-forward gap a wall time does not exist; fold=0 moves it forward by the gap,
    which is what a timetable "07:30" should mean on that one morning.
    """
    local = datetime.combine(day, at, tzinfo=tz)
    # Round-trip through UTC normalises a non-existent wall time to the real instant.
    return local.astimezone(UTC)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a studio day as UTC instants (23 or 25 hours long across DST)."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def week_start(day: date) -> date:
    """Monday of the studio week holding `day`."""
    return day - timedelta(days=day.weekday())


def week_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    monday = week_start(day)
    return day_bounds(monday, tz)[0], day_bounds(monday + timedelta(days=6), tz)[1]


def require_aware(value: datetime, what: str = "time") -> datetime:
    if value.tzinfo is None:
        raise InvalidInput(f"The {what} needs a timezone.")
    return value


# Days are spelled by hand: Windows' strftime refuses glibc's no-padding flag, and the studio
# PCs run Windows. Month and weekday names come from strftime (portable), the day from .day.


def day_month(day: date) -> str:
    """ "3 Nov"."""
    return f"{day.day} {day:%b}"


def day_month_year(day: date) -> str:
    """ "3 Nov 2025"."""
    return f"{day.day} {day:%b %Y}"


def weekday_day_month(day: date) -> str:
    """ "Mon 3 Nov"."""
    return f"{day:%a} {day.day} {day:%b}"
