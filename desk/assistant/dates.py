"""The assistant's calendar: what a "when" is, reading dates with dateparser, and writing days
and times back in the member's language (small tables, so no Babel dependency)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

log = logging.getLogger(__name__)


class PartOfDay(StrEnum):
    MORNING = "morning"
    NOON = "noon"
    AFTERNOON = "afternoon"
    EVENING = "evening"


#: Local wall-clock hours each part of the day covers, [start, end).
_PART_HOURS: dict[PartOfDay, tuple[int, int]] = {
    PartOfDay.MORNING: (6, 12),
    PartOfDay.NOON: (11, 14),
    PartOfDay.AFTERNOON: (12, 17),
    PartOfDay.EVENING: (17, 24),
}


def part_start(part: PartOfDay) -> time:
    return time(_PART_HOURS[part][0])


def part_end(part: PartOfDay) -> time:
    """Last minute of the part; 23:59 for the evening, so it compares with wall times."""
    end = _PART_HOURS[part][1]
    return time(23, 59) if end == 24 else time(end)


@dataclass(frozen=True)
class When:
    """A day (or run of days) the member means, maybe narrowed to a clock time or part of day.

    `day_given` is False when only a time was said ("18:00"): the day was inferred as the next
    time that clock time comes round.
    """

    first_day: date
    last_day: date
    tz: ZoneInfo
    at: time | None = None
    part: PartOfDay | None = None
    day_given: bool = True

    @property
    def exact(self) -> bool:
        """A single day and a clock time: one specific session start."""
        return self.at is not None and self.first_day == self.last_day

    @property
    def start(self) -> datetime:
        """Beginning of the window, aware, in the studio's timezone."""
        if self.at is not None:
            return datetime.combine(self.first_day, self.at, tzinfo=self.tz)
        hour = _PART_HOURS[self.part][0] if self.part else 0
        return datetime.combine(self.first_day, time(hour), tzinfo=self.tz)

    @property
    def end(self) -> datetime:
        """End of the window (exclusive); equal to `start` when `exact`."""
        if self.at is not None:
            return datetime.combine(self.last_day, self.at, tzinfo=self.tz)
        hour = _PART_HOURS[self.part][1] if self.part else 24
        return datetime.combine(self.last_day, time(0), tzinfo=self.tz) + timedelta(hours=hour)

    def label(self) -> str:
        """Canonical short form, as tests and logs show it: "2026-11-28 18:00",
        "2026-11-28 evening", "2026-11-30..2026-12-06"."""
        days = self.first_day.isoformat()
        if self.last_day != self.first_day:
            days += ".." + self.last_day.isoformat()
        if self.at is not None:
            return f"{days} {self.at:%H:%M}"
        return f"{days} {self.part}" if self.part else days


# --- reading dates -------------------------------------------------------------------------

EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_MAX_FRAGMENT = 40


@lru_cache(maxsize=16)
def _parser(base: datetime) -> DateDataParser:
    """One configured parser per "now" (to the minute); dateparser is slow to set up."""
    return DateDataParser(
        languages=["en", "tr"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": base,
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )


def parse_date(fragment: str, now: datetime) -> date | None:
    """The day a short date fragment ("3 December", "3/12/2026", "in 2 days") names, or None.

    Only short fragments cut out by the caller's patterns come here, never whole messages:
    dateparser's cost grows with input and it will happily find dates in noise.
    """
    fragment = fragment.strip()[:_MAX_FRAGMENT]
    base = now.replace(tzinfo=None, second=0, microsecond=0)
    try:
        found = _parser(base).get_date_data(fragment)
    except Exception:  # dateparser raises assorted errors on odd input; a miss is an answer
        log.debug("dateparser failed on %r", fragment, exc_info=True)
        return None
    parsed = found.date_obj if found else None
    return parsed.date() if isinstance(parsed, datetime) else None


# --- writing dates -------------------------------------------------------------------------

_DAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "tr": ("Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar"),
}
_SHORT_DAY_NAMES = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "tr": ("Pzt", "Sal", "Çar", "Per", "Cum", "Cmt", "Paz"),
}
_MONTH_NAMES = {
    "en": EN_MONTHS,
    "tr": (
        "Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül",
        "Ekim", "Kasım", "Aralık",
    ),
}  # fmt: skip


def _lang(language: str) -> str:
    return "tr" if language == "tr" else "en"


def format_day(day: date, language: str, *, short: bool = False) -> str:
    """ "Saturday 28 November" / "28 Kasım Cumartesi"; short: "Sat 28 Nov" / "28 Kas Cmt"."""
    lang = _lang(language)
    names = _SHORT_DAY_NAMES if short else _DAY_NAMES
    weekday = names[lang][day.weekday()]
    month = _MONTH_NAMES[lang][day.month - 1]
    if short:
        month = month[:3]
    if lang == "tr":
        return f"{day.day} {month} {weekday}"
    return f"{weekday} {day.day} {month}"


def format_time(at: time | datetime) -> str:
    """24-hour clock in both languages: what studio timetables in Turkey print."""
    return f"{at.hour:02d}:{at.minute:02d}"


def format_slot(start: datetime, tz: ZoneInfo, language: str, *, short: bool = False) -> str:
    """A session start in the studio's time: "Sat 28 Nov 18:00" / "28 Kas Cmt 18:00"."""
    local = start.astimezone(tz)
    return f"{format_day(local.date(), language, short=short)} {format_time(local)}"
