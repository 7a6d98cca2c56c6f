"""The packages and money report as figures, charts and tables."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from desk.domain.enums import ProductKind
from desk.domain.money import Money, exponent
from desk.reports.layouts.common import (
    Heading,
    count,
    laid_out,
    values,
    weekly_chart,
    weekly_table,
)
from desk.reports.model import BarChart, Column, Figure, ReportDocument, Series, Table
from desk.services.reports.packages import PackagesReport

VALUE_TIP = "Sessions left × the sale's own price per session (price ÷ sessions), rounded per sale"


def _major(minor: int, currency: str) -> float:
    return float(Decimal(minor).scaleb(-exponent(currency)))


def _money(get_minor: Any, header: str, tip: str = "") -> tuple[Column, Column]:
    return (
        Column(header, "money", lambda r: Money(get_minor(r), r.currency), tip),
        Column("Currency", "text", lambda r: r.currency, export_only=True),
    )


def _group_table(slug: str, title: str, header: str, rows: Any, tab: str) -> Table:
    return Table(
        slug,
        title,
        (
            Column(header, "text", lambda g: g.name),
            Column("Sales", "int", lambda g: g.sales),
            *_money(lambda g: g.revenue_minor, "Revenue", "Sale prices as sold (voided left out)"),
            Column("Sessions sold", "int", lambda g: g.sessions_sold, "Packages only"),
        ),
        rows,
        "Sales made in the range",
        "No sales in this range.",
        tab,
    )


def _held_table(slug: str, title: str, rows: Any, note: str, empty: str, tab: str) -> Table:
    return Table(
        slug,
        title,
        (
            Column("Member", "text", lambda s: s.member),
            Column("Phone", "text", lambda s: s.phone),
            Column("Product", "text", lambda s: s.product),
            Column("Sold", "date", lambda s: s.sold_on),
            Column("Left", "int", lambda s: s.remaining, "Sessions left (memberships: –)"),
            Column("Expires", "date", lambda s: s.expires_on, "Last valid day, pauses included"),
            *_money(lambda s: s.value_minor, "Value", VALUE_TIP),
        ),
        rows,
        note,
        empty,
        tab,
    )


def _tables(rep: PackagesReport) -> tuple[Table, ...]:
    as_of = f"{rep.as_of:%d %b %Y}"
    usage = Table(
        "usage",
        "Sessions sold vs used",
        (
            Column("Product", "text", lambda u: u.product),
            Column("Kind", "text", lambda u: u.kind.value.capitalize()),
            Column("Sales", "int", lambda u: u.sales),
            Column("Sessions sold", "int", lambda u: u.sessions_sold),
            Column("Used", "int", lambda u: u.sessions_used, "Consumed − restored in the range"),
            Column("Adjusted", "int", lambda u: u.adjusted, "Staff corrections in the range"),
        ),
        rep.usage,
        "Memberships: 'used' counts visits, which cost no sessions",
        tab="Usage",
    )
    liability = Table(
        "liability",
        "Outstanding liability",
        (
            Column("Product", "text", lambda p: p.product),
            Column("Packages", "int", lambda p: p.sales),
            Column("Sessions left", "int", lambda p: p.sessions_left),
            *_money(lambda p: p.value_minor, "Value", VALUE_TIP),
        ),
        rep.liability,
        f"Unused, unexpired package sessions as of {as_of}",
        "No prepaid sessions are outstanding.",
        tab="Liability",
    )
    weeks = weekly_table(
        rep.weeks,
        Column("Sales", "int", lambda w: w.sales),
        Column("Revenue", "money", lambda w: Money(w.revenue_minor, rep.currency)),
        Column("Sessions used", "int", lambda w: w.sessions_used),
        note=f"Revenue in {rep.currency}",
    )
    return (
        _group_table("by-product", "Sales by product", "Product", rep.by_product, "Products"),
        _group_table("by-seller", "Sales by seller", "Seller", rep.by_seller, "Sellers"),
        _group_table("by-channel", "Sales by channel", "Channel", rep.by_channel, "Channels"),
        usage,
        liability,
        _held_table(
            "expiring",
            "Renewals due",
            rep.expiring,
            f"Valid packages and memberships ending within {rep.expiring_within_days} days "
            f"of {as_of}",
            "Nothing runs out in the next days.",
            "Renewals",
        ),
        _held_table(
            "breakage",
            "Breakage",
            rep.breakage,
            "Packages whose last day fell in the range with sessions left",
            "No package expired with sessions left.",
            "Breakage",
        ),
        _held_table(
            "outstanding",
            "Outstanding by member",
            rep.outstanding,
            f"Every package with sessions left as of {as_of}",
            "No prepaid sessions are outstanding.",
            "By member",
        ),
        weeks,
    )


def _figures(rep: PackagesReport) -> tuple[Figure, ...]:
    cur = rep.currency
    owed = sum(p.sessions_left for p in rep.liability if p.currency == cur)
    return (
        Figure("Revenue", Money(rep.revenue_minor, cur).format(), count(rep.sales, "sale")),
        Figure(
            "Outstanding liability",
            Money(rep.liability_minor, cur).format(),
            f"{owed:,} prepaid sessions owed",
        ),
        Figure(
            "Renewals due",
            f"{len(rep.expiring):,}",
            f"ending within {rep.expiring_within_days} days",
            "warn" if rep.expiring else "",
        ),
        Figure(
            "Breakage",
            Money(rep.breakage_minor, cur).format(),
            f"{rep.breakage_sessions:,} sessions expired unused",
        ),
        Figure("Voided sales", f"{rep.voided_sales:,}", "left out of every figure"),
    )


def _charts(rep: PackagesReport) -> tuple[Any, ...]:
    cur = rep.currency
    products = [g for g in rep.by_product if g.currency == cur]
    revenue = BarChart(
        "Revenue by product",
        tuple(g.name for g in products),
        (Series("Revenue", values(products, lambda g: _major(g.revenue_minor, cur))),),
        "money",
        cur,
        tab="Revenue",
    )
    packages = [
        u
        for u in rep.usage
        if u.kind is ProductKind.PACKAGE and (u.sessions_sold or u.sessions_used)
    ]
    usage = BarChart(
        "Package sessions sold vs used",
        tuple(u.product for u in packages),
        (
            Series("Sold", values(packages, lambda u: float(u.sessions_sold))),
            Series("Used", values(packages, lambda u: float(u.sessions_used))),
        ),
        "count",
        tab="Usage",
    )
    trend = weekly_chart(
        "Revenue per week",
        rep.weeks,
        ("Revenue", lambda w: _major(w.revenue_minor, cur)),
        unit="money",
        currency=cur,
        tab="Weekly revenue",
    )
    return (revenue, usage, trend)


def document(rep: PackagesReport, heading: Heading) -> ReportDocument:
    as_of = f"Balances as of {rep.as_of:%d %b %Y}"
    return laid_out(
        "packages",
        "Packages and money",
        rep.period,
        replace(heading, scope=heading.scope or as_of),
        figures=_figures(rep),
        charts=_charts(rep),
        tables=_tables(rep),
        main="by-product",
        notes=(
            "Liability values each package's unused sessions at its own price per session.",
            "Memberships are counted in sales and renewals but carry no session liability.",
        ),
    )
