"""The Reports screen's controls: report names on its buttons, date presets, compact tab bars."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QTabBar

SHORT_NAMES = {
    "occupancy": "Occupancy",
    "noshows": "No-shows",
    "members": "Members",
    "packages": "Packages && money",
}
PRESETS = (
    "Last 4 weeks",
    "Last 12 weeks",
    "This month",
    "Last month",
    "This year",
    "Last year",
    "Custom",
)


def preset_range(name: str, today: date) -> tuple[date, date] | None:
    """The studio days a preset stands for (ending today where it can)."""
    first_of_month = today.replace(day=1)
    # Whole studio weeks (Monday–Sunday) before this one, so a weekly trend has no half week.
    last_sunday = today - timedelta(days=today.weekday() + 1)
    ranges = {
        "Last 4 weeks": (last_sunday - timedelta(days=27), last_sunday),
        "Last 12 weeks": (last_sunday - timedelta(days=83), last_sunday),
        "This month": (first_of_month, today),
        "Last month": (
            (first_of_month - timedelta(days=1)).replace(day=1),
            first_of_month - timedelta(days=1),
        ),
        "This year": (today.replace(month=1, day=1), today),
        "Last year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }
    return ranges.get(name)


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def compact(tabs: QTabBar) -> None:
    """Tight tabs, and scroll arrows when they outnumber the room (a narrow window). The app's
    button padding would squeeze those arrows out of sight, so they get none."""
    tabs.setUsesScrollButtons(True)
    tabs.setStyleSheet(
        "QTabBar QToolButton { background: palette(window); border: none; padding: 0;"
        " min-height: 0; border-radius: 0; }"
        "QTabBar::tab { padding: 7px 7px; }"
    )


def short_title(title: str) -> str:
    """Tab captions: "Fill by weekday and hour (booked ÷ seats)" → "Fill by weekday and hour"."""
    return title.split(" (")[0]
