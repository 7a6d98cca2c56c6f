"""The automatic no-show on a running desk: a booking nobody checked in is marked once the
studio's delay after the class has passed, on the database worker, at start and on a timer;
never twice; only while Settings has it on; and the schedule views are told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from desk.app import AutoNoShows, Desk, mark_due_noshows
from desk.domain.enums import BookingStatus
from desk.services import booking, settings, timetable
from desk.services.actor import Actor
from desk.store.models import Booking, ClassSession, NoShowRecord
from desk.store.types import utcnow
from desk.ui import worker

pytestmark = pytest.mark.ui

SYSTEM = Actor.system()


def book_drop_in(db, class_id: int, member_id: int) -> int:
    with db.write() as s:
        return booking.book(
            s, class_session_id=class_id, member_id=member_id, actor=SYSTEM, drop_in=True
        ).booking_id


def ends_at(db, class_id: int):
    with db.read() as s:
        return s.get(ClassSession, class_id).ends_at


def turn_on(db, hours: int | None) -> None:
    with db.write() as s:
        settings.update_policy(s, actor=SYSTEM, auto_noshow_after_hours=hours)


def status_of(db, booking_id: int) -> BookingStatus:
    with db.read() as s:
        return s.get(Booking, booking_id).status


def noshow_records(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(NoShowRecord))


def test_a_round_marks_what_is_due_once_and_nothing_while_it_is_off(db, studio):
    class_id = studio.classes[0]
    booking_id = book_drop_in(db, class_id, studio.ayse)
    late = ends_at(db, class_id) + timedelta(hours=3)
    with db.write() as s:
        assert mark_due_noshows(s, now=late) == 0  # Off by default
    assert status_of(db, booking_id) is BookingStatus.BOOKED

    turn_on(db, 4)
    with db.write() as s:
        assert mark_due_noshows(s, now=late) == 0  # 3 h after the end, 4 h asked for
    turn_on(db, 2)
    with db.write() as s:
        assert mark_due_noshows(s, now=late) == 1
    with db.write() as s:
        assert mark_due_noshows(s, now=late + timedelta(hours=1)) == 0
    assert status_of(db, booking_id) is BookingStatus.NO_SHOW
    assert noshow_records(db) == 1


def test_the_timer_marks_a_due_booking_and_tells_the_schedule_views(
    qtbot, db, studio, background, clock
):
    class_id = studio.classes[0]
    booking_id = book_drop_in(db, class_id, studio.ayse)
    turn_on(db, 2)
    clock.set(ends_at(db, class_id) + timedelta(hours=1))
    rounds = AutoNoShows(background, clock=clock, every_ms=50)
    announced: list[frozenset[str]] = []
    background.changed.connect(announced.append)

    with qtbot.waitSignal(rounds.marked) as first:
        rounds.start(enabled=True)
    assert first.args == [0]  # the round at start: the class ended only an hour ago
    assert announced == []  # a round that changed nothing does not refresh every view

    clock.set(clock() + timedelta(hours=2))
    # Nobody calls run(): the timer's next round finds the booking due.
    with qtbot.waitSignal(rounds.marked, check_params_cb=lambda n: n == 1, timeout=5000):
        pass
    rounds.stop()
    assert status_of(db, booking_id) is BookingStatus.NO_SHOW
    assert announced and worker.SCHEDULE in announced[0]


def test_a_round_while_it_is_off_submits_nothing(qtbot, db, studio, background, clock):
    rounds = AutoNoShows(background, clock=clock, every_ms=20)
    seen: list[int] = []
    rounds.marked.connect(seen.append)
    rounds.start(enabled=False)
    qtbot.wait(150)
    rounds.stop()
    assert seen == []
    assert background.pending == 0


def test_a_running_desk_marks_a_class_that_ended_hours_ago(qtbot, db, studio):
    started = utcnow() - timedelta(hours=5)
    with db.write() as s:
        class_id = timetable.add_class(
            s,
            service_id=studio.reformer,
            trainer_id=studio.trainer,
            room_id=studio.room,
            starts_at=started,
            actor=SYSTEM,
        ).id
        booking_id = booking.book(
            s,
            class_session_id=class_id,
            member_id=studio.bora,
            actor=SYSTEM,
            drop_in=True,
            now=started - timedelta(hours=1),
        ).booking_id
    turn_on(db, 2)

    desk = Desk(db)
    try:
        assert desk.auto_noshows.enabled
        with qtbot.waitSignal(desk.auto_noshows.marked, timeout=10_000) as round_at_start:
            pass
    finally:
        desk.stop()
    assert round_at_start.args == [1]
    assert status_of(db, booking_id) is BookingStatus.NO_SHOW


def test_switching_it_on_in_settings_applies_at_once(qtbot, db, studio):
    desk = Desk(db)
    try:
        assert not desk.auto_noshows.enabled
        write = desk.background.write(
            lambda s: settings.update_policy(s, actor=SYSTEM, auto_noshow_after_hours=1),
            changes=[worker.SETTINGS],
        )
        with qtbot.waitSignal(desk.auto_noshows.marked, timeout=10_000) as round_now:
            write.run()
        assert desk.auto_noshows.enabled
        assert round_now.args == [0]  # nothing in the studio has ended yet
    finally:
        desk.stop()
