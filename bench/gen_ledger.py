"""The generated studio's sales and ledger, kept consistent the way the desk keeps them.

Every completed booking that something pays for has one `consume` row for its completion round,
drawn from the entitlement the desk's rule picks (membership with room first, then the package
expiring soonest, older sale first); a member whose packages ran out buys the plan's product at
the desk just before the class. A reverted check-in gets its `restore` row and the next round's
consumption. Packages past their expiry with sessions left get their `expire` row, as the
desk's expiry job writes them. Balances therefore never go below zero.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bench.gen_write import Row, Rows
from desk.domain.enums import (
    BookingStatus,
    LedgerKind,
    NoShowReason,
    ProductKind,
    SaleChannel,
    ServiceKind,
)
from desk.domain.timeutil import local_date, local_datetime, week_start

#: Share of check-ins that staff revert (a wrong name ticked) and the desk then redoes.
REVERT_RATE = 0.004
#: Of those, the share where the member had in fact not come: a no-show after all.
REVERT_TO_NOSHOW = 0.2


@dataclass(frozen=True)
class ProductTerms:
    id: int
    key: str
    name: str
    kind: ProductKind
    sessions: int | None
    valid_days: int
    weekly_cap: int | None
    price_minor: int
    scope: frozenset[int]


@dataclass
class Holding:
    sale_id: int
    kind: ProductKind
    remaining: int
    scope: frozenset[int]
    starts_on: date
    expires_on: date
    weekly_cap: int | None
    sold_at: datetime
    week_visits: Counter[date] = field(default_factory=Counter)

    @property
    def is_membership(self) -> bool:
        return self.kind is ProductKind.MEMBERSHIP

    def pays_for(self, service_id: int, on: date) -> bool:
        if service_id not in self.scope or not self.starts_on <= on <= self.expires_on:
            return False
        if not self.is_membership:
            return self.remaining > 0
        return self.weekly_cap is None or self.week_visits[week_start(on)] < self.weekly_cap

    def preference(self) -> tuple[int, date, datetime, int]:
        return (0 if self.is_membership else 1, self.expires_on, self.sold_at, self.sale_id)


@dataclass(frozen=True)
class Staff:
    owner: int
    #: Morning and evening reception.
    desks: tuple[int, int]

    def on_duty(self, at: datetime, tz: ZoneInfo) -> int:
        return self.desks[0] if at.astimezone(tz).hour < 15 else self.desks[1]


class Ledger:
    """Members' holdings in memory, writing sales, sale scopes and ledger rows as they happen."""

    def __init__(
        self,
        rows: Rows,
        rng: random.Random,
        products: dict[str, ProductTerms],
        staff: Staff,
        tz: ZoneInfo,
        today: date,
    ) -> None:
        self.rows, self.rng, self.products = rows, rng, products
        self.staff, self.tz, self.today = staff, tz, today
        self.holdings: dict[int, list[Holding]] = {}

    # -- selling ------------------------------------------------------------------------------

    def price_on(self, product: ProductTerms, day: date) -> int:
        """Prices rise a quarter a year; the catalog holds today's."""
        years = (self.today - day).days / 365
        return int(round(product.price_minor / 1.25**years, -2))

    def sell(self, member_id: int, key: str, at: datetime, online_share: float) -> Holding:
        product = self.products[key]
        online = self.rng.random() < online_share
        seller = None if online else self.staff.on_duty(at, self.tz)
        starts = local_date(at, self.tz)
        sale_id = self.rows.next_id("sales")
        self.rows.add(
            "sales",
            {
                "id": sale_id,
                "member_id": member_id,
                "product_id": product.id,
                "product_name": product.name,
                "kind": product.kind,
                "sessions": product.sessions,
                "valid_days": product.valid_days,
                "weekly_cap": product.weekly_cap,
                "price_minor": self.price_on(product, starts),
                "currency": "TRY",
                "seller_id": seller,
                "channel": SaleChannel.ONLINE if online else SaleChannel.DESK,
                "sold_at": at,
                "activation_on_first_visit": False,
                "starts_on": starts,
                "expires_on": starts + timedelta(days=product.valid_days - 1),
                "voided_at": None,
                "void_reason": "",
            },
        )
        for service_id in sorted(product.scope):
            self.rows.add("sale_services", {"sale_id": sale_id, "service_id": service_id})
        sessions = product.sessions or 0
        reason = f"sold {product.name}"
        self._entry(sale_id, member_id, LedgerKind.SALE, sessions, at, seller, None, reason)
        holding = Holding(
            sale_id,
            product.kind,
            product.sessions or 0,
            product.scope,
            starts,
            starts + timedelta(days=product.valid_days - 1),
            product.weekly_cap,
            at,
        )
        self.holdings.setdefault(member_id, []).append(holding)
        return holding

    def _entry(
        self,
        sale_id: int,
        member_id: int,
        kind: LedgerKind,
        delta: int,
        at: datetime,
        staff: int | None,
        booking: Row | None = None,
        reason: str = "",
    ) -> None:
        self.rows.add(
            "ledger_entries",
            {
                "id": self.rows.next_id("ledger_entries"),
                "sale_id": sale_id,
                "member_id": member_id,
                "kind": kind,
                "delta": delta,
                "booking_id": booking["id"] if booking else None,
                "completion_round": booking["completion_round"] if booking else 0,
                "reason": reason,
                "created_by": staff,
                "created_at": at,
            },
        )

    # -- choosing and consuming ---------------------------------------------------------------

    def _usable(self, member_id: int, service_id: int, on: date) -> Holding | None:
        held = self.holdings.get(member_id)
        if not held:
            return None
        self._write_off_expired(member_id, held, on)
        usable = [h for h in self.holdings[member_id] if h.pays_for(service_id, on)]
        return min(usable, key=Holding.preference) if usable else None

    def _write_off_expired(self, member_id: int, held: list[Holding], on: date) -> None:
        """Drop holdings that ended before `on`; packages with sessions left get `expire`."""
        keep = []
        for h in held:
            if h.expires_on >= on:
                keep.append(h)
            elif not h.is_membership and h.remaining > 0:
                self._expire(member_id, h)
        self.holdings[member_id] = keep

    def _expire(self, member_id: int, h: Holding) -> None:
        at = local_datetime(h.expires_on + timedelta(days=1), time(3), self.tz)
        reason = f"expired on {h.expires_on:%-d %b %Y}"
        self._entry(h.sale_id, member_id, LedgerKind.EXPIRE, -h.remaining, at, None, None, reason)
        h.remaining = 0

    def consume(
        self,
        booking: Row,
        service_id: int,
        on: date,
        at: datetime,
        renewal: str | None,
        online_share: float,
        reason: str = "attended",
    ) -> Holding | None:
        """Deduct the booking's current round; buy the renewal first if nothing pays."""
        member_id = booking["member_id"]
        chosen = self._usable(member_id, service_id, on)
        if chosen is None and renewal is not None:
            if service_id in self.products[renewal].scope and not self._holds(member_id, on):
                bought_at = at - timedelta(minutes=self.rng.uniform(5, 40))
                self.sell(member_id, renewal, bought_at, online_share * 0.3)
                chosen = self._usable(member_id, service_id, on)
        if chosen is None:
            booking["is_drop_in"] = True  # the desk collects payment, as consume_for does
            return None
        self._spend(chosen, on, +1)
        delta = 0 if chosen.is_membership else -1
        staff = self.staff.on_duty(at, self.tz)
        self._entry(
            chosen.sale_id, member_id, LedgerKind.CONSUME, delta, at, staff, booking, reason
        )
        return chosen

    def _holds(self, member_id: int, on: date) -> bool:
        """A membership still running (only its weekly cap is reached): no second one."""
        held = self.holdings.get(member_id, [])
        return any(h.is_membership and h.starts_on <= on <= h.expires_on for h in held)

    def _spend(self, h: Holding, on: date, count: int) -> None:
        if h.is_membership:
            h.week_visits[week_start(on)] += count
        else:
            h.remaining -= count

    def check_in(
        self,
        booking: Row,
        service: tuple[int, ServiceKind],
        on: date,
        at: datetime,
        renewal: str | None,
        online_share: float,
    ) -> Row | None:
        """A completed booking's consumption, sometimes reverted and redone (or a no-show).

        Returns the no-show record when the revert turned out to be a no-show.
        """
        chosen = self.consume(booking, service[0], on, at, renewal, online_share)
        if chosen is None or self.rng.random() >= REVERT_RATE:
            return None
        staff = self.staff.on_duty(at, self.tz)
        undone = at + timedelta(minutes=2)
        delta = 0 if chosen.is_membership else 1
        self._entry(chosen.sale_id, booking["member_id"], LedgerKind.RESTORE, delta, undone, staff,
                    booking, "checked in the wrong member")  # fmt: skip
        self._spend(chosen, on, -1)
        booking["completion_round"] += 1
        redo = undone + timedelta(minutes=1)
        booking["status_changed_at"] = redo
        if service[1] is ServiceKind.GROUP and self.rng.random() < REVERT_TO_NOSHOW:
            # Marked once the class was under way (check-in happens at most 25 min before it).
            booking["status"] = BookingStatus.NO_SHOW
            booking["status_changed_at"] = at + timedelta(minutes=45)
            return noshow_row(self.rows, booking, ServiceKind.GROUP, NoShowReason.NO_SHOW, staff)
        self.consume(booking, service[0], on, redo, renewal, online_share)
        return None

    # -- staff corrections and the end of the run ---------------------------------------------

    def goodwill(self, member_id: int, on: date, at: datetime) -> None:
        """+1 on the member's soonest-expiring package after the studio cancelled a class."""
        packages = [
            h
            for h in self.holdings.get(member_id, [])
            if not h.is_membership and h.starts_on <= on <= h.expires_on
        ]
        if not packages:
            return
        h = min(packages, key=Holding.preference)
        h.remaining += 1
        self._entry(h.sale_id, member_id, LedgerKind.ADJUST, 1, at, self.staff.owner, None,
                    "Goodwill: class cancelled by the studio")  # fmt: skip

    def finish(self) -> None:
        """Write off every package that expired before today with sessions left."""
        for member_id, held in self.holdings.items():
            self._write_off_expired(member_id, held, self.today)


def noshow_row(
    rows: Rows, booking: Row, kind: ServiceKind, reason: NoShowReason, staff: int | None
) -> Row:
    return rows.add(
        "noshow_records",
        {
            "id": rows.next_id("noshow_records"),
            "member_id": booking["member_id"],
            "booking_id": booking["id"],
            "service_kind": kind,
            "reason": reason,
            "occurred_at": booking["status_changed_at"],
            "created_by": staff,
            "created_at": booking["status_changed_at"],
        },
    )
