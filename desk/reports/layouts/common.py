"""Bits every report layout uses: the document frame, labels for days, hours and weeks, figure
text, chart series, the weekly table and trend, heatmaps."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from desk.reports.model import (
    NONE_TEXT,
    Chart,
    ChartUnit,
    Column,
    Figure,
    Heatmap,
    LineChart,
    ReportDocument,
    Series,
    Table,
)
from desk.services.reports.common import WEEKDAYS, Period

T = TypeVar("T")
#: A chart series by name and how to read its value from a row.
Named = tuple[str, Callable[[Any], float | None]]


@dataclass(frozen=True)
class Heading:
    """What tops every report alike: the studio, the filters in force, when it was made."""

    studio: str
    scope: str
    generated_at: datetime


def laid_out(
    kind: str,
    title: str,
    period: Period,
    heading: Heading,
    *,
    figures: tuple[Figure, ...],
    charts: tuple[Chart, ...],
    tables: tuple[Table, ...],
    main: str,
    notes: tuple[str, ...],
) -> ReportDocument:
    """The document for one report over `period`."""
    return ReportDocument(
        kind=kind,
        title=title,
        studio=heading.studio,
        date_from=period.date_from,
        date_to=period.date_to,
        timezone=period.timezone,
        generated_at=heading.generated_at,
        figures=figures,
        charts=charts,
        tables=tables,
        main=main,
        scope=heading.scope,
        notes=notes,
    )


def week_label(monday: date) -> str:
    return f"{monday:%d %b}"


def week_labels(weeks: Iterable[Any]) -> tuple[str, ...]:
    """Chart categories for rows that each have a `week_of` Monday."""
    return tuple(week_label(w.week_of) for w in weeks)


def week_range(monday: date) -> str:
    return f"{monday:%d %b} – {monday + timedelta(days=6):%d %b %Y}"


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


def slot_label(weekday: int, hour: int) -> str:
    return f"{WEEKDAYS[weekday]} {hour:02d}:00"


def percent(value: float | None) -> str:
    return NONE_TEXT if value is None else f"{value * 100:.1f}%"


def count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def heatmap(
    title: str,
    cells: Iterable[T],
    *,
    place: Callable[[T], tuple[int, int]],
    value: Callable[[T], float | None],
    label: Callable[[T], str],
    caption: str = "",
    high_is_bad: bool = False,
    tab: str = "",
) -> Heatmap:
    """A weekday × hour grid over the hours that have anything in them (Monday first)."""
    found = {place(cell): cell for cell in cells}
    hours = sorted({hour for _, hour in found})
    if hours:
        hours = list(range(hours[0], hours[-1] + 1))
    values: list[tuple[float | None, ...]] = []
    labels: list[tuple[str, ...]] = []
    for day in range(7):
        row = [found.get((day, hour)) for hour in hours]
        values.append(tuple(None if c is None else value(c) for c in row))
        labels.append(tuple("" if c is None else label(c) for c in row))
    return Heatmap(
        title,
        WEEKDAYS,
        tuple(hour_label(h) for h in hours),
        tuple(values),
        tuple(labels),
        caption,
        high_is_bad,
        tab,
    )


def values(rows: Iterable[Any], get: Callable[[Any], float | None]) -> tuple[float | None, ...]:
    return tuple(get(row) for row in rows)


def series(rows: Iterable[Any], *named: Named) -> tuple[Series, ...]:
    """One chart series per (name, reading) over the same rows, in the rows' order."""
    listed = tuple(rows)
    return tuple(Series(name, values(listed, get)) for name, get in named)


def weekly_table(weeks: tuple[Any, ...], *columns: Column, note: str = "") -> Table:
    """The "Weekly" table every report ends with: one row per studio week, its days first."""
    week = Column("Week", "text", lambda w: week_range(w.week_of))
    return Table("weeks", "Weekly", (week, *columns), weeks, note)


def weekly_chart(
    title: str, weeks: tuple[Any, ...], *named: Named, unit: ChartUnit, tab: str, currency: str = ""
) -> LineChart:
    """A line per named reading over rows that each have a `week_of` Monday."""
    return LineChart(title, week_labels(weeks), series(weeks, *named), unit, currency, tab)
