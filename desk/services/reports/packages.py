"""Packages and money: sales, sessions sold vs used, what is still owed, what is about to lapse.

Money stays in integer minor units. The value of unused sessions is taken per sale from its frozen
price: n sessions of a sale are worth round_half_up(n × price_minor / sessions) minor units.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from desk.domain.enums import LedgerKind, ProductKind, SaleChannel
from desk.domain.errors import InvalidInput
from desk.domain.timeutil import day_bounds, local_date
from desk.services.reports.common import (
    Period,
    local_clock,
    local_week,
    now_or_default,
    parse_day,
    period_of,
    studio_of,
)
from desk.store.models import LedgerEntry, Member, Sale, SalePause, StaffUser

NO_SELLER = "—"


def session_value(sessions_left: int, price_minor: int, sessions: int) -> int:
    """Worth of `sessions_left` sessions of a sale, rounded half up to a whole minor unit."""
    if sessions <= 0 or sessions_left <= 0:
        return 0
    return (2 * sessions_left * price_minor + sessions) // (2 * sessions)


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
class HeldSale:
    """A package or membership with what is left of it as of the report's day."""

    sale_id: int
    member_id: int
    member: str
    phone: str
    product: str
    kind: ProductKind
    sold_on: date
    sessions: int | None
    #: Sessions left (None for memberships).
    remaining: int | None
    #: Last valid day, pauses included; None while open-ended or not yet activated.
    expires_on: date | None
    price_minor: int
    currency: str

    @property
    def value_minor(self) -> int:
        if self.sessions is None or self.remaining is None:
            return 0
        return session_value(self.remaining, self.price_minor, self.sessions)


@dataclass(frozen=True)
class ProductLiability:
    product: str
    currency: str
    sales: int
    sessions_left: int
    value_minor: int


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


