"""Private appointments: in the trainer's free time, never double-booked, moved in one step."""

from __future__ import annotations

from datetime import datetime, timedelta

import factories as f
import pytest

from desk.domain.enums import ExceptionKind, SessionKind, SessionStatus
from desk.domain.errors import (
    InvalidInput,
    NoEntitlement,
    NotFound,
    ScheduleConflict,
)
from desk.services import appointments, cancellation
from desk.services.seats import BookingResult
from desk.store.models import ClassSession, TrainerException

from .conftest import NOW, Scene

NINE = f.local(2025, 3, 3, 9)  # Monday 09:00 in the studio


def pt_member(scene: Scene, sessions: int = 5) -> tuple[int, int]:
    return scene.member_with(scene.product(services=[scene.pt], sessions=sessions))


def book_pt(scene: Scene, member: int, starts_at: datetime, **kw: object) -> BookingResult:
    args: dict[str, object] = {
        "member_id": member,
        "service_id": scene.pt,
        "trainer_id": scene.mert,
        "starts_at": starts_at,
        "actor": scene.desk,
        "now": NOW,
    }
    args.update(kw)
    with scene.db.write() as s:
        return appointments.book_appointment(s, **args)  # type: ignore[arg-type]


def test_an_appointment_is_a_one_place_session_with_its_booking(scene: Scene) -> None:
    member, sale = pt_member(scene)
    result = book_pt(scene, member, NINE, room_id=scene.room_b)
    assert result.seat_no == 1 and result.pays_with_sale_id == sale
    assert result.ends_at - result.starts_at == timedelta(minutes=60)
    with scene.db.read() as s:
        cs = s.get(ClassSession, result.class_session_id)
        assert cs is not None
        assert (cs.kind, cs.capacity, cs.trainer_id, cs.room_id) == (
            SessionKind.APPOINTMENT,
            1,
            scene.mert,
            scene.room_b,
        )


def test_trainer_and_room_are_never_double_booked(scene: Scene) -> None:
    a, _ = pt_member(scene)
    b, _ = pt_member(scene)
    book_pt(scene, a, NINE, room_id=scene.room_b)
    group = scene.class_at(NINE + timedelta(hours=3), trainer=scene.mert, room=scene.room_a)
    before = scene.counts()
    clashes = [
        ({"starts_at": NINE + timedelta(minutes=30)}, "Mert Demir already has PT 1:1"),
        ({"starts_at": NINE + timedelta(hours=2, minutes=30)}, "Mert Demir already has Reformer"),
        ({"trainer_id": scene.ayse, "room_id": scene.room_b}, "Studio B is taken by PT 1:1"),
    ]
    for kwargs, match in clashes:
        with pytest.raises(ScheduleConflict, match=match):
            book_pt(scene, b, **{"starts_at": NINE, **kwargs})  # type: ignore[arg-type]
    assert scene.counts() == before
    # Back to back is fine.
    assert book_pt(scene, b, NINE + timedelta(hours=1)).seat_no == 1
    assert group


def test_outside_working_hours_or_in_time_off_is_refused(scene: Scene) -> None:
    member, _ = pt_member(scene)
    with scene.db.write() as s:
        s.add(
            TrainerException(
                trainer_id=scene.mert,
                kind=ExceptionKind.TIME_OFF,
                starts_at=NINE + timedelta(hours=4),
                ends_at=NINE + timedelta(hours=6),
            )
        )
        s.add(
            TrainerException(
                trainer_id=scene.mert,
                kind=ExceptionKind.EXTRA_HOURS,
                starts_at=f.local(2025, 3, 3, 22),
                ends_at=f.local(2025, 3, 3, 23, 30),
            )
        )
    before = scene.counts()
    for starts, match in [
        (f.local(2025, 3, 3, 5), "outside Mert Demir's working hours"),
        (f.local(2025, 3, 4, 21, 30), "outside Mert Demir's working hours"),
        (NINE + timedelta(hours=5), "Mert Demir is off"),
    ]:
        with pytest.raises(ScheduleConflict, match=match):
            book_pt(scene, member, starts)
    assert scene.counts() == before
    # Extra hours join the weekly hours: 21:30-22:30 on Monday runs into them.
    assert book_pt(scene, member, f.local(2025, 3, 3, 21, 30)).seat_no == 1
    assert book_pt(scene, member, f.local(2025, 3, 3, 22, 30)).seat_no == 1


def test_appointment_refusals(scene: Scene) -> None:
    member, _ = pt_member(scene)
    no_pt = scene.member()
    before = scene.counts()
    cases: list[tuple[dict[str, object], type[Exception]]] = [
        ({"service_id": scene.reformer}, InvalidInput),
        ({"trainer_id": 999}, NotFound),
        ({"room_id": 999}, NotFound),
        ({"starts_at": NOW - timedelta(hours=1)}, InvalidInput),
        ({"starts_at": datetime(2025, 3, 3, 9)}, InvalidInput),  # naive
        ({"member_id": no_pt}, NoEntitlement),
    ]
    for kwargs, error in cases:
        args = {"member": member, "starts_at": NINE, **kwargs}
        if "member_id" in args:
            args["member"] = args.pop("member_id")
        with pytest.raises(error):
            book_pt(scene, **args)  # type: ignore[arg-type]
    assert scene.counts() == before
    assert book_pt(scene, no_pt, NINE, drop_in=True).is_drop_in


def test_cancelling_an_appointment_frees_the_trainer(scene: Scene) -> None:
    a, _ = pt_member(scene)
    b, _ = pt_member(scene)
    first = book_pt(scene, a, NINE)
    with scene.db.write() as s:
        cancellation.cancel(s, booking_id=first.booking_id, actor=scene.desk, now=NOW)
        cs = s.get(ClassSession, first.class_session_id)
        assert cs is not None and cs.status is SessionStatus.CANCELLED
    assert book_pt(scene, b, NINE).seat_no == 1


def test_moving_an_appointment_ignores_its_own_time_and_keeps_it_if_refused(
    scene: Scene,
) -> None:
    a, sale = pt_member(scene)
    b, _ = pt_member(scene)
    first = book_pt(scene, a, NINE)
    book_pt(scene, b, NINE + timedelta(hours=2))
    with scene.db.write() as s:
        moved = cancellation.reschedule_appointment(
            s,
            booking_id=first.booking_id,
            starts_at=NINE + timedelta(minutes=30),
            actor=scene.desk,
            now=NOW,
        )
    assert moved.booking.starts_at == NINE + timedelta(minutes=30)
    before = scene.counts()
    with pytest.raises(ScheduleConflict), scene.db.write() as s:
        cancellation.reschedule_appointment(
            s,
            booking_id=moved.booking.booking_id,
            starts_at=NINE + timedelta(hours=2),
            actor=scene.desk,
            now=NOW,
        )
    assert scene.counts() == before
    assert scene.balance(sale) == 5
