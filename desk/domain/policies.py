"""Pure booking policies: the late-cancel window, no-show thresholds, waitlist decisions.

No I/O. The services feed these with the studio's settings and the facts from the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from desk.domain.enums import LateCancelPolicy, WaitlistMode


def is_late_cancel(*, starts_at: datetime, now: datetime, late_cancel_hours: int) -> bool:
    """True when `now` is inside the window before the start (or after the start)."""
    return now >= starts_at - timedelta(hours=late_cancel_hours)


@dataclass(frozen=True)
class CancelConsequence:
    """What cancelling costs the member, worked out before anything is written."""

    late: bool
    #: The policy applied; None when the cancellation is in time (it costs nothing).
    policy: LateCancelPolicy | None
    deducts: bool
    counts_as_noshow: bool

    @property
    def costs_nothing(self) -> bool:
        return not (self.deducts or self.counts_as_noshow)


def cancel_consequence(
    *, late: bool, policy: LateCancelPolicy, noshow_deducts: bool, waived: bool = False
) -> CancelConsequence:
    """The studio's late-cancel policy for one service kind, applied to one cancellation.

    "Count as a no-show" means exactly that: the member gets a no-show on record, and the session
    is deducted when the studio's no-show rule for that kind deducts.
    """
    if not late:
        return CancelConsequence(late=False, policy=None, deducts=False, counts_as_noshow=False)
    if waived or policy is LateCancelPolicy.NOTHING:
        return CancelConsequence(
            late=True, policy=LateCancelPolicy.NOTHING, deducts=False, counts_as_noshow=False
        )
    if policy is LateCancelPolicy.DEDUCT:
        return CancelConsequence(late=True, policy=policy, deducts=True, counts_as_noshow=False)
    return CancelConsequence(
        late=True, policy=policy, deducts=noshow_deducts, counts_as_noshow=True
    )


@dataclass(frozen=True)
class NoShowTally:
    count: int
    threshold: int
    window_days: int
    #: No-shows at or after this instant count (the window start, or when staff lifted it).
    counted_since: datetime

    @property
    def restricted(self) -> bool:
        return self.count >= self.threshold


def noshow_tally(
    occurred: Iterable[datetime],
    *,
    now: datetime,
    threshold: int,
    window_days: int,
    lifted_at: datetime | None = None,
) -> NoShowTally:
    """Count no-shows in the rolling window; a lift by staff restarts the count from then."""
    since = now - timedelta(days=window_days)
    if lifted_at is not None and lifted_at > since:
        since = lifted_at
    count = sum(1 for at in occurred if since <= at <= now)
    return NoShowTally(
        count=count, threshold=threshold, window_days=window_days, counted_since=since
    )


class WaitlistAction(StrEnum):
    PROMOTE = "promote"
    OFFER = "offer"
    CLOSED = "closed"


def waitlist_closes_at(*, starts_at: datetime, cutoff_minutes: int) -> datetime:
    return starts_at - timedelta(minutes=cutoff_minutes)


def waitlist_action(
    *, mode: WaitlistMode, starts_at: datetime, now: datetime, cutoff_minutes: int
) -> WaitlistAction:
    """What to do with a freed seat: promote the next person, offer it, or nothing (closed)."""
    if now >= waitlist_closes_at(starts_at=starts_at, cutoff_minutes=cutoff_minutes):
        return WaitlistAction.CLOSED
    return WaitlistAction.PROMOTE if mode is WaitlistMode.AUTO else WaitlistAction.OFFER


def offer_expires_at(
    *, now: datetime, hold_minutes: int, starts_at: datetime, cutoff_minutes: int
) -> datetime:
    """An offer holds the seat for the hold time, but never past the waitlist's cutoff."""
    closes = waitlist_closes_at(starts_at=starts_at, cutoff_minutes=cutoff_minutes)
    return min(now + timedelta(minutes=hold_minutes), closes)


def seats_available(*, capacity: int, held_by_bookings: int, held_by_offers: int) -> int:
    """Seats a new person may take: offers on the waitlist hold a seat as firmly as a booking."""
    return max(0, capacity - held_by_bookings - held_by_offers)
