"""Free slots for private appointments, and the trainer/room double-booking checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from desk.domain.enums import BookingStatus, Channel, SessionKind
from desk.domain.errors import InvalidInput, NotFound, ScheduleConflict
from desk.services import members, settings, slots, timetable, trainers
from desk.services.trainers import WeeklyWindow
from desk.store.db import Database
from desk.store.models import Booking, ClassSession

from .conftest import Studio

IST = ZoneInfo("Europe/Istanbul")
TUESDAY = date(2026, 3, 3)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(day: date, hour: int, minute: int = 0, tz: ZoneInfo = IST) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def hours(db: Database, studio: Studio, *windows: WeeklyWindow) -> None:
    with db.write() as s:
        trainers.set_weekly_availability(
            s, trainer_id=studio.ayse, windows=windows, actor=studio.owner
        )


def local_starts(found: list[slots.Slot], tz: ZoneInfo = IST) -> list[str]:
    return [f"{x.starts_at.astimezone(tz):%a %H:%M}" for x in found]


def free(db: Database, studio: Studio, first: date, last: date, **kw: object) -> list[slots.Slot]:
    options: dict[str, object] = {
        "step_minutes": 30,
        "now": NOW,
        "trainer_id": studio.ayse,
        "service_id": studio.pt,
    }
    options.update(kw)
    with db.read() as s:
        return slots.free_slots(s, first_day=first, last_day=last, **options)  # type: ignore[arg-type]


def test_slots_fill_weekly_hours_on_the_step(db: Database, studio: Studio) -> None:
    hours(db, studio, WeeklyWindow(1, time(9), time(12)))
    found = free(db, studio, TUESDAY, TUESDAY)
    assert local_starts(found) == ["Tue 09:00", "Tue 09:30", "Tue 10:00", "Tue 10:30", "Tue 11:00"]
    assert all(x.ends_at - x.starts_at == timedelta(hours=1) for x in found)
    assert len(free(db, studio, TUESDAY, TUESDAY, step_minutes=15)) == 9
    assert free(db, studio, TUESDAY + timedelta(days=1), TUESDAY + timedelta(days=1)) == []


def test_classes_time_off_and_extra_hours(db: Database, studio: Studio) -> None:
    hours(db, studio, WeeklyWindow(1, time(9), time(13)))
    with db.write() as s:
        timetable.add_class(
            s,
            service_id=studio.reformer,
            trainer_id=studio.ayse,
            room_id=studio.studio_a,
            starts_at=at(TUESDAY, 10, 0),
            actor=studio.owner,
        )  # 10:00-10:50
        trainers.add_time_off(
            s,
            trainer_id=studio.ayse,
            starts_at=at(TUESDAY, 12, 30),
            ends_at=at(TUESDAY, 13),
            actor=studio.owner,
        )
        trainers.add_extra_hours(
            s,
            trainer_id=studio.ayse,
            starts_at=at(TUESDAY, 17),
            ends_at=at(TUESDAY, 18, 30),
            actor=studio.owner,
        )
    assert local_starts(free(db, studio, TUESDAY, TUESDAY)) == [
        "Tue 09:00",
        "Tue 11:00",  # 10:50 rounds up to the step
        "Tue 11:30",
        "Tue 17:00",
        "Tue 17:30",
    ]


def test_room_busy_and_past_slots_excluded(db: Database, studio: Studio) -> None:
    hours(db, studio, WeeklyWindow(1, time(9), time(12)))
    with db.write() as s:
        timetable.add_class(
            s,
            service_id=studio.spinning,
            trainer_id=studio.mert,
            room_id=studio.studio_b,
            starts_at=at(TUESDAY, 9),
            actor=studio.owner,
        )  # 09:00-09:45 in Studio B
    assert local_starts(free(db, studio, TUESDAY, TUESDAY, room_id=studio.studio_b)) == [
        "Tue 10:00",
        "Tue 10:30",
        "Tue 11:00",
    ]
    late = free(db, studio, TUESDAY, TUESDAY, now=at(TUESDAY, 10, 10))
    assert local_starts(late) == ["Tue 10:30", "Tue 11:00"]


def test_cancelled_appointment_frees_the_time(db: Database, studio: Studio) -> None:
    hours(db, studio, WeeklyWindow(1, time(9), time(11)))
    with db.write() as s:
        member = members.add_member(s, full_name="Can", phone="05321234567", actor=studio.owner)
        appointment = ClassSession(
            kind=SessionKind.APPOINTMENT,
            service_id=studio.pt,
            trainer_id=studio.ayse,
            starts_at=at(TUESDAY, 9),
            ends_at=at(TUESDAY, 10),
            capacity=1,
        )
        s.add(appointment)
        s.flush()
        booking = Booking(
            member_id=member.id,
            class_session_id=appointment.id,
            seat_no=1,
            status=BookingStatus.BOOKED,
            channel=Channel.DESK,
        )
        s.add(booking)
        s.flush()
        booking_id = booking.id
    assert local_starts(free(db, studio, TUESDAY, TUESDAY)) == ["Tue 10:00"]
    with db.write() as s:
        cancelled = s.get(Booking, booking_id)
        assert cancelled is not None
        cancelled.status = BookingStatus.CANCELLED
    assert local_starts(free(db, studio, TUESDAY, TUESDAY)) == [
        "Tue 09:00",
        "Tue 09:30",
        "Tue 10:00",
    ]


def test_slots_keep_wall_clock_hours_across_dst(db: Database, studio: Studio) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    with db.write() as s:
        settings.update_policy(s, actor=studio.owner, timezone="Europe/Berlin")
    hours(db, studio, WeeklyWindow(5, time(9), time(10)), WeeklyWindow(0, time(9), time(10)))
    found = free(db, studio, date(2026, 3, 28), date(2026, 3, 30), step_minutes=60)
    assert local_starts(found, berlin) == ["Sat 09:00", "Mon 09:00"]
    assert [x.starts_at.hour for x in found] == [8, 7]  # UTC+1, then UTC+2


def test_bad_slot_queries(db: Database, studio: Studio) -> None:
    with pytest.raises(InvalidInput, match="group class"):
        free(db, studio, TUESDAY, TUESDAY, service_id=studio.reformer)
    with pytest.raises(InvalidInput, match="step"):
        free(db, studio, TUESDAY, TUESDAY, step_minutes=7)
    with pytest.raises(InvalidInput, match="at most"):
        free(db, studio, TUESDAY, TUESDAY + timedelta(days=90))
    with pytest.raises(InvalidInput, match="before the first"):
        free(db, studio, TUESDAY, TUESDAY - timedelta(days=1))
    with pytest.raises(NotFound):
        free(db, studio, TUESDAY, TUESDAY, room_id=99)


def test_assert_trainer_and_room_free(db: Database, studio: Studio) -> None:
    with db.write() as s:
        made = timetable.add_class(
            s,
            service_id=studio.reformer,
            trainer_id=studio.ayse,
            room_id=studio.studio_a,
            starts_at=at(TUESDAY, 18),
            actor=studio.owner,
        )  # 18:00-18:50
    with db.read() as s:
        with pytest.raises(ScheduleConflict, match="Ayşe Kaya already has Reformer Tue 3 Mar"):
            slots.assert_trainer_free(s, studio.ayse, at(TUESDAY, 18, 30), at(TUESDAY, 19, 30))
        with pytest.raises(ScheduleConflict, match="Studio A is taken by Reformer with Ayşe"):
            slots.assert_room_free(s, studio.studio_a, at(TUESDAY, 17, 30), at(TUESDAY, 18, 1))
        # touching is not overlapping; the session itself does not block its own move
        slots.assert_trainer_free(s, studio.ayse, at(TUESDAY, 18, 50), at(TUESDAY, 19, 50))
        slots.assert_room_free(s, studio.studio_a, at(TUESDAY, 17), at(TUESDAY, 18))
        slots.assert_trainer_free(
            s, studio.ayse, at(TUESDAY, 18, 10), at(TUESDAY, 19), exclude_session_id=made.id
        )
        slots.assert_trainer_free(s, studio.mert, at(TUESDAY, 18), at(TUESDAY, 19))
        with pytest.raises(InvalidInput, match="after the start"):
            slots.assert_room_free(s, studio.studio_a, at(TUESDAY, 19), at(TUESDAY, 18))
        with pytest.raises(NotFound):
            slots.assert_trainer_free(s, 99, at(TUESDAY, 19), at(TUESDAY, 20))
    with db.write() as s:
        trainers.add_days_off(
            s, trainer_id=studio.mert, first_day=TUESDAY, last_day=TUESDAY, actor=studio.owner
        )
    with db.read() as s, pytest.raises(ScheduleConflict, match="Mert Demir is off"):
        slots.assert_trainer_free(s, studio.mert, at(TUESDAY, 18), at(TUESDAY, 19))


def test_one_off_class_refuses_double_booking(db: Database, studio: Studio) -> None:
    with db.write() as s:
        timetable.add_class(
            s,
            service_id=studio.reformer,
            trainer_id=studio.ayse,
            room_id=studio.studio_a,
            starts_at=at(TUESDAY, 18),
            actor=studio.owner,
        )
    with pytest.raises(ScheduleConflict), db.write() as s:
        timetable.add_class(
            s,
            service_id=studio.spinning,
            trainer_id=studio.mert,
            room_id=studio.studio_a,
            starts_at=at(TUESDAY, 18, 30),
            actor=studio.owner,
        )


def test_within_hours(db: Database, studio: Studio) -> None:
    hours(db, studio, WeeklyWindow(1, time(9), time(12)))
    with db.write() as s:
        trainers.add_extra_hours(
            s,
            trainer_id=studio.ayse,
            starts_at=at(TUESDAY, 12),
            ends_at=at(TUESDAY, 14),
            actor=studio.owner,
        )
    with db.read() as s:
        slots.assert_within_hours(s, studio.ayse, at(TUESDAY, 11, 30), at(TUESDAY, 12, 30))
        with pytest.raises(ScheduleConflict, match="outside Ayşe Kaya's working hours"):
            slots.assert_within_hours(s, studio.ayse, at(TUESDAY, 13, 30), at(TUESDAY, 14, 30))


def test_interval_arithmetic() -> None:
    t = [datetime(2026, 1, 1, h, tzinfo=UTC) for h in range(10)]
    assert slots.merge([(t[3], t[5]), (t[0], t[2]), (t[2], t[3]), (t[7], t[8])]) == [
        (t[0], t[5]),
        (t[7], t[8]),
    ]
    assert slots.subtract([(t[0], t[9])], [(t[2], t[3]), (t[5], t[6]), (t[8], t[9])]) == [
        (t[0], t[2]),
        (t[3], t[5]),
        (t[6], t[8]),
    ]
