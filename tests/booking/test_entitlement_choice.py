"""Which entitlement pays: the rule table, pure (domain) and through the booking service."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from desk.domain.entitlements import Draw, EntitlementTerms, Holding, allocate, choose, status_of
from desk.domain.enums import EntitlementStatus, ProductKind
from desk.domain.errors import NoEntitlement
from desk.services import booking

from .conftest import NOW, Scene

REFORMER, SPINNING = 1, 2
SOLD = datetime(2025, 1, 1, 9, tzinfo=UTC)
DAY = date(2025, 3, 3)  # a Monday


def package(
    sale_id: int,
    *,
    remaining: int = 5,
    expires_on: date | None = date(2025, 6, 1),
    scope: frozenset[int] = frozenset({REFORMER}),
    sold_at: datetime = SOLD,
    pauses: tuple[tuple[date, date], ...] = (),
    starts_on: date | None = date(2025, 1, 1),
) -> Holding:
    terms = EntitlementTerms(
        sale_id=sale_id,
        name=f"Pack {sale_id}",
        kind=ProductKind.PACKAGE,
        sessions=10,
        weekly_cap=None,
        valid_days=None if expires_on is None else 150,
        scope=scope,
        sold_at=sold_at,
        starts_on=starts_on,
        expires_on=expires_on,
        pauses=pauses,
    )
    return Holding(terms=terms, remaining=remaining)


def membership(
    sale_id: int, *, weekly_cap: int | None = None, visits: int = 0, expires_on: date = DAY
) -> Holding:
    terms = EntitlementTerms(
        sale_id=sale_id,
        name=f"Member {sale_id}",
        kind=ProductKind.MEMBERSHIP,
        sessions=None,
        weekly_cap=weekly_cap,
        valid_days=30,
        scope=frozenset({REFORMER, SPINNING}),
        sold_at=SOLD,
        starts_on=date(2025, 2, 10),
        expires_on=expires_on,
    )
    return Holding(terms=terms, remaining=0, week_visits=Counter({DAY: visits}))


def pick(*holdings: Holding, on: date = DAY, service: int = REFORMER) -> int:
    return choose(holdings, Draw(service_id=service, on=on)).terms.sale_id


def reason(*holdings: Holding, on: date = DAY, service: int = REFORMER) -> NoEntitlement:
    with pytest.raises(NoEntitlement) as caught:
        choose(holdings, Draw(service_id=service, on=on))
    return caught.value


def test_membership_with_room_pays_before_any_package() -> None:
    assert pick(package(1, expires_on=date(2025, 3, 5)), membership(2)) == 2


def test_membership_at_its_weekly_cap_leaves_it_to_a_package() -> None:
    assert pick(package(1), membership(2, weekly_cap=2, visits=2)) == 1
    assert pick(package(1), membership(2, weekly_cap=2, visits=1)) == 2


def test_soonest_expiry_first_then_open_ended_last() -> None:
    later = package(1, expires_on=date(2025, 5, 1))
    sooner = package(2, expires_on=date(2025, 4, 1))
    open_ended = package(3, expires_on=None)
    assert pick(open_ended, later, sooner) == 2
    assert pick(open_ended, later) == 1


def test_older_sale_first_on_a_tie() -> None:
    newer = package(1, sold_at=SOLD + timedelta(days=3))
    older = package(2, sold_at=SOLD)
    assert pick(newer, older) == 2


def test_scope_mismatch_is_not_covered() -> None:
    assert reason(package(1), service=SPINNING).reason_code == "not_covered"
    assert reason(service=SPINNING).reason_code == "not_covered"


def test_expired_on_the_sessions_date_names_the_day() -> None:
    err = reason(package(1, expires_on=date(2025, 3, 2)))
    assert err.reason_code == "expired"
    assert err.expired_on == date(2025, 3, 2)
    assert "2 Mar 2025" in str(err)
    # Valid on the last day itself.
    assert pick(package(1, expires_on=DAY)) == 1


def test_weekly_cap_reached_is_the_reason_when_nothing_else_covers() -> None:
    assert reason(membership(1, weekly_cap=3, visits=3)).reason_code == "weekly_cap"
    # The next week is a fresh count.
    assert (
        pick(
            membership(1, weekly_cap=3, visits=3, expires_on=DAY + timedelta(days=14)),
            on=DAY + timedelta(days=7),
        )
        == 1
    )


def test_paused_on_that_day() -> None:
    paused = package(1, pauses=((DAY, DAY + timedelta(days=6)),))
    assert reason(paused).reason_code == "paused"
    assert pick(paused, on=DAY + timedelta(days=7)) == 1
    # A pause moves the expiry out by its length (7 days).
    assert paused.terms.effective_expiry() == date(2025, 6, 8)


def test_used_up_and_not_started() -> None:
    assert reason(package(1, remaining=0)).reason_code == "used_up"
    assert reason(package(1, starts_on=DAY + timedelta(days=1))).reason_code == "not_started"


def test_pending_bookings_take_their_share_first() -> None:
    draws = [Draw(REFORMER, DAY), Draw(REFORMER, DAY + timedelta(days=1))]
    left = allocate([package(1, remaining=2)], draws)
    assert reason(*left).reason_code == "used_up"
    left = allocate([package(1, remaining=2), membership(2, weekly_cap=1)], draws)
    # The membership paid the first draw (its week is now full), the pack the second.
    assert {h.terms.sale_id: h.remaining for h in left}[1] == 1


def test_activation_on_first_visit_counts_validity_from_that_day() -> None:
    unstarted = package(1, starts_on=None, expires_on=None)
    terms = EntitlementTerms(
        **{**unstarted.terms.__dict__, "valid_days": 30, "activation_on_first_visit": True}
    )
    holding = Holding(terms=terms, remaining=5)
    assert pick(holding, on=date(2026, 1, 1)) == 1
    assert terms.window_for(date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 1, 30))
    assert status_of(terms, 5, date(2026, 1, 1)) is EntitlementStatus.NOT_STARTED


def test_status_expired_wins_over_used_up_once_past_the_date() -> None:
    terms = package(1, expires_on=date(2025, 3, 1)).terms
    assert status_of(terms, 0, date(2025, 3, 2)) is EntitlementStatus.EXPIRED
    assert status_of(terms, 0, date(2025, 3, 1)) is EntitlementStatus.USED_UP
    assert status_of(terms, 3, date(2025, 2, 1)) is EntitlementStatus.ACTIVE


# --- the same rules seen through booking -------------------------------------------------------


def test_booking_names_the_reason(scene: Scene) -> None:
    monday = scene.class_at(NOW + timedelta(days=2))
    spin = scene.class_at(NOW + timedelta(days=2, hours=3), service=scene.spinning)
    late = scene.class_at(NOW + timedelta(days=40))
    short = scene.product(sessions=1, valid_days=30)
    member, _sale = scene.member_with(short)
    with pytest.raises(NoEntitlement, match="No package or membership covers"):
        scene.book(spin, member)
    with pytest.raises(NoEntitlement, match="expired on 30 Mar 2025") as err:
        scene.book(late, member)
    assert err.value.reason_code == "expired"
    scene.book(monday, member)
    other = scene.class_at(NOW + timedelta(days=3))
    with pytest.raises(NoEntitlement, match="used up") as used:
        scene.book(other, member)
    assert used.value.reason_code == "used_up"


def test_booking_prefers_membership_and_respects_the_weekly_cap(scene: Scene) -> None:
    member = scene.member()
    pack = scene.sell(member, scene.product(sessions=5))
    gold = scene.sell(
        member,
        scene.product(kind=ProductKind.MEMBERSHIP, weekly_cap=1, valid_days=30, sessions=None),
    )
    first = scene.book(scene.class_at(NOW + timedelta(days=2)), member)
    second = scene.book(scene.class_at(NOW + timedelta(days=3)), member)
    assert (first.pays_with_sale_id, second.pays_with_sale_id) == (gold, pack)
    assert first.pays_with is not None and first.pays_with.startswith("Product")


def test_staff_may_book_a_drop_in_without_entitlement_but_a_trainer_may_not(
    scene: Scene,
) -> None:
    cs = scene.class_at(NOW + timedelta(days=2))
    member = scene.member()
    result = scene.book(cs, member, drop_in=True)
    assert result.is_drop_in and result.pays_with is None
    from desk.domain.errors import NotAllowed

    with pytest.raises(NotAllowed):
        scene.book(scene.class_at(NOW + timedelta(days=3)), member, drop_in=True, actor=scene.coach)
    assert booking.BookingResult is type(result)


def test_only_upcoming_bookings_hold_a_share_of_the_package(scene: Scene) -> None:
    """A class from last week nobody checked in does not block the next booking; one from
    earlier today (not checked in yet) still does."""
    from desk.domain.enums import Channel
    from desk.store.models import Booking

    member, _sale = scene.member_with(scene.product(sessions=1))
    last_week = scene.class_at(NOW - timedelta(days=7))
    this_morning = scene.class_at(NOW - timedelta(hours=2))
    with scene.db.write() as s:
        s.add(
            Booking(member_id=member, class_session_id=last_week, seat_no=1, channel=Channel.DESK)
        )
    assert scene.book(scene.class_at(NOW + timedelta(days=1)), member).pays_with is not None
    other, _ = scene.member_with(scene.product(sessions=1))
    with scene.db.write() as s:
        s.add(
            Booking(member_id=other, class_session_id=this_morning, seat_no=1, channel=Channel.DESK)
        )
    with pytest.raises(NoEntitlement, match="used up"):
        scene.book(scene.class_at(NOW + timedelta(days=1, hours=2)), other)
