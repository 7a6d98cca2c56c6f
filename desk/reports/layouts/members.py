"""The members report as figures, charts and tables."""

from __future__ import annotations

from typing import Any

from desk.reports.layouts.common import (
    Heading,
    laid_out,
    series,
    week_labels,
    weekly_chart,
    weekly_table,
)
from desk.reports.model import BarChart, Column, Figure, ReportDocument, Series, Table
from desk.services.reports.members import MembersReport

#: Histogram of visits per week: (label, lower bound inclusive).
BUCKETS = (("< 0.5", 0.0), ("0.5–1", 0.5), ("1–2", 1.0), ("2–3", 2.0), ("3+", 3.0))


def _bucket_counts(rep: MembersReport) -> tuple[float | None, ...]:
    counts = [0] * len(BUCKETS)
    for member in rep.members:
        index = max(i for i, (_, low) in enumerate(BUCKETS) if member.visits_per_week >= low)
        counts[index] += 1
    return tuple(float(n) for n in counts)


def _who() -> tuple[Column, ...]:
    return (
        Column("Member", "text", lambda m: m.name),
        Column("Phone", "text", lambda m: m.phone),
    )


def _tables(rep: MembersReport) -> tuple[Table, ...]:
    rule = rep.taper_rule
    return (
        Table(
            "visits",
            "Visits per member",
            (
                *_who(),
                Column("Visits", "int", lambda m: m.visits, "Completed bookings in the range"),
                Column("Per week", "decimal", lambda m: m.visits_per_week),
                Column("First visit", "date", lambda m: m.first_visit),
                Column("Last visit", "date", lambda m: m.last_visit),
            ),
            rep.members,
            "Members with at least one visit in the range",
        ),
        Table(
            "tapering",
            "Tapering",
            (
                Column("Member", "text", lambda t: t.name),
                Column("Drop", "percent", lambda t: t.drop, "How much the weekly rate fell"),
                Column("Earlier / week", "decimal", lambda t: t.baseline_per_week),
                Column("Recent / week", "decimal", lambda t: t.recent_per_week),
                Column("Last visit", "date", lambda t: t.last_visit),
                Column("Earlier visits", "int", lambda t: t.baseline_visits),
                Column("Recent visits", "int", lambda t: t.recent_visits),
                Column("Phone", "text", lambda t: t.phone),
            ),
            rep.tapering,
            f"Last {rule.recent_days} days vs the {rule.baseline_days} before, as of "
            f"{rep.as_of:%d %b %Y}; a fall to {rule.max_ratio:.0%} or less of their own rate",
            "Nobody is coming noticeably less than before.",
        ),
        Table(
            "lapsed",
            "Lapsed",
            (
                *_who(),
                Column("Last visit", "date", lambda m: m.last_visit),
                Column("Days since", "int", lambda m: m.days_since),
                Column("Visits ever", "int", lambda m: m.visits_ever),
            ),
            rep.lapsed,
            f"No visit in the {rep.lapsed_after_days} days up to {rep.as_of:%d %b %Y}",
            "Everyone who used to come has been in lately.",
        ),
        Table(
            "new",
            "New members",
            (
                *_who(),
                Column("Joined", "date", lambda m: m.joined),
                Column("First visit", "date", lambda m: m.first_visit),
                Column("Visits in range", "int", lambda m: m.visits_in_period),
            ),
            rep.new_members,
            "Members added to the studio in the range",
            "No new members in this range.",
        ),
        weekly_table(
            rep.weeks,
            Column("Visits", "int", lambda w: w.visits),
            Column("Active members", "int", lambda w: w.active_members),
            Column("New members", "int", lambda w: w.new_members),
        ),
    )


def _figures(rep: MembersReport) -> tuple[Figure, ...]:
    per_member = rep.visits_per_member
    return (
        Figure("Active members", f"{rep.active_members:,}", "with at least one visit"),
        Figure("Visits", f"{rep.visits:,}", "completed bookings"),
        Figure(
            "Visits per member",
            "–" if per_member is None else f"{per_member:.1f}",
            f"{rep.visits / rep.period.weeks:,.1f} visits a week",
        ),
        Figure("New members", f"{len(rep.new_members):,}", "joined in the range"),
        Figure("Tapering", f"{len(rep.tapering):,}", "coming less than before", "warn"),
        Figure(
            "Lapsed",
            f"{len(rep.lapsed):,}",
            f"no visit in {rep.lapsed_after_days} days",
            "bad" if rep.lapsed else "",
        ),
    )


def _charts(rep: MembersReport) -> tuple[Any, ...]:
    trend = weekly_chart(
        "Visits and active members per week",
        rep.weeks,
        ("Visits", lambda w: float(w.visits)),
        ("Active members", lambda w: float(w.active_members)),
        unit="count",
        tab="Weekly visits",
    )
    spread = BarChart(
        "Members by visits per week",
        tuple(label for label, _ in BUCKETS),
        (Series("Members", _bucket_counts(rep)),),
        "count",
        tab="How often",
    )
    joined = BarChart(
        "New members per week",
        week_labels(rep.weeks),
        series(rep.weeks, ("New members", lambda w: float(w.new_members))),
        "count",
        tab="New per week",
    )
    return (trend, spread, joined)


def document(rep: MembersReport, heading: Heading) -> ReportDocument:
    return laid_out(
        "members",
        "Members",
        rep.period,
        heading,
        figures=_figures(rep),
        charts=_charts(rep),
        tables=_tables(rep),
        main="visits",
        notes=(
            "A visit is a completed (checked-in) booking of a class or appointment.",
            f"Tapering and lapsed are judged as of {rep.as_of:%d %b %Y}.",
        ),
    )
