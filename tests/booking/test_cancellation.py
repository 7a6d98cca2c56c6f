"""Cancelling (in time, late under each policy, waived), the preview, and rescheduling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from desk.domain.enums import BookingStatus, LateCancelPolicy, NoShowReason, WaitlistStatus
from desk.domain.errors import (
    AlreadyBooked,
    BookingClosed,
    ClassFull,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
)
from desk.services import attendance, cancellation, settings, waitlist
from desk.services.actor import Actor
from desk.store.models import Booking, NoShowRecord

from .conftest import NOW, Scene

CLASS_AT = NOW + timedelta(days=2)
LATE = CLASS_AT - timedelta(hours=3)
MEMBER = Actor.whatsapp("905551112233")


def set_policy(scene: Scene, **changes: object) -> None:
    with scene.db.write() as s:
        settings.update_policy(s, actor=scene.owner, **changes)


def booked(scene: Scene, sessions: int = 10) -> tuple[int, int, int, int]:
    """(class, member, sale, booking)."""
    member, sale = scene.member_with(scene.product(sessions=sessions))
    cs = scene.class_at(CLASS_AT)
    return cs, member, sale, scene.book(cs, member).booking_id


def cancel(scene: Scene, booking_id: int, **kw: object) -> cancellation.CancellationResult:
    kw.setdefault("actor", MEMBER)
    kw.setdefault("now", NOW)
    with scene.db.write() as s:
        return cancellation.cancel(s, booking_id=booking_id, **kw)  # type: ignore[arg-type]


def preview(scene: Scene, booking_id: int, now: object = NOW) -> cancellation.CancellationPreview:
    with scene.db.read() as s:
        return cancellation.cancellation_preview(s, booking_id=booking_id, now=now)  # type: ignore[arg-type]


def test_cancelling_in_time_costs_nothing_and_frees_the_seat(scene: Scene) -> None:
    _cs, _member, sale, bid = booked(scene)
    ahead = preview(scene, bid)
    assert not ahead.late and ahead.message == "Cancelling now costs nothing."
    done = cancel(scene, bid)
    assert done.status is BookingStatus.CANCELLED and done.message == "Cancelled at no cost."
    assert done.consumption is None and not done.noshow_recorded
    assert scene.balance(sale) == 10
    assert cancel(scene, bid).already_done


def test_group_late_cancel_costs_nothing_by_default(scene: Scene) -> None:
    _cs, _member, sale, bid = booked(scene)
    ahead = preview(scene, bid, LATE)
    assert ahead.late and ahead.consequence.policy is LateCancelPolicy.NOTHING
    assert ahead.message == (
        "This is a late cancellation (less than 12 h before the start), but it costs nothing."
    )
    done = cancel(scene, bid, now=LATE)
    assert done.status is BookingStatus.LATE_CANCELLED and done.late
    assert scene.balance(sale) == 10


def test_late_cancel_that_deducts_says_so_first(scene: Scene) -> None:
    set_policy(scene, group_late_cancel_policy=LateCancelPolicy.DEDUCT)
    _cs, _member, sale, bid = booked(scene)
    ahead = preview(scene, bid, LATE)
    assert ahead.consequence.deducts and ahead.would_deduct_from is not None
    assert f"one session is deducted from {ahead.would_deduct_from}" in ahead.message
    assert scene.balance(sale) == 10  # the preview wrote nothing
    done = cancel(scene, bid, now=LATE)
    assert done.consumption is not None and done.consumption.delta == -1
    assert scene.balance(sale) == 9
    assert "was deducted" in done.message


def test_late_cancel_counted_as_noshow(scene: Scene) -> None:
    set_policy(scene, group_late_cancel_policy=LateCancelPolicy.NO_SHOW)
    _cs, member, sale, bid = booked(scene)
    ahead = preview(scene, bid, LATE)
    assert ahead.message.endswith("it counts as a no-show.")
    done = cancel(scene, bid, now=LATE)
    assert done.noshow_recorded and done.consumption is None
    assert scene.balance(sale) == 10  # group no-shows do not deduct by default
    with scene.db.read() as s:
        record = s.scalars(select(NoShowRecord)).one()
        assert (record.member_id, record.reason) == (member, NoShowReason.LATE_CANCEL)


def test_staff_may_waive_a_late_cancel_members_may_not(scene: Scene) -> None:
    set_policy(scene, group_late_cancel_policy=LateCancelPolicy.DEDUCT)
    _cs, _member, sale, bid = booked(scene)
    before = scene.counts()
    with pytest.raises(NotAllowed):
        cancel(scene, bid, now=LATE, waive=True)
    assert scene.counts() == before
    done = cancel(scene, bid, now=LATE, waive=True, actor=scene.desk)
    assert done.consequence.costs_nothing and scene.balance(sale) == 10


def test_cancel_refusals(scene: Scene) -> None:
    _cs, _member, _sale, bid = booked(scene)
    before = scene.counts()
    with pytest.raises(BookingClosed, match="contact reception"):
        cancel(scene, bid, now=CLASS_AT + timedelta(minutes=5))
    assert scene.counts() == before
    with scene.db.write() as s:
        attendance.complete(s, booking_id=bid, actor=scene.desk, now=CLASS_AT)
    before = scene.counts()
    with pytest.raises(InvalidTransition, match="undo the check-in"):
        cancel(scene, bid, actor=scene.desk, now=CLASS_AT)
    assert scene.counts() == before


def test_cancel_hands_the_seat_to_the_waitlist(scene: Scene) -> None:
    cs = scene.class_at(CLASS_AT, capacity=1)
    pack = scene.product(sessions=5)
    (a, _), (b, _) = scene.member_with(pack), scene.member_with(pack)
    bid = scene.book(cs, a).booking_id
    with scene.db.write() as s:
        waitlist.join(s, class_session_id=cs, member_id=b, actor=MEMBER, now=NOW)
    done = cancel(scene, bid)
    assert [(e.member_id, e.status) for e in done.waitlist] == [(b, WaitlistStatus.PROMOTED)]


def test_reschedule_moves_the_booking_in_one_step(scene: Scene) -> None:
    cs, member, sale, bid = booked(scene)
    other = scene.class_at(CLASS_AT + timedelta(days=1))
    with scene.db.write() as s:
        moved = cancellation.reschedule(
            s, booking_id=bid, to_class_session_id=other, actor=MEMBER, now=NOW
        )
    assert moved.booking.class_session_id == other and moved.old_booking_id == bid
    with scene.db.read() as s:
        old = s.get(Booking, bid)
        new = s.get(Booking, moved.booking.booking_id)
        assert old is not None and new is not None
        assert old.status is BookingStatus.CANCELLED and new.rescheduled_from_id == bid
    assert scene.balance(sale) == 10 and cs != other and member


def test_reschedule_into_a_full_class_keeps_the_old_seat(scene: Scene) -> None:
    _cs, member, _sale, bid = booked(scene)
    full = scene.class_at(CLASS_AT + timedelta(days=1), capacity=1)
    scene.book(full, scene.member_with(scene.product(sessions=1))[0])
    before = scene.counts()
    with pytest.raises(ClassFull), scene.db.write() as s:
        cancellation.reschedule(s, booking_id=bid, to_class_session_id=full, actor=MEMBER, now=NOW)
    assert scene.counts() == before
    with scene.db.read() as s:
        old = s.get(Booking, bid)
        assert old is not None and old.status is BookingStatus.BOOKED and old.member_id == member


def test_reschedule_catching_classfull_inside_one_transaction_still_changes_nothing(
    scene: Scene,
) -> None:
    """Even a caller that swallows the error and commits keeps the old booking (savepoint)."""
    _cs, _member, _sale, bid = booked(scene)
    full = scene.class_at(CLASS_AT + timedelta(days=1), capacity=1)
    scene.book(full, scene.member_with(scene.product(sessions=1))[0])
    with scene.db.write() as s, pytest.raises(ClassFull):
        cancellation.reschedule(s, booking_id=bid, to_class_session_id=full, actor=MEMBER, now=NOW)
    with scene.db.read() as s:
        old = s.get(Booking, bid)
        assert old is not None and old.status is BookingStatus.BOOKED


def test_reschedule_refusals(scene: Scene) -> None:
    set_policy(scene, group_late_cancel_policy=LateCancelPolicy.DEDUCT)
    cs, member, _sale, bid = booked(scene)
    other = scene.class_at(CLASS_AT + timedelta(days=1))
    scene.book(other, member)
    third = scene.class_at(CLASS_AT + timedelta(days=2))
    before = scene.counts()
    cases: list[tuple[dict[str, object], type[Exception]]] = [
        ({"to_class_session_id": cs}, InvalidInput),
        ({"to_class_session_id": other}, AlreadyBooked),
        ({"to_class_session_id": third, "now": LATE}, NotAllowed),
        ({"to_class_session_id": third, "now": CLASS_AT}, BookingClosed),
    ]
    for kwargs, error in cases:
        args: dict[str, object] = {"booking_id": bid, "actor": MEMBER, "now": NOW, **kwargs}
        with pytest.raises(error), scene.db.write() as s:
            cancellation.reschedule(s, **args)  # type: ignore[arg-type]
    assert scene.counts() == before
    # The desk may move it late, at no cost.
    with scene.db.write() as s:
        moved = cancellation.reschedule(
            s, booking_id=bid, to_class_session_id=third, actor=scene.desk, now=LATE
        )
    assert moved.booking.class_session_id == third
