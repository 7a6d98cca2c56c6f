"""Every refusal of the booking engine leaves every table exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from desk.domain.enums import ServiceKind
from desk.domain.errors import (
    CapacityBelowBooked,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    NotFound,
)
from desk.services import (
    attendance,
    booking,
    cancellation,
    noshows,
    pauses,
    waitlist,
)
from desk.services.actor import Actor

from .conftest import NOW, Scene

MEMBER = Actor.whatsapp("905551112233")
SOON = NOW + timedelta(days=2)


def cases(
    scene: Scene, cs: int, bid: int, member: int, sale: int, newcomer: int
) -> list[tuple[str, Callable[[Session], Any], type[DomainError]]]:
    at = SOON + timedelta(minutes=5)
    return [
        (
            "preview missing",
            lambda s: cancellation.cancellation_preview(s, booking_id=999, now=NOW),
            NotFound,
        ),
        (
            "cancel missing",
            lambda s: cancellation.cancel(s, booking_id=999, actor=MEMBER, now=NOW),
            NotFound,
        ),
        (
            "complete missing",
            lambda s: attendance.complete(s, booking_id=999, actor=scene.desk, now=at),
            NotFound,
        ),
        (
            "revert by trainer",
            lambda s: attendance.revert_completion(s, booking_id=bid, actor=scene.coach, now=at),
            NotAllowed,
        ),
        (
            "revert by member",
            lambda s: attendance.revert_completion(s, booking_id=bid, actor=MEMBER, now=at),
            NotAllowed,
        ),
        (
            "no-show by member",
            lambda s: attendance.mark_noshow(s, booking_id=bid, actor=MEMBER, now=at),
            NotAllowed,
        ),
        (
            "no-show missing",
            lambda s: attendance.mark_noshow(s, booking_id=999, actor=scene.desk, now=at),
            NotFound,
        ),
        (
            "capacity below booked",
            lambda s: booking.set_capacity(
                s, class_session_id=cs, capacity=1, actor=scene.desk, now=NOW
            ),
            CapacityBelowBooked,
        ),
        (
            "capacity missing class",
            lambda s: booking.set_capacity(
                s, class_session_id=999, capacity=3, actor=scene.desk, now=NOW
            ),
            NotFound,
        ),
        (
            "capacity not a number",
            lambda s: booking.set_capacity(
                s, class_session_id=cs, capacity="8", actor=scene.desk, now=NOW
            ),
            InvalidInput,
        ),
        (
            "cancel class by member",
            lambda s: booking.cancel_class_session(s, class_session_id=cs, actor=MEMBER, now=NOW),
            NotAllowed,
        ),
        (
            "cancel missing class",
            lambda s: booking.cancel_class_session(
                s, class_session_id=999, actor=scene.desk, now=NOW
            ),
            NotFound,
        ),
        (
            "accept missing offer",
            lambda s: waitlist.accept_offer(s, entry_id=999, actor=MEMBER, now=NOW),
            NotFound,
        ),
        (
            "decline missing offer",
            lambda s: waitlist.decline_offer(s, entry_id=999, actor=MEMBER, now=NOW),
            NotFound,
        ),
        (
            "join a class with free seats",
            lambda s: waitlist.join(
                s, class_session_id=cs, member_id=newcomer, actor=MEMBER, now=NOW
            ),
            InvalidInput,
        ),
        (
            "lift by trainer",
            lambda s: noshows.lift_restriction(s, member_id=member, actor=scene.coach, now=NOW),
            NotAllowed,
        ),
        (
            "lift missing member",
            lambda s: noshows.lift_restriction(s, member_id=999, actor=scene.desk, now=NOW),
            NotFound,
        ),
        (
            "standing missing member",
            lambda s: noshows.standing(s, member_id=999, kind=ServiceKind.GROUP, now=NOW),
            NotFound,
        ),
        (
            "remove missing pause",
            lambda s: pauses.remove_pause(s, pause_id=999, actor=scene.desk, now=NOW),
            NotFound,
        ),
        (
            "pause by member",
            lambda s: pauses.pause_sale(
                s,
                sale_id=sale,
                starts_on=date(2025, 3, 5),
                ends_on=date(2025, 3, 6),
                actor=MEMBER,
                now=NOW,
            ),
            NotAllowed,
        ),
        (
            "reschedule missing booking",
            lambda s: cancellation.reschedule(
                s, booking_id=999, to_class_session_id=cs, actor=MEMBER, now=NOW
            ),
            NotFound,
        ),
        (
            "reschedule to missing class",
            lambda s: cancellation.reschedule(
                s, booking_id=bid, to_class_session_id=999, actor=MEMBER, now=NOW
            ),
            NotFound,
        ),
        (
            "reschedule a class as appointment",
            lambda s: cancellation.reschedule_appointment(
                s, booking_id=bid, starts_at=SOON, actor=MEMBER, now=NOW
            ),
            InvalidInput,
        ),
        (
            "revert never checked in",
            lambda s: attendance.revert_completion(s, booking_id=bid, actor=scene.desk, now=at),
            InvalidTransition,
        ),
    ]


def test_every_refusal_writes_nothing(scene: Scene) -> None:
    cs = scene.class_at(SOON)
    member, sale = scene.member_with(scene.product(sessions=5))
    other, _ = scene.member_with(scene.product(sessions=5))
    bid = scene.book(cs, member).booking_id
    scene.book(cs, other)
    newcomer, _ = scene.member_with(scene.product(sessions=5))
    before = scene.counts()
    for name, work, error in cases(scene, cs, bid, member, sale, newcomer):
        with pytest.raises(error), scene.db.write() as s:
            work(s)
        assert scene.counts() == before, name