def _sales_by(session: Session, period: Period, key: Any) -> list[tuple[Any, str, int, int, int]]:
    sessions = func.coalesce(func.sum(Sale.sessions), 0)
    query = (
        select(key, Sale.currency, func.count(), func.sum(Sale.price_minor), sessions)
        .where(Sale.sold_at >= period.starts, Sale.sold_at < period.ends, Sale.voided_at.is_(None))
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
        .where(Sale.sold_at >= period.starts, Sale.sold_at < period.ends, Sale.voided_at.is_(None))
        .group_by(Sale.product_name, Sale.kind)
    )
    sold = {(name, kind): (n, int(ses or 0)) for name, kind, n, ses in session.execute(sold_query)}
    adjusted = func.sum(case((LedgerEntry.kind == LedgerKind.ADJUST, LedgerEntry.delta), else_=0))
    used_query = (
        select(
            Sale.product_name,
            Sale.kind,
            _count(LedgerKind.CONSUME) - _count(LedgerKind.RESTORE),
            cast(adjusted, Integer),
        )
        .join(Sale, Sale.id == LedgerEntry.sale_id)
        .where(LedgerEntry.created_at >= period.starts, LedgerEntry.created_at < period.ends)
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


def _pause_days(session: Session) -> dict[int, int]:
    days: dict[int, int] = defaultdict(int)
    for sale_id, starts_on, ends_on in session.execute(
        select(SalePause.sale_id, SalePause.starts_on, SalePause.ends_on)
    ):
        days[sale_id] += (ends_on - starts_on).days + 1
    return days


def _held(session: Session, period: Period, as_of: date) -> list[tuple[HeldSale, int]]:
    """Sales that can still matter as of `as_of`, each with its balance before any expire row.

    Trimmed in SQL: voided sales, packages with nothing left, and sales whose expiry (before
    pauses) is earlier than both the period and the as-of day, unless a pause moved it.
    """
    tz = period.tz
    cutoff = day_bounds(as_of, tz)[1]
    counted = LedgerEntry.created_at < cutoff
    left = cast(func.coalesce(func.sum(case((counted, LedgerEntry.delta), else_=0)), 0), Integer)
    unexpired = case(
        (counted & (LedgerEntry.kind != LedgerKind.EXPIRE), LedgerEntry.delta), else_=0
    )
    before_expiry = cast(func.coalesce(func.sum(unexpired), 0), Integer)
    paused = exists().where(SalePause.sale_id == Sale.id)
    query = (
        select(
            Sale.id,
            Sale.member_id,
            Member.full_name,
            Member.phone,
            Sale.product_name,
            Sale.kind,
            Sale.sold_at,
            Sale.sessions,
            Sale.expires_on,
            Sale.price_minor,
            Sale.currency,
            left,
            before_expiry,
        )
        .join(Member, Member.id == Sale.member_id)
        .join(LedgerEntry, LedgerEntry.sale_id == Sale.id)
        .where(
            Sale.voided_at.is_(None),
            Sale.sold_at < cutoff,
            or_(Sale.expires_on.is_(None), Sale.expires_on >= min(period.date_from, as_of), paused),
        )
        .group_by(Sale.id, Member.id)
        .having(or_(Sale.kind == ProductKind.MEMBERSHIP, before_expiry > 0))
    )
    pauses = _pause_days(session)
    held = []
    for row in session.execute(query):
        (
            sid,
            mid,
            name,
            phone,
            product,
            kind,
            sold_at,
            sessions,
            expires,
            price,
            cur,
            rem,
            unexp,
        ) = row
        expiry = None if expires is None else expires + timedelta(days=pauses.get(sid, 0))
        membership = kind is ProductKind.MEMBERSHIP
        held.append(
            (
                HeldSale(
                    sid,
                    mid,
                    name,
                    phone or "",
                    product,
                    kind,
                    local_date(sold_at, tz),
                    sessions,
                    None if membership else int(rem),
                    expiry,
                    price,
                    cur,
                ),
                int(unexp),
            )
        )
    return held


def _liability(held: list[HeldSale]) -> tuple[ProductLiability, ...]:
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for sale in held:
        entry = totals[sale.product, sale.currency]
        entry[0] += 1
        entry[1] += sale.remaining or 0
        entry[2] += sale.value_minor
    rows = [ProductLiability(p, c, *values) for (p, c), values in totals.items()]
    return tuple(sorted(rows, key=lambda r: (-r.value_minor, r.product.casefold())))


def _weeks(session: Session, period: Period, currency: str) -> tuple[WeekSales, ...]:
    tz = period.tz
    sold_week = local_week(
        session, local_clock(session, Sale.sold_at, tz, period.starts, period.ends)
    )
    sold = {
        parse_day(w): (int(n), int(rev))
        for w, n, rev in session.execute(
            select(sold_week, func.count(), func.sum(Sale.price_minor))
            .where(
                Sale.sold_at >= period.starts,
                Sale.sold_at < period.ends,
                Sale.voided_at.is_(None),
                Sale.currency == currency,
            )
            .group_by(sold_week)
        )
    }
    used_week = local_week(
        session, local_clock(session, LedgerEntry.created_at, tz, period.starts, period.ends)
    )
    used = {
        parse_day(w): int(n)
        for w, n in session.execute(
            select(used_week, _count(LedgerKind.CONSUME) - _count(LedgerKind.RESTORE))
            .where(LedgerEntry.created_at >= period.starts, LedgerEntry.created_at < period.ends)
            .group_by(used_week)
        )
    }
    return tuple(WeekSales(m, *sold.get(m, (0, 0)), used.get(m, 0)) for m in period.mondays())


def _lists(
    held: list[tuple[HeldSale, int]], period: Period, as_of: date, within_days: int
) -> tuple[list[HeldSale], list[HeldSale], list[HeldSale]]:
    """Outstanding packages, renewals due within `within_days`, and breakage in the period."""
    live = [s for s, _ in held if s.expires_on is None or s.expires_on >= as_of]
    outstanding = [s for s in live if s.kind is ProductKind.PACKAGE and (s.remaining or 0) > 0]
    horizon = as_of + timedelta(days=within_days)
    expiring = [
        s
        for s in live
        if s.expires_on is not None
        and s.expires_on <= horizon
        and (s.kind is ProductKind.MEMBERSHIP or (s.remaining or 0) > 0)
    ]
    breakage = [
        replace(s, remaining=unused)
        for s, unused in held
        if s.kind is ProductKind.PACKAGE
        and s.expires_on is not None
        and period.date_from <= s.expires_on <= period.date_to
        and s.expires_on < as_of
        and unused > 0
    ]
    return outstanding, expiring, breakage


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
    held = _held(session, period, as_of)
    outstanding, expiring, breakage = _lists(held, period, as_of, expiring_within_days)
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
        liability=_liability(outstanding),
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
