"""How dates, times, money and balances read at the desk."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from desk.domain.enums import EntitlementStatus, ProductKind
from desk.domain.money import Money
from desk.services.sales import EntitlementView


def pf(value: date | datetime, pattern: str) -> str:
    """strftime with "%-d" (day without a leading zero) on every OS: Windows refuses "%-d"."""
    return format(value, pattern.replace("%-d", str(value.day)))


def money(minor: int, currency: str) -> str:
    return Money(minor, currency).format()


def day(value: date | None, *, empty: str = "—") -> str:
    return pf(value, "%-d %b %Y") if value else empty


def short_day(value: date) -> str:
    return pf(value, "%a %-d %b")


def local(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz)


def when(instant: datetime, tz: ZoneInfo) -> str:
    return pf(instant.astimezone(tz), "%a %-d %b, %H:%M")


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
