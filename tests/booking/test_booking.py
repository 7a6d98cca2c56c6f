"""Booking group classes: seats, refusals, capacity changes, cancelled classes, the DB backstop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.domain.enums import BookingStatus, Channel, SessionStatus, WaitlistStatus
from desk.domain.errors import (
    AlreadyBooked,
    BookingClosed,
    BookingRestricted,
    CapacityBelowBooked,
    ClassFull,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    NotFound,
    SeatTaken,
)
from desk.services import attendance, booking, seats, waitlist
from desk.services.actor import Actor
from desk.store.models import Booking, ClassSession, NoShowRecord

from .conftest import NOW, Scene

SOON = NOW + timedelta(days=2)


def members_with_package(scene: Scene, n: int) -> list[int]:
    pack = scene.product(sessions=10)
    return [scene.member_with(pack)[0] for _ in range(n)]


def test_lowest_free_seat_then_chosen_seat(scene: Scene) -> None:
    cs = scene.class_at(SOON)
    a, b, c = members_with_package(scene, 3)
    assert scene.book(cs, a).seat_no == 1
    assert scene.book(cs, b, seat_no=3).seat_no == 3
    assert scene.book(cs, c).seat_no == 2
    (d,) = members_with_package(scene, 1)
    result = scene.book(cs, d)
    assert result.seat_no == 4
    assert result.status is BookingStatus.BOOKED and result.channel is Channel.DESK
    assert result.service_name == "Reformer" and result.warning is None


def test_full_class_says_so_and_writes_nothing(scene: Scene) -> None:
    cs = scene.class_at(SOON, capacity=2)
    a, b, c, d = members_with_package(scene, 4)
    scene.book(cs, a)
    scene.book(cs, b)
    with scene.db.write() as s:
        waitlist.join(s, class_session_id=cs, member_id=d, actor=scene.desk, now=NOW)
    before = scene.counts()
    with pytest.raises(ClassFull) as full:
        scene.book(cs, c)
    assert full.value.waitlist_length == 1 and full.value.class_session_id == cs
    assert "is full (1 waiting)" in str(full.value)
    assert str(full.value).startswith("Reformer on Mon 3 Mar 09:00 is full")
    assert scene.counts() == before


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"seat_no": 0}, InvalidInput, "numbered 1 to 4"),
        ({"seat_no": 5}, InvalidInput, "numbered 1 to 4"),
        ({"seat_no": 1}, SeatTaken, "Seat 1 is taken; free seats: 2, 3, 4"),
        ({"class_session_id": 999}, NotFound, "No class session"),
        ({"member_id": 999}, NotFound, "does not exist"),
        ({"drop_in": True, "actor": Actor.whatsapp("905")}, NotAllowed, "book a drop-in"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    scene: Scene, kwargs: dict[str, object], error: type[DomainError], match: str
) -> None:
    cs = scene.class_at(SOON)
    first, member = members_with_package(scene, 2)
    scene.book(cs, first)
    before = scene.counts()
    args: dict[str, object] = {"class_session_id": cs, "member_id": member, "actor": scene.desk}
    args.update(kwargs)
    with pytest.raises(error, match=match), scene.db.write() as s:
        booking.book(s, now=NOW, **args)  # type: ignore[arg-type]
    assert scene.counts() == before


def test_same_member_twice_is_refused(scene: Scene) -> None:
    cs = scene.class_at(SOON)
    (member,) = members_with_package(scene, 1)
    scene.book(cs, member)
    before = scene.counts()
    with pytest.raises(AlreadyBooked):
        scene.book(cs, member)
    with pytest.raises(AlreadyBooked):
        scene.book(cs, member, seat_no=3)
    assert scene.counts() == before


def test_started_or_cancelled_class_is_closed(scene: Scene) -> None:
    cs = scene.class_at(SOON)
    (member,) = members_with_package(scene, 1)
    with pytest.raises(BookingClosed, match="already started"):
        scene.book(cs, member, now=SOON)
    scene.run(booking.cancel_class_session, class_session_id=cs, actor=scene.desk, now=NOW)
    with pytest.raises(BookingClosed, match="was cancelled"):
        scene.book(cs, member)


def test_online_booking_refused_past_the_noshow_threshold_desk_gets_a_warning(
    scene: Scene,
) -> None:
    pack = scene.product(sessions=10)
    member, _ = scene.member_with(pack)
    past = [scene.class_at(NOW - timedelta(days=d)) for d in (3, 2, 1)]
    with scene.db.write() as s:
        for cs in past:
            s.add(
                Booking(
                    member_id=member,
                    class_session_id=cs,
                    seat_no=1,
                    channel=Channel.DESK,
                    created_at=NOW - timedelta(days=10),
                )
            )
        s.flush()
    with scene.db.write() as s:
        for bid in s.scalars(select(Booking.id)):
            attendance.mark_noshow(s, booking_id=bid, actor=scene.desk, now=NOW)
    cs = scene.class_at(SOON)
    before = scene.counts()
    with pytest.raises(BookingRestricted, match="contact reception") as restricted:
        scene.book(cs, member, actor=Actor.whatsapp("905551112233"))
    assert (restricted.value.noshow_count, restricted.value.threshold) == (3, 3)
    assert scene.counts() == before
    at_desk = scene.book(cs, member)
    assert at_desk.warning is not None and "online booking is closed" in at_desk.warning
    with scene.db.read() as s:
        assert s.query(NoShowRecord).count() == 3


def test_whatsapp_booking_has_the_whatsapp_channel(scene: Scene) -> None:
    cs = scene.class_at(SOON)
    (member,) = members_with_package(scene, 1)
    result = scene.book(cs, member, actor=Actor.whatsapp("905551112233"))
    assert result.channel is Channel.WHATSAPP and result.warning is None
    with scene.db.read() as s:
        row = s.get(Booking, result.booking_id)
        assert row is not None and row.created_by is None


def test_lowering_capacity_below_booked_is_refused(scene: Scene) -> None:
    cs = scene.class_at(SOON, capacity=4)
    a, b, c = members_with_package(scene, 3)
    for m in (a, b, c):
        scene.book(cs, m)
    before = scene.counts()
    with pytest.raises(CapacityBelowBooked, match="3 people are booked"):
        scene.run(booking.set_capacity, class_session_id=cs, capacity=2, actor=scene.desk, now=NOW)
    for bad in (0, -1, 501):
        with pytest.raises(InvalidInput):
            scene.run(
                booking.set_capacity, class_session_id=cs, capacity=bad, actor=scene.desk, now=NOW
            )
    with pytest.raises(NotAllowed):
        scene.run(booking.set_capacity, class_session_id=cs, capacity=6, actor=scene.coach, now=NOW)
    assert scene.counts() == before


def test_lowering_capacity_moves_people_off_seats_that_no_longer_exist(scene: Scene) -> None:
    cs = scene.class_at(SOON, capacity=6)
    a, b = members_with_package(scene, 2)
    scene.book(cs, a, seat_no=6)
    scene.book(cs, b, seat_no=2)
    change = scene.run(
        booking.set_capacity, class_session_id=cs, capacity=3, actor=scene.desk, now=NOW
    )
    assert change.capacity == 3 and change.booked == 2
    assert [(old, new) for _bid, old, new in change.moved] == [(6, 1)]
    with scene.db.read() as s:
        assert sorted(seats.taken_seats(s, cs)) == [1, 2]


def test_raising_capacity_promotes_the_waitlist(scene: Scene) -> None:
    cs = scene.class_at(SOON, capacity=1)
    a, b = members_with_package(scene, 2)
    scene.book(cs, a)
    with scene.db.write() as s:
        waitlist.join(s, class_session_id=cs, member_id=b, actor=scene.desk, now=NOW)
    change = scene.run(
        booking.set_capacity, class_session_id=cs, capacity=2, actor=scene.desk, now=NOW
    )
    assert [e.status for e in change.waitlist] == [WaitlistStatus.PROMOTED]
    with scene.db.read() as s:
        assert len(seats.taken_seats(s, cs)) == 2


def test_cancelling_a_class_cancels_its_bookings_at_no_cost(scene: Scene) -> None:
    cs = scene.class_at(SOON, capacity=2)
    pack = scene.product(sessions=10)
    (a, sale_a), (b, _), (c, _) = (scene.member_with(pack) for _ in range(3))
    scene.book(cs, a)
    scene.book(cs, b)
    with scene.db.write() as s:
        waitlist.join(s, class_session_id=cs, member_id=c, actor=scene.desk, now=NOW)
    done = scene.run(
        booking.cancel_class_session, class_session_id=cs, actor=scene.desk, reason="ill", now=NOW
    )
    assert sorted(done.member_ids) == sorted([a, b]) and len(done.closed_waitlist_entry_ids) == 1
    assert scene.balance(sale_a) == 10
    again = scene.run(booking.cancel_class_session, class_session_id=cs, actor=scene.desk, now=NOW)
    assert again.already_cancelled and again.cancelled_booking_ids == ()
    with scene.db.read() as s:
        row = s.get(ClassSession, cs)
        assert row is not None and row.status is SessionStatus.CANCELLED
        statuses = set(s.scalars(select(Booking.status)))
        assert statuses == {BookingStatus.CANCELLED}


def test_a_class_with_check_ins_cannot_be_cancelled(scene: Scene) -> None:
    cs = scene.class_at(SOON)
    (a,) = members_with_package(scene, 1)
    result = scene.book(cs, a)
    scene.run(attendance.complete, booking_id=result.booking_id, actor=scene.desk, now=SOON)
    before = scene.counts()
    with pytest.raises(InvalidTransition, match="revert their check-ins"):
        scene.run(booking.cancel_class_session, class_session_id=cs, actor=scene.desk, now=SOON)
    with pytest.raises(NotAllowed):
        scene.run(booking.cancel_class_session, class_session_id=cs, actor=scene.coach, now=SOON)
    assert scene.counts() == before


def test_database_refuses_a_second_live_holder_of_a_seat(scene: Scene) -> None:
    cs = scene.class_at(SOON)
    a, b = members_with_package(scene, 2)
    scene.book(cs, a)
    with pytest.raises(IntegrityError), scene.db.write() as s:
        s.add(Booking(member_id=b, class_session_id=cs, seat_no=1, channel=Channel.DESK))
        s.flush()


def test_a_stale_seat_read_retries_on_the_next_seat(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If another writer took the seat between our read and our insert (PostgreSQL, or a bug),
    the unique index refuses the insert (it inserts nothing), and the next seat is tried."""
    cs = scene.class_at(SOON, capacity=3)
    a, b = members_with_package(scene, 2)
    scene.book(cs, a)
    reads = _stale_first_seat_read(monkeypatch)
    result = scene.book(cs, b)
    assert result.seat_no == 2 and reads["n"] == 2
    with scene.db.read() as s:
        assert s.query(Booking).count() == 2


def test_a_stale_read_that_hides_the_members_own_booking_is_already_booked(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    cs = scene.class_at(SOON, capacity=3)
    (a,) = members_with_package(scene, 1)
    scene.book(cs, a)
    reads = _stale_first_seat_read(monkeypatch)
    with pytest.raises(AlreadyBooked):
        scene.book(cs, a)
    assert reads["n"] == 2


def _stale_first_seat_read(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The claim's first read of the seats misses every live booking; later reads see them."""
    real = seats.seat_map
    reads = {"n": 0}

    def forgetful(session: Session, class_session_id: int) -> seats.SeatMap:
        reads["n"] += 1
        if reads["n"] == 1:
            return seats.SeatMap(frozenset(), frozenset())
        return real(session, class_session_id)

    monkeypatch.setattr(seats, "seat_map", forgetful)
    return reads
