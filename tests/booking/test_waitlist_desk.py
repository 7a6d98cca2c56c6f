"""Reception sends a waitlist offer now: to the next in line or a chosen member, and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from desk.domain.enums import WaitlistMode, WaitlistStatus
from desk.domain.errors import (
    InvalidInput,
    InvalidTransition,
    NoEntitlement,
    NotAllowed,
    NotFound,
    WaitlistClosed,
)
from desk.services import cancellation, sales, waitlist
from desk.services.waitlist_desk import OfferSent, mode_of, offer_now
from desk.store.models import WaitlistEntry

from .conftest import NOW, Scene

CLASS_AT = NOW + timedelta(days=2)
#: Past the studio's 30-minute hold of the first offer.
LATER = NOW + timedelta(hours=1)


def offer_class(scene: Scene, mode: WaitlistMode = WaitlistMode.OFFER) -> tuple[int, int]:
    """A one-seat class with timed offers and the booking holding its seat."""
    cs = scene.class_at(CLASS_AT, capacity=1, waitlist_mode=mode)
    holder = scene.member_with(scene.product(sessions=5))[0]
    return cs, scene.book(cs, holder).booking_id


def waiting(scene: Scene, cs: int, n: int) -> list[int]:
    pack = scene.product(sessions=5)
    people = [scene.member_with(pack)[0] for _ in range(n)]
    for i, member in enumerate(people):
        with scene.db.write() as s:
            waitlist.join(
                s,
                class_session_id=cs,
                member_id=member,
                actor=scene.desk,
                now=NOW + timedelta(minutes=i),
            )
    return people


def statuses(scene: Scene, cs: int) -> dict[int, WaitlistStatus]:
    with scene.db.read() as s:
        rows = s.execute(
            select(WaitlistEntry.member_id, WaitlistEntry.status).where(
                WaitlistEntry.class_session_id == cs
            )
        )
        return {member: status for member, status in rows}


def send(scene: Scene, cs: int, *, now=LATER, **kw) -> OfferSent:
    kw.setdefault("actor", scene.desk)
    with scene.db.write() as s:
        return offer_now(s, class_session_id=cs, now=now, **kw)


def entry_of(scene: Scene, cs: int, member: int) -> int:
    with scene.db.read() as s:
        place = waitlist.place_of(s, class_session_id=cs, member_id=member)
        assert place is not None
        return place.entry_id


def free_the_seat(scene: Scene, booking_id: int) -> None:
    with scene.db.write() as s:
        cancellation.cancel(s, booking_id=booking_id, actor=scene.desk, now=NOW)


def test_a_lapsed_offer_is_passed_on_at_once_to_the_next_in_line(scene: Scene) -> None:
    cs, holder = offer_class(scene)
    a, b, c = waiting(scene, cs, 3)
    free_the_seat(scene, holder)
    assert statuses(scene, cs)[a] is WaitlistStatus.OFFERED  # the automatic offer
    sent = send(scene, cs)
    assert (sent.member_id, sent.position) == (b, 2)
    assert sent.offer_expires_at == LATER + timedelta(minutes=30)
    assert sent.warning is None
    assert statuses(scene, cs) == {
        a: WaitlistStatus.OFFERED,  # lapsed; the sync round marks it expired
        b: WaitlistStatus.OFFERED,
        c: WaitlistStatus.WAITING,
    }
    with scene.db.read() as s:
        told = waitlist.pending_notifications(s)
    assert [(n.member_id, n.status) for n in told if n.entry_id == sent.entry_id] == [
        (b, WaitlistStatus.OFFERED)
    ]
    # The held seat is b's: nobody else can have it, and b can take it.
    with pytest.raises(InvalidTransition, match="No seat is free"):
        send(scene, cs, entry_id=entry_of(scene, cs, c))
    with scene.db.write() as s:
        taken = waitlist.accept_offer(s, entry_id=sent.entry_id, actor=scene.desk, now=LATER)
    assert taken.member_id == b


def test_reception_can_choose_who_gets_the_offer(scene: Scene) -> None:
    cs, holder = offer_class(scene)
    _a, _b, c = waiting(scene, cs, 3)
    free_the_seat(scene, holder)
    sent = send(scene, cs, entry_id=entry_of(scene, cs, c))
    assert (sent.member_id, sent.position) == (c, 3)
    with scene.db.read() as s:
        place = waitlist.place_of(s, class_session_id=cs, member_id=c)
    assert place is not None and place.status is WaitlistStatus.OFFERED


def test_refusals_write_nothing(scene: Scene) -> None:
    cs, holder = offer_class(scene)
    a, b = waiting(scene, cs, 2)
    counts = scene.counts()
    with pytest.raises(InvalidTransition, match="No seat is free"):
        send(scene, cs)
    free_the_seat(scene, holder)
    other = scene.class_at(CLASS_AT + timedelta(days=1))
    counts = scene.counts()
    with pytest.raises(InvalidTransition, match="already held"):
        send(scene, cs, entry_id=entry_of(scene, cs, a), now=NOW + timedelta(minutes=5))
    with pytest.raises(InvalidTransition, match="ran out"):
        send(scene, cs, entry_id=entry_of(scene, cs, a))
    with pytest.raises(NotAllowed):
        send(scene, cs, actor=scene.coach)
    with pytest.raises(WaitlistClosed):
        send(scene, cs, now=CLASS_AT - timedelta(minutes=90))
    with pytest.raises(NotFound):
        send(scene, cs, entry_id=999_999)
    with pytest.raises(NotFound, match="Nobody is waiting"):
        send(scene, other)
    assert scene.counts() == counts
    assert statuses(scene, cs)[b] is WaitlistStatus.WAITING


def test_a_member_who_could_not_take_the_seat_is_refused(scene: Scene) -> None:
    cs, holder = offer_class(scene)
    (a,) = waiting(scene, cs, 1)
    with scene.db.read() as s:
        (package,) = sales.entitlements(s, member_id=a)
    with scene.db.write() as s:
        sales.adjust(s, sale_id=package.sale_id, delta=-5, reason="test", actor=scene.owner)
    free_the_seat(scene, holder)
    assert statuses(scene, cs)[a] is WaitlistStatus.WAITING  # passed over: nothing pays
    with pytest.raises(NoEntitlement):
        send(scene, cs)
    with scene.db.write() as s:
        sales.adjust(s, sale_id=package.sale_id, delta=1, reason="test", actor=scene.owner)
    assert send(scene, cs).member_id == a


def test_a_class_that_promotes_by_itself_points_to_booking(scene: Scene) -> None:
    cs, holder = offer_class(scene, WaitlistMode.AUTO)
    with scene.db.read() as s:
        assert mode_of(s, class_session_id=cs) is WaitlistMode.AUTO
    (a,) = waiting(scene, cs, 1)
    free_the_seat(scene, holder)
    assert statuses(scene, cs)[a] is WaitlistStatus.PROMOTED
    (b,) = waiting(scene, cs, 1)
    with pytest.raises(InvalidInput, match="Book into a free seat"):
        send(scene, cs, entry_id=entry_of(scene, cs, b))
