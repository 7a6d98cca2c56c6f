"""Occupancy in one query, freezing sales, and the no-show standing of a member."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import factories as f
import pytest
from sqlalchemy import event

from desk.domain.enums import ProductKind, ServiceKind, WaitlistMode
from desk.domain.errors import InvalidInput, InvalidTransition, NoEntitlement, NotAllowed, NotFound
from desk.services import attendance, noshows, occupancy, pauses, sales, waitlist
from desk.services.actor import Actor
from desk.store.db import Database

from .conftest import NOW, Scene

CLASS_AT = NOW + timedelta(days=2)


@contextmanager
def counted_queries(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_occupancy_for_a_day_of_many_sessions_is_one_query(scene: Scene) -> None:
    day = [scene.class_at(f.local(2025, 3, 3, h), capacity=8) for h in range(7, 21)]
    scene.class_at(f.local(2025, 3, 4, 7))  # the next day: not shown
    pack = scene.product(sessions=20)
    members = [scene.member_with(pack)[0] for _ in range(8)]
    for i, cs in enumerate(day[:6]):
        for m in members[: i + 3]:
            scene.book(cs, m)
    full = scene.class_at(f.local(2025, 3, 3, 21, 30), capacity=1, waitlist_mode=WaitlistMode.AUTO)
    scene.book(full, members[0])
    for m in members[1:3]:
        with scene.db.write() as s:
            waitlist.join(s, class_session_id=full, member_id=m, actor=scene.desk, now=NOW)
    with scene.db.read() as s:
        s.connection()  # BEGIN outside the count
        with counted_queries(scene.db) as statements:
            shown = occupancy.occupancy_on(s, day=date(2025, 3, 3), now=NOW)
    assert len([q for q in statements if q.lstrip().upper().startswith("SELECT")]) <= 2
    assert len(statements) <= 2  # the settings row (timezone) and the counts
    assert [o.label for o in shown[:7]] == ["3/8", "4/8", "5/8", "6/8", "7/8", "8/8", "0/8"]
    assert len(shown) == 15
    last = shown[-1]
    assert (last.label, last.waiting, last.is_full) == ("1/1", 2, True)


def test_occupancy_range_refusals(scene: Scene) -> None:
    with scene.db.read() as s:
        with pytest.raises(InvalidInput):
            occupancy.occupancy_between(s, starts_from=CLASS_AT, starts_before=CLASS_AT)
        with pytest.raises(InvalidInput):
            occupancy.occupancy_between(s, starts_from=datetime(2025, 3, 3), starts_before=CLASS_AT)
        with pytest.raises(NotFound):
            occupancy.occupancy(s, class_session_id=999)


def test_a_pause_refuses_bookings_inside_and_moves_the_expiry(scene: Scene) -> None:
    member, sale = scene.member_with(scene.product(sessions=10, valid_days=30))
    with scene.db.write() as s:
        paused = pauses.pause_sale(
            s,
            sale_id=sale,
            starts_on=date(2025, 3, 3),
            ends_on=date(2025, 3, 9),
            actor=scene.desk,
            reason="travel",
            now=NOW,
        )
    assert paused.days == 7 and paused.expires_on == date(2025, 4, 6)
    with pytest.raises(NoEntitlement, match="paused") as refused:
        scene.book(scene.class_at(CLASS_AT), member)
    assert refused.value.reason_code == "paused"
    assert scene.book(scene.class_at(f.local(2025, 4, 5, 10)), member).pays_with_sale_id == sale
    with scene.db.read() as s:
        assert sales.entitlement(s, sale_id=sale, now=f.local(2025, 3, 4, 10)).status.value == (
            "paused"
        )


def test_pause_refusals_write_nothing(scene: Scene) -> None:
    member, sale = scene.member_with(scene.product(sessions=10, valid_days=30))
    _, unstarted = scene.member_with(
        scene.product(sessions=5, valid_days=30, activation_on_first_visit=True)
    )
    _, used = scene.member_with(scene.product(sessions=1))
    with scene.db.write() as s:
        sales.adjust(s, sale_id=used, delta=-1, reason="refund", actor=scene.desk, now=NOW)
        pauses.pause_sale(
            s,
            sale_id=sale,
            starts_on=date(2025, 3, 10),
            ends_on=date(2025, 3, 12),
            actor=scene.desk,
            now=NOW,
        )
    before = scene.counts()
    cases: list[tuple[dict[str, Any], type[Exception]]] = [
        ({"starts_on": date(2025, 3, 5), "ends_on": date(2025, 3, 4)}, InvalidInput),
        ({"starts_on": date(2025, 2, 27), "ends_on": date(2025, 3, 4)}, InvalidInput),
        ({"starts_on": date(2025, 3, 12), "ends_on": date(2025, 3, 14)}, InvalidInput),
        ({"starts_on": date(2025, 3, 5), "ends_on": date(2026, 3, 14)}, InvalidInput),
        ({"starts_on": date(2025, 5, 5), "ends_on": date(2025, 5, 6)}, InvalidInput),
        ({"sale_id": unstarted}, InvalidTransition),
        ({"sale_id": used}, InvalidTransition),
        ({"sale_id": 999}, NotFound),
        ({"actor": scene.coach}, NotAllowed),
        ({"now": f.local(2025, 4, 10)}, InvalidTransition),  # expired by then
    ]
    for kwargs, error in cases:
        args: dict[str, Any] = {
            "sale_id": sale,
            "starts_on": date(2025, 3, 5),
            "ends_on": date(2025, 3, 6),
            "actor": scene.desk,
            "now": NOW,
            **kwargs,
        }
        with pytest.raises(error), scene.db.write() as s:
            pauses.pause_sale(s, **args)
    assert scene.counts() == before
    assert member


def test_pause_reports_bookings_it_affects_and_can_be_removed_before_it_starts(
    scene: Scene,
) -> None:
    member, sale = scene.member_with(scene.product(sessions=10))
    bid = scene.book(scene.class_at(CLASS_AT), member).booking_id
    with scene.db.write() as s:
        paused = pauses.pause_sale(
            s,
            sale_id=sale,
            starts_on=date(2025, 3, 3),
            ends_on=date(2025, 3, 4),
            actor=scene.desk,
            now=NOW,
        )
    assert paused.affected_booking_ids == (bid,) and paused.expires_on == date(2025, 5, 31)
    with scene.db.write() as s:
        pauses.remove_pause(s, pause_id=paused.pause_id, actor=scene.desk, now=NOW)
    with scene.db.read() as s:
        assert sales.entitlement(s, sale_id=sale, now=NOW).expires_on == date(2025, 5, 29)
    with pytest.raises(NotFound), scene.db.write() as s:
        pauses.remove_pause(s, pause_id=paused.pause_id, actor=scene.desk, now=NOW)


def test_noshow_standing_window_and_lift(scene: Scene) -> None:
    member, _ = scene.member_with(scene.product(sessions=10))
    for days_ago in (70, 20, 10, 5):
        cs = scene.class_at(NOW - timedelta(days=days_ago))
        with scene.db.write() as s:
            from desk.domain.enums import Channel
            from desk.store.models import Booking

            row = Booking(member_id=member, class_session_id=cs, seat_no=1, channel=Channel.DESK)
            s.add(row)
            s.flush()
            attendance.mark_noshow(
                s, booking_id=row.id, actor=scene.desk, now=NOW - timedelta(days=days_ago)
            )
    with scene.db.read() as s:
        group, private = noshows.standings(s, member_id=member, now=NOW)
    assert (group.count, group.threshold, group.restricted, group.label) == (
        3,
        3,
        True,
        "3/3 in 60 days",
    )
    assert private.kind is ServiceKind.PRIVATE and private.count == 0
    with scene.db.write() as s:
        with pytest.raises(NotAllowed):
            noshows.lift_restriction(s, member_id=member, actor=Actor.whatsapp("9"), now=NOW)
        lifted = noshows.lift_restriction(s, member_id=member, actor=scene.desk, now=NOW)
    assert not lifted[0].restricted and lifted[0].lifted_at == NOW
    with scene.db.read() as s:
        assert len(noshows.history(s, member_id=member)) == 4
        counts = noshows.counts_between(s, since=NOW - timedelta(days=30), until=NOW)
    assert counts == {member: {ServiceKind.GROUP: 3}}


def test_membership_has_no_pause_blockers_and_open_ended_packages_pause_too(
    scene: Scene,
) -> None:
    _, gold = scene.member_with(
        scene.product(kind=ProductKind.MEMBERSHIP, sessions=None, valid_days=30)
    )
    _, forever = scene.member_with(scene.product(sessions=5, valid_days=None))
    with scene.db.write() as s:
        a = pauses.pause_sale(
            s,
            sale_id=gold,
            starts_on=date(2025, 3, 2),
            ends_on=date(2025, 3, 15),
            actor=scene.desk,
            now=NOW,
        )
        b = pauses.pause_sale(
            s,
            sale_id=forever,
            starts_on=date(2025, 3, 2),
            ends_on=date(2025, 3, 15),
            actor=scene.desk,
            now=NOW,
        )
    assert a.expires_on == date(2025, 4, 13) and b.expires_on is None
