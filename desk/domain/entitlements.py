"""Which package or membership pays for a session, and what state each one is in.

Pure rules, no I/O. The rule (DESIGN.md §1 "Which entitlement pays"): among entitlements whose
scope covers the service and that are valid on the session's date, a membership with room in its
period first (it costs nothing extra), then the package that expires soonest, open-ended ones
last, older sale first on ties.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from desk.domain.enums import EntitlementStatus, ProductKind
from desk.domain.errors import NoEntitlement
from desk.domain.timeutil import day_month_year, week_start


@dataclass(frozen=True)
class EntitlementTerms:
    """A sale's frozen terms plus what happened to it since (pauses, voiding)."""

    sale_id: int
    name: str
    kind: ProductKind
    sessions: int | None
    weekly_cap: int | None
    valid_days: int | None
    scope: frozenset[int]
    sold_at: datetime
    starts_on: date | None
    expires_on: date | None
    activation_on_first_visit: bool = False
    pauses: tuple[tuple[date, date], ...] = ()
    voided: bool = False

    @property
    def is_membership(self) -> bool:
        return self.kind is ProductKind.MEMBERSHIP

    def pause_days(self) -> int:
        return sum((end - start).days + 1 for start, end in self.pauses)

    def window_for(self, on: date) -> tuple[date, date | None]:
        """First and last valid day, if the member first came on `on` when not yet activated."""
        start = self.starts_on
        expiry = self.expires_on
        if start is None:
            start = on
            if self.valid_days is not None:
                expiry = on + timedelta(days=self.valid_days - 1)
        if expiry is not None:
            expiry = expiry + timedelta(days=self.pause_days())
        return start, expiry

    def effective_expiry(self) -> date | None:
        if self.starts_on is None and self.activation_on_first_visit:
            return None
        return self.window_for(self.starts_on or date.min)[1]

    def paused_on(self, on: date) -> tuple[date, date] | None:
        for start, end in self.pauses:
            if start <= on <= end:
                return (start, end)
        return None

    def covers(self, service_id: int) -> bool:
        return service_id in self.scope


def status_of(terms: EntitlementTerms, remaining: int | None, today: date) -> EntitlementStatus:
    """State shown to staff, computed from the terms, the ledger and the clock (no job needed)."""
    if terms.voided:
        return EntitlementStatus.VOIDED
    # Expiry wins over "used up": once past its date the sessions left are written off by an
    # `expire` ledger row (balance 0), and the package must still read "expired", not "used up".
    expiry = terms.effective_expiry()
    if expiry is not None and expiry < today:
        return EntitlementStatus.EXPIRED
    if not terms.is_membership and remaining is not None and remaining <= 0:
        return EntitlementStatus.USED_UP
    if terms.paused_on(today):
        return EntitlementStatus.PAUSED
    if terms.starts_on is None or terms.starts_on > today:
        return EntitlementStatus.NOT_STARTED
    return EntitlementStatus.ACTIVE


@dataclass(frozen=True)
class Holding:
    """An entitlement and how much of it is still free to draw on."""

    terms: EntitlementTerms
    remaining: int | None
    #: Visits already counted per studio week (Monday), for memberships with a weekly cap.
    week_visits: Counter[date] = field(default_factory=Counter)


@dataclass(frozen=True)
class Draw:
    """One booking that will want paying for: which service, on which studio day."""

    service_id: int
    on: date


def _usable(holding: Holding, draw: Draw) -> str | None:
    """None when `holding` can pay for `draw`, else a reason code."""
    terms = holding.terms
    if terms.voided:
        return "voided"
    if not terms.covers(draw.service_id):
        return "not_covered"
    start, expiry = terms.window_for(draw.on)
    if draw.on < start:
        return "not_started"
    if expiry is not None and draw.on > expiry:
        return "expired"
    if terms.paused_on(draw.on):
        return "paused"
    if not terms.is_membership and (holding.remaining or 0) <= 0:
        return "used_up"
    if terms.is_membership and terms.weekly_cap is not None:
        if holding.week_visits[week_start(draw.on)] >= terms.weekly_cap:
            return "weekly_cap"
    return None


def _preference(holding: Holding, draw: Draw) -> tuple[int, date, datetime, int]:
    terms = holding.terms
    expiry = terms.window_for(draw.on)[1]
    return (
        0 if terms.is_membership else 1,
        expiry if expiry is not None else date.max,
        terms.sold_at,
        terms.sale_id,
    )


def choose(holdings: Iterable[Holding], draw: Draw) -> Holding:
    """The holding that pays for `draw`, or `NoEntitlement` saying why none can."""
    holdings = list(holdings)
    usable = [h for h in holdings if _usable(h, draw) is None]
    if usable:
        return min(usable, key=lambda h: _preference(h, draw))
    raise _explain(holdings, draw)


def _spend(holding: Holding, draw: Draw) -> Holding:
    if holding.terms.is_membership:
        visits = Counter(holding.week_visits)
        visits[week_start(draw.on)] += 1
        return replace(holding, week_visits=visits)
    return replace(holding, remaining=(holding.remaining or 0) - 1)


def allocate(holdings: Sequence[Holding], draws: Sequence[Draw]) -> list[Holding]:
    """Spend `holdings` on `draws` in order; returns the holdings left afterwards.

    Draws no holding can pay for are skipped: they are the member's existing bookings that
    will be paid at the desk, and must not block the check for a new one.
    """
    current = {h.terms.sale_id: h for h in holdings}
    for draw in draws:
        try:
            chosen = choose(current.values(), draw)
        except NoEntitlement:
            continue
        current[chosen.terms.sale_id] = _spend(chosen, draw)
    return list(current.values())


def _day(day: date | None) -> str:
    return "" if day is None else day_month_year(day)


_REASON_ORDER = ("weekly_cap", "used_up", "paused", "expired", "not_started", "not_covered")


def _explain(holdings: list[Holding], draw: Draw) -> NoEntitlement:
    reasons = {h.terms.sale_id: _usable(h, draw) for h in holdings}
    unrelated = (None, "not_covered", "voided")
    covering = [h for h in holdings if reasons[h.terms.sale_id] not in unrelated]
    if not covering:
        return NoEntitlement(
            "No package or membership covers this service.", reason_code="not_covered"
        )
    for code in _REASON_ORDER:
        match = [h for h in covering if reasons[h.terms.sale_id] == code]
        if not match:
            continue
        terms = match[0].terms
        if code == "expired":
            expiry = max(h.terms.window_for(draw.on)[1] or date.max for h in match)
            return NoEntitlement(
                f"{terms.name} expired on {_day(expiry)}.", reason_code=code, expired_on=expiry
            )
        messages = {
            "weekly_cap": f"{terms.name}: weekly limit of {terms.weekly_cap} visits reached.",
            "used_up": f"{terms.name} is used up (other bookings already draw on what is left).",
            "paused": f"{terms.name} is paused on that day.",
            "not_started": f"{terms.name} only starts on {_day(terms.starts_on)}.",
        }
        return NoEntitlement(messages[code], reason_code=code)
    return NoEntitlement("No package or membership covers this service.", reason_code="not_covered")
