"""How dates, times, money and balances read at the desk."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from desk.domain.enums import EntitlementStatus, ProductKind
from desk.domain.money import Money
from desk.domain.timeutil import day_month_year, weekday_day_month
from desk.services.sales import EntitlementView

# Days are spelled through timeutil's helpers (the day number from .day): Windows' strftime
# refuses glibc's no-padding flag.


def long_day(value: date) -> str:
    """ "Wednesday 5 March 2025", for headings."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def day_time(value: datetime, *, sep: str = " ") -> str:
    """ "Wed 5 Mar 09:07" (or "Wed 5 Mar, 09:07" with sep=", ")."""
    return f"{weekday_day_month(value)}{sep}{value:%H:%M}"


def money(minor: int, currency: str) -> str:
    return Money(minor, currency).format()


def day(value: date | None, *, empty: str = "—") -> str:
    return day_month_year(value) if value else empty


def short_day(value: date) -> str:
    return weekday_day_month(value)


def local(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz)


def when(instant: datetime, tz: ZoneInfo) -> str:
    return day_time(instant.astimezone(tz), sep=", ")


def clock(instant: datetime, tz: ZoneInfo) -> str:
    return f"{instant.astimezone(tz):%H:%M}"


def days_phrase(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


STATUS_WORDS = {
    EntitlementStatus.ACTIVE: "Active",
    EntitlementStatus.NOT_STARTED: "Starts on first visit",
    EntitlementStatus.PAUSED: "Paused",
    EntitlementStatus.USED_UP: "Used up",
    EntitlementStatus.EXPIRED: "Expired",
    EntitlementStatus.VOIDED: "Voided",
}

STATUS_TONES = {
    EntitlementStatus.ACTIVE: "good",
    EntitlementStatus.NOT_STARTED: "muted",
    EntitlementStatus.PAUSED: "warn",
    EntitlementStatus.USED_UP: "bad",
    EntitlementStatus.EXPIRED: "bad",
    EntitlementStatus.VOIDED: "muted",
}

#: Within this many days an expiry is worth a warning at the desk.
EXPIRY_WARNING_DAYS = 7


def remaining_text(view: EntitlementView) -> str:
    if view.kind is ProductKind.MEMBERSHIP:
        return f"max {view.weekly_cap}/week" if view.weekly_cap else "Unlimited"
    return f"{view.remaining} / {view.sessions}"


def balance_badge(views: list[EntitlementView], today: date) -> tuple[str, str]:
    """One glance at what a member can pay with: ("3 left", "good"), ("no package", "bad")...

    Looks at the usable entitlements only; an expiry inside a week wins over the count because
    it is what reception must mention ("expires in 2 days").
    """
    usable = [v for v in views if v.status is EntitlementStatus.ACTIVE]
    if not usable:
        paused = [v for v in views if v.status is EntitlementStatus.PAUSED]
        if paused:
            return "paused", "warn"
        unstarted = [v for v in views if v.status is EntitlementStatus.NOT_STARTED]
        return ("not started", "info") if unstarted else ("no package", "bad")
    soonest = min((v.expires_on for v in usable if v.expires_on is not None), default=None)
    if soonest is not None and (soonest - today).days <= EXPIRY_WARNING_DAYS:
        return f"expires {days_phrase((soonest - today).days)}", "warn"
    if any(v.kind is ProductKind.MEMBERSHIP for v in usable):
        return "membership", "good"
    left = sum(v.remaining or 0 for v in usable)
    return f"{left} left", ("warn" if left <= 1 else "good")
