"""Waitlists: positions, auto-promotion, timed offers, cutoff, overlaps, notifications."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from desk.domain.enums import BookingStatus, WaitlistMode, WaitlistStatus
from desk.domain.errors import (
    AlreadyBooked,
    ClassFull,
    InvalidInput,
    InvalidTransition,
    NoEntitlement,
    NotFound,
    WaitlistClosed,
)
from desk.services import booking, cancellation, occupancy, waitlist
from desk.services.actor import Actor
from desk.store.models import Booking, WaitlistEntry

from .conftest import NOW, Scene

CLASS_AT = NOW + timedelta(days=2)
MEMBER = Actor.whatsapp("905551112233")


def full_class(
    scene: Scene, mode: WaitlistMode | None = None, starts_at: datetime = CLASS_AT
) -> tuple[int, int]:
    """A one-seat class and the booking holding its seat."""
    cs = scene.class_at(starts_at, capacity=1, waitlist_mode=mode)
    holder = scene.member_with(scene.product(sessions=5))[0]
    return cs, scene.book(cs, holder).booking_id


def join(scene: Scene, cs: int, member: int, now: datetime = NOW) -> waitlist.WaitlistPlace:
    with scene.db.write() as s:
        return waitlist.join(s, class_session_id=cs, member_id=member, actor=MEMBER, now=now)


def free_seat(scene: Scene, booking_id: int, now: datetime = NOW) -> list[waitlist.WaitlistEvent]:
    with scene.db.write() as s:
        return list(
            cancellation.cancel(s, booking_id=booking_id, actor=scene.desk, now=now).waitlist
        )


def lineup(scene: Scene, cs: int) -> list[tuple[int, int]]:
    with scene.db.read() as s:
        return [(p.member_id, p.position) for p in waitlist.lineup(s, class_session_id=cs)]


def waiting_members(scene: Scene, n: int) -> list[int]:
    pack = scene.product(sessions=5)
    return [scene.member_with(pack)[0] for _ in range(n)]


def test_positions_are_visible_and_stay_contiguous(scene: Scene) -> None:
    cs, _ = full_class(scene)
    a, b, c = waiting_members(scene, 3)
    places = [join(scene, cs, m, now=NOW + timedelta(minutes=i)) for i, m in enumerate((a, b, c))]
    assert [(p.position, p.length) for p in places] == [(1, 1), (2, 2), (3, 3)]
    assert places[2].label == "#3 of 3"
    assert join(scene, cs, b).position == 2  # joining again keeps the place
    with scene.db.write() as s:
        waitlist.leave(s, class_session_id=cs, member_id=b, actor=MEMBER, now=NOW)
    assert lineup(scene, cs) == [(a, 1), (c, 2)]
    with scene.db.read() as s:
        assert occupancy.occupancy(s, class_session_id=cs, now=NOW).waiting == 2


def test_join_refusals_write_nothing(scene: Scene) -> None:
    cs, _ = full_class(scene)
    open_class = scene.class_at(CLASS_AT + timedelta(days=1))
    (member,) = waiting_members(scene, 1)
    no_package = scene.member()
    holder = scene.member_with(scene.product(sessions=1))[0]
    scene.book(open_class, holder)
    before = scene.counts()
    cases: list[tuple[int, int, datetime, type[Exception]]] = [
        (open_class, member, NOW, InvalidInput),  # a free seat: book it
        (cs, no_package, NOW, NoEntitlement),
        (cs, member, CLASS_AT - timedelta(minutes=90), WaitlistClosed),
        (999, member, NOW, NotFound),
        (open_class, holder, NOW, AlreadyBooked),
    ]
    for cs_id, who, now, error in cases:
        with pytest.raises(error):
            join(scene, cs_id, who, now=now)
    with pytest.raises(NotFound), scene.db.write() as s:
        waitlist.leave(s, class_session_id=cs, member_id=member, actor=MEMBER, now=NOW)
    assert scene.counts() == before


def test_auto_mode_promotes_the_first_eligible_member(scene: Scene) -> None:
    cs, holder_booking = full_class(scene, WaitlistMode.AUTO)
    a, b = waiting_members(scene, 2)
    join(scene, cs, a, now=NOW + timedelta(minutes=1))
    join(scene, cs, b, now=NOW + timedelta(minutes=2))
    events = free_seat(scene, holder_booking)
    assert [(e.member_id, e.status) for e in events] == [(a, WaitlistStatus.PROMOTED)]
    assert lineup(scene, cs) == [(b, 1)]
    with scene.db.read() as s:
        entry = s.scalars(select(WaitlistEntry).where(WaitlistEntry.member_id == a)).one()
        assert entry.booking_id is not None and entry.notified_at is None
        promoted = s.get(Booking, entry.booking_id)
        assert promoted is not None and promoted.status is BookingStatus.BOOKED


def test_a_member_who_lost_their_entitlement_keeps_their_place_and_is_passed_over(
    scene: Scene,
) -> None:
    cs, holder_booking = full_class(scene, WaitlistMode.AUTO)
    pack = scene.product(sessions=1)
    (a, sale_a), (b, _) = scene.member_with(pack), scene.member_with(pack)
    join(scene, cs, a, now=NOW + timedelta(minutes=1))
    join(scene, cs, b, now=NOW + timedelta(minutes=2))
    # a's only session goes to another class meanwhile.
    scene.book(scene.class_at(CLASS_AT - timedelta(days=1)), a)
    events = free_seat(scene, holder_booking)
    assert [(e.member_id, e.status) for e in events] == [(b, WaitlistStatus.PROMOTED)]
    assert lineup(scene, cs) == [(a, 1)]
    assert sale_a


def test_offer_mode_holds_the_seat_then_passes_it_on(scene: Scene) -> None:
    cs, holder_booking = full_class(scene, WaitlistMode.OFFER)
    a, b, c = waiting_members(scene, 3)
    for i, m in enumerate((a, b, c)):
        join(scene, cs, m, now=NOW + timedelta(minutes=i))
    events = free_seat(scene, holder_booking)
    assert [(e.member_id, e.status) for e in events] == [(a, WaitlistStatus.OFFERED)]
    offer = events[0]
    assert offer.offer_expires_at == NOW + timedelta(minutes=30)
    # The held seat is not for anyone else.
    outsider = waiting_members(scene, 1)[0]
    with pytest.raises(ClassFull):
        scene.book(cs, outsider)
    with scene.db.read() as s:
        occ = occupancy.occupancy(s, class_session_id=cs, now=NOW)
        assert (occ.label, occ.on_offer, occ.free, occ.is_full) == ("0/1", 1, 0, True)
    # a declines: b gets the offer.
    with scene.db.write() as s:
        passed = waitlist.decline_offer(s, entry_id=offer.entry_id, actor=MEMBER, now=NOW)
    assert [(e.member_id, e.status) for e in passed] == [
        (a, WaitlistStatus.DECLINED),
        (b, WaitlistStatus.OFFERED),
    ]
    # b lets it lapse: c gets it.
    later = NOW + timedelta(minutes=31)
    with scene.db.write() as s:
        lapsed = waitlist.expire_offers(s, now=later)
    assert [(e.member_id, e.status) for e in lapsed] == [
        (b, WaitlistStatus.EXPIRED),
        (c, WaitlistStatus.OFFERED),
    ]
    c_entry = lapsed[1].entry_id
    with scene.db.write() as s:
        taken = waitlist.accept_offer(s, entry_id=c_entry, actor=MEMBER, now=later)
        again = waitlist.accept_offer(s, entry_id=c_entry, actor=MEMBER, now=later)
    assert taken.member_id == c and taken.seat_no == 1 and again.booking_id == taken.booking_id
    assert lineup(scene, cs) == []


def test_an_expired_offer_cannot_be_accepted(scene: Scene) -> None:
    cs, holder_booking = full_class(scene, WaitlistMode.OFFER)
    (a,) = waiting_members(scene, 1)
    join(scene, cs, a)
    (offer,) = free_seat(scene, holder_booking)
    before = scene.counts()
    with pytest.raises(WaitlistClosed, match="run out"), scene.db.write() as s:
        waitlist.accept_offer(
            s, entry_id=offer.entry_id, actor=MEMBER, now=NOW + timedelta(minutes=30)
        )
    assert scene.counts() == before
    with pytest.raises(NotFound), scene.db.write() as s:
        waitlist.decline_offer(s, entry_id=offer.entry_id + 100, actor=MEMBER, now=NOW)
    # Once it has lapsed and passed on, it can be neither declined nor accepted.
    with scene.db.write() as s:
        waitlist.expire_offers(s, now=NOW + timedelta(minutes=30))
    for act in (waitlist.decline_offer, waitlist.accept_offer):
        with pytest.raises(InvalidTransition), scene.db.write() as s:
            act(s, entry_id=offer.entry_id, actor=MEMBER, now=NOW + timedelta(minutes=31))


def test_the_member_holding_an_offer_may_simply_book_it(scene: Scene) -> None:
    cs, holder_booking = full_class(scene, WaitlistMode.OFFER)
    (a,) = waiting_members(scene, 1)
    join(scene, cs, a)
    free_seat(scene, holder_booking)
    result = scene.book(cs, a, actor=MEMBER)
    assert result.seat_no == 1
    with scene.db.read() as s:
        entry = s.scalars(select(WaitlistEntry)).one()
        assert entry.status is WaitlistStatus.PROMOTED and entry.booking_id == result.booking_id


def test_nothing_moves_after_the_cutoff_and_open_entries_close(scene: Scene) -> None:
    cs, holder_booking = full_class(scene, WaitlistMode.AUTO)
    (a,) = waiting_members(scene, 1)
    join(scene, cs, a)
    near = CLASS_AT - timedelta(minutes=119)
    assert free_seat(scene, holder_booking, now=near) == []
    with scene.db.write() as s:
        closed = waitlist.expire_offers(s, now=near)
    assert [(e.member_id, e.status) for e in closed] == [(a, WaitlistStatus.CLOSED)]


def test_promotion_leaves_other_waitlists_at_the_same_time(scene: Scene) -> None:
    cs, holder_booking = full_class(scene, WaitlistMode.AUTO)
    clash, _ = full_class(scene, WaitlistMode.AUTO, starts_at=CLASS_AT + timedelta(minutes=30))
    later, _ = full_class(scene, WaitlistMode.AUTO, starts_at=CLASS_AT + timedelta(hours=3))
    (a,) = waiting_members(scene, 1)
    for target in (cs, clash, later):
        join(scene, target, a)
    events = free_seat(scene, holder_booking)
    assert [(e.class_session_id, e.status) for e in events] == [
        (cs, WaitlistStatus.PROMOTED),
        (clash, WaitlistStatus.LEFT),
    ]
    assert lineup(scene, later) == [(a, 1)]


def test_notifications_are_listed_until_marked(scene: Scene) -> None:
    cs, holder_booking = full_class(scene, WaitlistMode.OFFER)
    (a,) = waiting_members(scene, 1)
    join(scene, cs, a)
    free_seat(scene, holder_booking)
    with scene.db.write() as s:
        (notice,) = waitlist.pending_notifications(s)
        assert (notice.member_id, notice.status, notice.service_name) == (
            a,
            WaitlistStatus.OFFERED,
            "Reformer",
        )
        assert waitlist.mark_notified(s, entry_ids=[notice.entry_id], now=NOW) == 1
        assert waitlist.mark_notified(s, entry_ids=[notice.entry_id], now=NOW) == 0
        assert waitlist.pending_notifications(s) == []
        # The lapse is news again.
        waitlist.expire_offers(s, now=NOW + timedelta(hours=1))
        assert [n.status for n in waitlist.pending_notifications(s)] == [WaitlistStatus.EXPIRED]


def test_cancelling_the_class_closes_its_waitlist(scene: Scene) -> None:
    cs, _ = full_class(scene)
    (a,) = waiting_members(scene, 1)
    join(scene, cs, a)
    with scene.db.write() as s:
        done = booking.cancel_class_session(s, class_session_id=cs, actor=scene.desk, now=NOW)
        assert len(done.closed_waitlist_entry_ids) == 1
        assert [n.status for n in waitlist.pending_notifications(s)] == [WaitlistStatus.CLOSED]
