"""Pure booking policies: late-cancel window, consequences, no-show tallies, waitlist decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desk.domain.enums import LateCancelPolicy, WaitlistMode
from desk.domain.policies import (
    WaitlistAction,
    cancel_consequence,
    is_late_cancel,
    noshow_tally,
    offer_expires_at,
    seats_available,
    waitlist_action,
)

START = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "late"),
    [
        (timedelta(hours=13), False),
        (timedelta(hours=12, seconds=1), False),
        (timedelta(hours=12), True),
        (timedelta(hours=1), True),
        (-timedelta(hours=1), True),
    ],
)
def test_late_cancel_window_is_inclusive_at_the_edge(before: timedelta, late: bool) -> None:
    assert is_late_cancel(starts_at=START, now=START - before, late_cancel_hours=12) is late


def test_zero_hour_window_is_late_only_from_the_start() -> None:
    assert not is_late_cancel(
        starts_at=START, now=START - timedelta(seconds=1), late_cancel_hours=0
    )
    assert is_late_cancel(starts_at=START, now=START, late_cancel_hours=0)


@pytest.mark.parametrize(
    ("late", "policy", "noshow_deducts", "waived", "expected"),
    [
        (False, LateCancelPolicy.DEDUCT, True, False, (None, False, False)),
        (True, LateCancelPolicy.NOTHING, True, False, (LateCancelPolicy.NOTHING, False, False)),
        (True, LateCancelPolicy.DEDUCT, False, False, (LateCancelPolicy.DEDUCT, True, False)),
        (True, LateCancelPolicy.NO_SHOW, False, False, (LateCancelPolicy.NO_SHOW, False, True)),
        (True, LateCancelPolicy.NO_SHOW, True, False, (LateCancelPolicy.NO_SHOW, True, True)),
        (True, LateCancelPolicy.DEDUCT, True, True, (LateCancelPolicy.NOTHING, False, False)),
    ],
)
def test_cancel_consequence_table(
    late: bool,
    policy: LateCancelPolicy,
    noshow_deducts: bool,
    waived: bool,
    expected: tuple[LateCancelPolicy | None, bool, bool],
) -> None:
    result = cancel_consequence(
        late=late, policy=policy, noshow_deducts=noshow_deducts, waived=waived
    )
    assert (result.policy, result.deducts, result.counts_as_noshow) == expected
    assert result.late is late
    assert result.costs_nothing is not (expected[1] or expected[2])


def test_noshow_tally_counts_only_inside_the_rolling_window() -> None:
    now = START
    occurred = [now - timedelta(days=d) for d in (1, 10, 59, 61, 200)]
    tally = noshow_tally(occurred, now=now, threshold=3, window_days=60)
    assert tally.count == 3
    assert tally.restricted
    assert tally.counted_since == now - timedelta(days=60)
    later = noshow_tally(occurred, now=now + timedelta(days=2), threshold=3, window_days=60)
    assert later.count == 2 and not later.restricted


def test_lifting_restarts_the_count_but_new_noshows_count_again() -> None:
    now = START
    occurred = [now - timedelta(days=d) for d in (1, 2, 3)]
    lifted = noshow_tally(
        occurred, now=now, threshold=3, window_days=60, lifted_at=now - timedelta(hours=1)
    )
    assert lifted.count == 0 and not lifted.restricted
    again = noshow_tally(
        [*occurred, now], now=now, threshold=1, window_days=60, lifted_at=now - timedelta(hours=1)
    )
    assert again.count == 1 and again.restricted
    old_lift = noshow_tally(
        occurred, now=now, threshold=3, window_days=60, lifted_at=now - timedelta(days=90)
    )
    assert old_lift.count == 3


@pytest.mark.parametrize(
    ("mode", "minutes_before", "expected"),
    [
        (WaitlistMode.AUTO, 180, WaitlistAction.PROMOTE),
        (WaitlistMode.OFFER, 180, WaitlistAction.OFFER),
        (WaitlistMode.AUTO, 120, WaitlistAction.CLOSED),
        (WaitlistMode.OFFER, 30, WaitlistAction.CLOSED),
    ],
)
def test_waitlist_action(mode: WaitlistMode, minutes_before: int, expected: WaitlistAction) -> None:
    now = START - timedelta(minutes=minutes_before)
    assert waitlist_action(mode=mode, starts_at=START, now=now, cutoff_minutes=120) is expected


def test_offer_hold_never_runs_past_the_cutoff() -> None:
    early = START - timedelta(hours=10)
    assert offer_expires_at(
        now=early, hold_minutes=30, starts_at=START, cutoff_minutes=120
    ) == early + timedelta(minutes=30)
    close = START - timedelta(minutes=130)
    assert offer_expires_at(
        now=close, hold_minutes=30, starts_at=START, cutoff_minutes=120
    ) == START - timedelta(minutes=120)


def test_offers_hold_seats_like_bookings() -> None:
    assert seats_available(capacity=8, held_by_bookings=6, held_by_offers=1) == 1
    assert seats_available(capacity=8, held_by_bookings=8, held_by_offers=1) == 0
