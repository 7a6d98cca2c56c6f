"""What members still hold as of a day: sessions left, their worth, renewals due, breakage.

The worth of unused sessions is taken per sale from its frozen price: n sessions of a sale are
worth round_half_up(n × price_minor / sessions) minor units.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import Integer, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from desk.domain.enums import LedgerKind, ProductKind
from desk.domain.timeutil import day_bounds, local_date
from desk.services.reports.common import Period
from desk.store.models import LedgerEntry, Member, Sale, SalePause


def session_value(sessions_left: int, price_minor: int, sessions: int) -> int:
    """Worth of `sessions_left` sessions of a sale, rounded half up to a whole minor unit."""
    if sessions <= 0 or sessions_left <= 0:
        return 0
    return (2 * sessions_left * price_minor + sessions) // (2 * sessions)


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


def _pause_days(session: Session) -> dict[int, int]:
    days: dict[int, int] = defaultdict(int)
    for sale_id, starts_on, ends_on in session.execute(
        select(SalePause.sale_id, SalePause.starts_on, SalePause.ends_on)
    ):
        days[sale_id] += (ends_on - starts_on).days + 1
    return days


def held_sales(session: Session, period: Period, as_of: date) -> list[tuple[HeldSale, int]]:
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


def liability(held: list[HeldSale]) -> tuple[ProductLiability, ...]:
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for sale in held:
        entry = totals[sale.product, sale.currency]
        entry[0] += 1
        entry[1] += sale.remaining or 0
        entry[2] += sale.value_minor
    rows = [ProductLiability(p, c, *values) for (p, c), values in totals.items()]
    return tuple(sorted(rows, key=lambda r: (-r.value_minor, r.product.casefold())))


def held_lists(
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
