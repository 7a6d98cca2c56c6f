"""The occupancy report as figures, charts and tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desk.reports.layouts import common
from desk.reports.layouts.common import Heading, Named
from desk.reports.model import BarChart, Column, Figure, ReportDocument, Table
from desk.services.reports.common import WEEKDAYS
from desk.services.reports.occupancy import Fill, OccupancyReport

FILL_TIP = "Booked seats ÷ seats offered (booked = attended + no-shows + not yet marked)"
ATTENDED_TIP = "Attended seats ÷ seats offered"


def fill_columns(fill: Callable[[Any], Fill]) -> tuple[Column, ...]:
    return (
        Column("Classes", "int", lambda r: fill(r).sessions),
        Column("Seats", "int", lambda r: fill(r).seats, "Sum of the classes' capacities"),
        Column("Booked", "int", lambda r: fill(r).booked, FILL_TIP),
        Column("Attended", "int", lambda r: fill(r).attended, "Completed (checked-in) bookings"),
        Column("Avg booked", "decimal", lambda r: fill(r).average_booked),
        Column("Fill", "percent", lambda r: fill(r).fill_rate, FILL_TIP),
        Column("Attended %", "percent", lambda r: fill(r).attendance_rate, ATTENDED_TIP),
        Column("Full", "int", lambda r: fill(r).full_sessions, "Classes booked to capacity"),
        Column("Waitlist", "int", lambda r: fill(r).waitlisted, "Waitlist entries ever made"),
    )


def _session_table(rep: OccupancyReport) -> Table:
    columns = (
        Column("Starts", "datetime", lambda s: s.starts_local),
        Column("Class", "text", lambda s: s.service),
        Column("Trainer", "text", lambda s: s.trainer),
        Column("Room", "text", lambda s: s.room),
        Column("Capacity", "int", lambda s: s.capacity),
        Column("Booked", "int", lambda s: s.booked, FILL_TIP),
        Column("Attended", "int", lambda s: s.attended),
        Column("No-shows", "int", lambda s: s.no_shows),
        Column("Late cancels", "int", lambda s: s.late_cancels),
        Column("Waitlist", "int", lambda s: s.waitlist_peak, "Waitlist entries ever made"),
        Column("Fill", "percent", lambda s: s.fill.fill_rate, FILL_TIP),
        Column("Attended %", "percent", lambda s: s.fill.attendance_rate, ATTENDED_TIP),
    )
    return Table("classes", "Classes", columns, rep.sessions, "One row per class session")


def _tables(rep: OccupancyReport) -> tuple[Table, ...]:
    def group(slug: str, title: str, header: str, rows: Any) -> Table:
        return Table(
            slug,
            title,
            (Column(header, "text", lambda g: g.name), *fill_columns(lambda g: g.fill)),
            rows,
        )

    slots = Table(
        "slots",
        "By slot",
        (
            Column("Day", "text", lambda c: WEEKDAYS[c.weekday]),
            Column("Slot", "text", lambda c: common.slot_label(c.weekday, c.hour)),
            *fill_columns(lambda c: c.fill),
        ),
        rep.heatmap,
        "Studio-local start time; the heatmap's numbers",
    )
    weeks = common.weekly_table(
        rep.weeks,
        *fill_columns(lambda w: w.fill),
        Column("Change", "points", lambda w: w.fill_change, "Fill rate vs the week before"),
    )
    return (
        group("by-service", "By service", "Service", rep.by_service),
        group("by-trainer", "By trainer", "Trainer", rep.by_trainer),
        group("by-room", "By room", "Room", rep.by_room),
        slots,
        weeks,
        _session_table(rep),
    )


def _figures(rep: OccupancyReport) -> tuple[Figure, ...]:
    total = rep.total
    busiest = max(rep.heatmap, key=lambda c: (c.fill.fill_rate or 0, c.fill.seats), default=None)
    return (
        Figure("Classes", f"{total.sessions:,}", common.count(total.seats, "seat") + " offered"),
        Figure("Fill rate", common.percent(total.fill_rate), f"{total.booked:,} seats booked"),
        Figure("Attended", common.percent(total.attendance_rate), f"{total.attended:,} check-ins"),
        Figure("Show-up", common.percent(total.show_rate), "of booked seats attended"),
        Figure("Full classes", f"{total.full_sessions:,}", f"{total.waitlisted:,} waitlisted"),
        Figure(
            "Busiest slot",
            "–" if busiest is None else common.slot_label(busiest.weekday, busiest.hour),
            "" if busiest is None else common.percent(busiest.fill.fill_rate) + " full",
        ),
    )


def _charts(rep: OccupancyReport) -> tuple[Any, ...]:
    def cell_label(c: Any) -> str:
        return f"{c.fill.booked}/{c.fill.seats}"

    booked = common.heatmap(
        "Fill by weekday and hour (booked ÷ seats)",
        rep.heatmap,
        place=lambda c: (c.weekday, c.hour),
        value=lambda c: c.fill.fill_rate,
        label=cell_label,
        caption="Each cell: booked / seats over the classes starting in that hour",
        tab="Fill",
    )
    attended = common.heatmap(
        "Attendance by weekday and hour (attended ÷ seats)",
        rep.heatmap,
        place=lambda c: (c.weekday, c.hour),
        value=lambda c: c.fill.attendance_rate,
        label=lambda c: f"{c.fill.attended}/{c.fill.seats}",
        caption="Each cell: attended / seats",
        tab="Attendance",
    )
    attended_rate: Named = ("Attended", lambda r: r.fill.attendance_rate)
    services = BarChart(
        "Fill by service",
        tuple(g.name for g in rep.by_service),
        common.series(rep.by_service, ("Booked", lambda g: g.fill.fill_rate), attended_rate),
        "percent",
        tab="By service",
    )
    trend = common.weekly_chart(
        "Weekly",
        rep.weeks,
        ("Fill", lambda w: w.fill.fill_rate),
        attended_rate,
        unit="percent",
        tab="Weekly",
    )
    return (booked, attended, services, trend)


def document(rep: OccupancyReport, heading: Heading) -> ReportDocument:
    return common.laid_out(
        "occupancy",
        "Occupancy",
        rep.period,
        heading,
        figures=_figures(rep),
        charts=_charts(rep),
        tables=_tables(rep),
        main="classes",
        notes=(
            "Group classes only; cancelled classes and private appointments are left out.",
            "Booked = attended + no-shows + not yet marked; cancellations never count.",
        ),
    )
