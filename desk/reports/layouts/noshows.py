"""The no-shows and late-cancels report as figures, charts and tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desk.reports.layouts import common
from desk.reports.layouts.common import Heading, Named
from desk.reports.model import BarChart, Column, Figure, ReportDocument, Table
from desk.services.reports.noshows import Attendance, NoShowReport

NO_SHOW_TIP = "No-shows ÷ bookings (attended + no-shows + late cancels + unmarked)"
LATE_TIP = "Late cancels ÷ bookings"


def counts_columns(get: Callable[[Any], Attendance]) -> tuple[Column, ...]:
    return (
        Column("Bookings", "int", lambda r: get(r).bookings, NO_SHOW_TIP),
        Column("Attended", "int", lambda r: get(r).attended),
        Column("No-shows", "int", lambda r: get(r).no_shows),
        Column("No-show %", "percent", lambda r: get(r).no_show_rate, NO_SHOW_TIP),
        Column("Late cancels", "int", lambda r: get(r).late_cancels),
        Column("Late cancel %", "percent", lambda r: get(r).late_cancel_rate, LATE_TIP),
        Column("Unmarked", "int", lambda r: get(r).unmarked, "Still 'booked' after the start"),
    )


def _member_table(slug: str, title: str, rows: Any, note: str = "", tab: str = "") -> Table:
    return Table(
        slug,
        title,
        (
            Column("Member", "text", lambda m: m.name),
            Column("No-shows", "int", lambda m: m.counts.no_shows),
            Column("No-show %", "percent", lambda m: m.counts.no_show_rate, NO_SHOW_TIP),
            Column("Last no-show", "date", lambda m: m.last_no_show),
            Column("Bookings", "int", lambda m: m.counts.bookings),
            Column("Attended", "int", lambda m: m.counts.attended),
            Column("Late cancels", "int", lambda m: m.counts.late_cancels),
            Column("Late cancel %", "percent", lambda m: m.counts.late_cancel_rate, LATE_TIP),
            Column("Unmarked", "int", lambda m: m.counts.unmarked),
            Column("Phone", "text", lambda m: m.phone),
        ),
        rows,
        note,
        "Nobody missed enough classes to be listed. Good news.",
        tab,
    )


def _tables(rep: NoShowReport) -> tuple[Table, ...]:
    return (
        Table(
            "by-service",
            "By class",
            (
                Column("Class", "text", lambda r: r.service),
                Column("Kind", "text", lambda r: r.kind.value.capitalize()),
                *counts_columns(lambda r: r.counts),
            ),
            rep.by_service,
        ),
        Table(
            "by-kind",
            "By service kind",
            (
                Column("Kind", "text", lambda r: r.kind.value.capitalize()),
                *counts_columns(lambda r: r.counts),
            ),
            rep.by_kind,
            tab="By kind",
        ),
        Table(
            "by-slot",
            "By time slot",
            (
                Column("Slot", "text", lambda r: common.slot_label(r.weekday, r.hour)),
                *counts_columns(lambda r: r.counts),
            ),
            rep.by_slot,
            "Studio-local weekday and start hour",
            tab="By slot",
        ),
        _member_table(
            "chronic",
            "Chronic no-shows",
            rep.chronic,
            f"Members with {rep.chronic_after} or more no-shows in the range",
            "Chronic",
        ),
        _member_table("by-member", "By member", rep.by_member),
        common.weekly_table(rep.weeks, *counts_columns(lambda w: w.counts)),
    )


def _figures(rep: NoShowReport) -> tuple[Figure, ...]:
    total = rep.total
    return (
        Figure("Bookings", f"{total.bookings:,}", "of sessions that have started"),
        Figure(
            "No-show rate",
            common.percent(total.no_show_rate),
            common.count(total.no_shows, "no-show"),
        ),
        Figure(
            "Late-cancel rate",
            common.percent(total.late_cancel_rate),
            common.count(total.late_cancels, "late cancel"),
        ),
        Figure("Unmarked", f"{total.unmarked:,}", "bookings nobody checked in or marked"),
        Figure(
            "Chronic no-shows",
            f"{len(rep.chronic):,}",
            f"members with {rep.chronic_after}+ no-shows",
            "bad" if rep.chronic else "",
        ),
    )


def _charts(rep: NoShowReport) -> tuple[Any, ...]:
    no_show: Named = ("No-show %", lambda r: r.counts.no_show_rate)
    late: Named = ("Late cancel %", lambda r: r.counts.late_cancel_rate)
    services = BarChart(
        "No-shows and late cancels by class",
        tuple(r.service for r in rep.by_service),
        common.series(rep.by_service, no_show, late),
        "percent",
        tab="By class",
    )
    slots = common.heatmap(
        "No-show rate by weekday and hour",
        rep.by_slot,
        place=lambda r: (r.weekday, r.hour),
        value=lambda r: r.counts.no_show_rate,
        label=lambda r: f"{r.counts.no_shows}/{r.counts.bookings}",
        caption="Each cell: no-shows / bookings",
        high_is_bad=True,
        tab="Heatmap",
    )
    trend = common.weekly_chart("Weekly", rep.weeks, no_show, late, unit="percent", tab="Weekly")
    return (services, slots, trend)


def document(rep: NoShowReport, heading: Heading) -> ReportDocument:
    until = rep.counted_until.astimezone(rep.period.tz)
    return common.laid_out(
        "noshows",
        "No-shows and late cancels",
        rep.period,
        heading,
        figures=_figures(rep),
        charts=_charts(rep),
        tables=_tables(rep),
        main="by-member",
        notes=(
            f"Sessions that started before {until:%d %b %Y %H:%M}; group classes and private "
            "appointments.",
            "In-time cancellations are the member's right and never count.",
        ),
    )
