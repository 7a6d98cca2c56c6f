"""Packages and money: sales, sessions sold vs used, what is still owed, what is about to lapse.

Money stays in integer minor units. What members hold (balances, their worth, renewals due,
breakage) is worked out in `desk.services.reports.balances`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, cast, func, select
from sqlalchemy.orm import Session

from desk.domain.enums import LedgerKind, ProductKind, SaleChannel
from desk.domain.errors import InvalidInput
from desk.services.reports.balances import (
    HeldSale,
    ProductLiability,
    held_lists,
    held_sales,
    liability,
)
from desk.services.reports.common import (
    Period,
    local_clock,
    local_week,
    now_or_default,
    parse_day,
    period_of,
    studio_of,
)
from desk.store.models import LedgerEntry, Sale, StaffUser

NO_SELLER = "—"


@dataclass(frozen=True)
class SalesGroup:
    """Sales made in the period, by product, seller or channel."""

    name: str
    currency: str
    sales: int
    revenue_minor: int
    sessions_sold: int


@dataclass(frozen=True)
class ProductUsage:
    """Sessions sold vs used in the period, per product (memberships: visits)."""

    product: str
    kind: ProductKind
    sales: int
    sessions_sold: int
    #: Consumptions minus restores recorded in the period, on sales made at any time.
    sessions_used: int
    #: Net staff adjustments recorded in the period.
    adjusted: int


@dataclass(frozen=True)
class WeekSales:
    week_of: date
    sales: int
    #: In the studio's currency.
    revenue_minor: int
    sessions_used: int


@dataclass(frozen=True)
class PackagesReport:
    period: Period
    #: Balances, liability and expiry lists are as of this studio day (period end, or today).
    as_of: date
    currency: str
    by_product: tuple[SalesGroup, ...]
    by_seller: tuple[SalesGroup, ...]
    by_channel: tuple[SalesGroup, ...]
    usage: tuple[ProductUsage, ...]
    liability: tuple[ProductLiability, ...]
    outstanding: tuple[HeldSale, ...]
    expiring: tuple[HeldSale, ...]
    expiring_within_days: int
    breakage: tuple[HeldSale, ...]
    weeks: tuple[WeekSales, ...]
    voided_sales: int

    def _in_currency(self, rows: Any, attr: str) -> int:
        return sum(getattr(r, attr) for r in rows if r.currency == self.currency)

    @property
    def revenue_minor(self) -> int:
        return int(self._in_currency(self.by_channel, "revenue_minor"))

    @property
    def sales(self) -> int:
        return sum(g.sales for g in self.by_channel)

    @property
    def liability_minor(self) -> int:
        return int(self._in_currency(self.liability, "value_minor"))

    @property
    def breakage_minor(self) -> int:
        return sum(s.value_minor for s in self.breakage if s.currency == self.currency)

    @property
    def breakage_sessions(self) -> int:
        return sum(s.remaining or 0 for s in self.breakage)


def _count(kind: LedgerKind) -> ColumnElement[int]:
    return cast(func.sum(case((LedgerEntry.kind == kind, 1), else_=0)), Integer)


def _net_used() -> ColumnElement[int]:
    """Sessions used: consumptions minus the restores that undid some of them."""
    return _count(LedgerKind.CONSUME) - _count(LedgerKind.RESTORE)


def _sold_in(period: Period) -> tuple[ColumnElement[bool], ...]:
    """Sales made in the period and not voided."""
    return (Sale.sold_at >= period.starts, Sale.sold_at < period.ends, Sale.voided_at.is_(None))


def _recorded_in(period: Period) -> tuple[ColumnElement[bool], ...]:
    return (LedgerEntry.created_at >= period.starts, LedgerEntry.created_at < period.ends)


def _sales_by(session: Session, period: Period, key: Any) -> list[tuple[Any, str, int, int, int]]:
    sessions = func.coalesce(func.sum(Sale.sessions), 0)
    query = (
        select(key, Sale.currency, func.count(), func.sum(Sale.price_minor), sessions)
        .where(*_sold_in(period))
        .group_by(key, Sale.currency)
    )
    return [(k, cur, int(n), int(rev), int(ses)) for k, cur, n, rev, ses in session.execute(query)]


def _groups(
    rows: list[tuple[Any, str, int, int, int]], names: dict[Any, str]
) -> tuple[SalesGroup, ...]:
    groups = [SalesGroup(names.get(k, str(k)), cur, n, rev, ses) for k, cur, n, rev, ses in rows]
    return tuple(sorted(groups, key=lambda g: (-g.revenue_minor, g.name.casefold())))


def _sales(session: Session, period: Period) -> tuple[tuple[SalesGroup, ...], ...]:
    sellers: dict[int | None, str] = {None: NO_SELLER}
    sellers.update(
        {sid: name for sid, name in session.execute(select(StaffUser.id, StaffUser.name))}
    )
    channels = {c: c.value.capitalize() for c in SaleChannel}
    products = _sales_by(session, period, Sale.product_name)
    return (
        _groups(products, {}),
        _groups(_sales_by(session, period, Sale.seller_id), sellers),
        _groups(_sales_by(session, period, Sale.channel), channels),
    )


def _usage(session: Session, period: Period) -> tuple[ProductUsage, ...]:
    sold_query = (
        select(
            Sale.product_name, Sale.kind, func.count(), func.coalesce(func.sum(Sale.sessions), 0)
        )
        .where(*_sold_in(period))
        .group_by(Sale.product_name, Sale.kind)
    )
    sold = {(name, kind): (n, int(ses or 0)) for name, kind, n, ses in session.execute(sold_query)}
    adjusted = func.sum(case((LedgerEntry.kind == LedgerKind.ADJUST, LedgerEntry.delta), else_=0))
    used_query = (
        select(
            Sale.product_name,
            Sale.kind,
            _net_used(),
            cast(adjusted, Integer),
        )
        .join(Sale, Sale.id == LedgerEntry.sale_id)
        .where(*_recorded_in(period))
        .group_by(Sale.product_name, Sale.kind)
    )
    used = {(name, kind): (int(n), int(a)) for name, kind, n, a in session.execute(used_query)}
    rows = [
        ProductUsage(name, kind, *sold.get((name, kind), (0, 0)), *used.get((name, kind), (0, 0)))
        for name, kind in set(used) | set(sold)
    ]
    return tuple(
        sorted(rows, key=lambda r: (r.kind is not ProductKind.PACKAGE, r.product.casefold()))
    )


def _weeks(session: Session, period: Period, currency: str) -> tuple[WeekSales, ...]:
    tz = period.tz
    sold_week = local_week(
        session, local_clock(session, Sale.sold_at, tz, period.starts, period.ends)
    )
    sold = {
        parse_day(w): (int(n), int(rev))
        for w, n, rev in session.execute(
            select(sold_week, func.count(), func.sum(Sale.price_minor))
            .where(*_sold_in(period), Sale.currency == currency)
            .group_by(sold_week)
        )
    }
    used_week = local_week(
        session, local_clock(session, LedgerEntry.created_at, tz, period.starts, period.ends)
    )
    used = {
        parse_day(w): int(n)
        for w, n in session.execute(
            select(used_week, _net_used()).where(*_recorded_in(period)).group_by(used_week)
        )
    }
    return tuple(WeekSales(m, *sold.get(m, (0, 0)), used.get(m, 0)) for m in period.mondays())


def packages(
    session: Session,
    *,
    date_from: date,
    date_to: date,
    expiring_within_days: int = 14,
    now: datetime | None = None,
) -> PackagesReport:
    """Sales in the period; liability, renewals due and breakage as of its end (or today)."""
    if expiring_within_days < 0:
        raise InvalidInput("The renewal window cannot be negative.")
    period = period_of(session, date_from=date_from, date_to=date_to)
    as_of = period.as_of(now_or_default(now))
    currency = studio_of(session).currency
    by_product, by_seller, by_channel = _sales(session, period)
    held = held_sales(session, period, as_of)
    outstanding, expiring, breakage = held_lists(held, period, as_of, expiring_within_days)
    voided = session.scalar(
        select(func.count())
        .select_from(Sale)
        .where(
            Sale.sold_at >= period.starts, Sale.sold_at < period.ends, Sale.voided_at.is_not(None)
        )
    )
    return PackagesReport(
        period=period,
        as_of=as_of,
        currency=currency,
        by_product=by_product,
        by_seller=by_seller,
        by_channel=by_channel,
        usage=_usage(session, period),
        liability=liability(outstanding),
        outstanding=tuple(sorted(outstanding, key=lambda s: (-s.value_minor, s.member.casefold()))),
        expiring=tuple(
            sorted(expiring, key=lambda s: (s.expires_on or as_of, s.member.casefold()))
        ),
        expiring_within_days=expiring_within_days,
        breakage=tuple(
            sorted(breakage, key=lambda s: (s.expires_on or as_of, s.member.casefold()))
        ),
        weeks=_weeks(session, period, currency),
        voided_sales=int(voided or 0),
    )
