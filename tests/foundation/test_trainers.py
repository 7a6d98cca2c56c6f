"""Trainers: staff links, weekly hours, time off and extra hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest

from desk.domain.enums import ExceptionKind, SessionKind, StaffRole
from desk.domain.errors import Duplicate, InvalidInput, NotAllowed, NotFound
from desk.services import trainers
from desk.services.actor import Actor
from desk.services.trainers import WeeklyWindow
from desk.store.db import Database
from desk.store.models import ClassSession, StaffUser

from .conftest import Studio

Unchanged = Callable[[], Callable[[], None]]


def test_trainers_listed_and_linked_to_logins(db: Database, studio: Studio) -> None:
    with db.read() as s:
        assert [t.name for t in trainers.list_trainers(s)] == ["Ayşe Kaya", "Mert Demir"]
        found = trainers.trainer_for_staff_user(
            s, staff_user_id=studio.ayse_login.staff_user_id or 0
        )
        assert found is not None and found.id == studio.ayse
    with db.write() as s:
        trainers.update_trainer(s, trainer_id=studio.mert, actor=studio.owner, active=False)
    with db.read() as s:
        assert [t.name for t in trainers.list_trainers(s)] == ["Ayşe Kaya"]
        assert len(trainers.list_trainers(s, include_inactive=True)) == 2


def test_bad_trainer_input_writes_nothing(
    db: Database, studio: Studio, reception: Actor, unchanged: Unchanged
) -> None:
    check = unchanged()
    login = studio.ayse_login.staff_user_id
    with pytest.raises(Duplicate, match="already belongs"), db.write() as s:
        trainers.create_trainer(s, name="Other", staff_user_id=login, actor=studio.owner)
    with pytest.raises(NotFound), db.write() as s:
        trainers.create_trainer(s, name="Other", staff_user_id=999, actor=studio.owner)
    with pytest.raises(Duplicate), db.write() as s:
        trainers.create_trainer(s, name="Mert Demir", actor=studio.owner)
    with pytest.raises(InvalidInput), db.write() as s:
        trainers.create_trainer(s, name="", actor=studio.owner)
    with pytest.raises(NotAllowed), db.write() as s:
        trainers.create_trainer(s, name="New", actor=reception)
    with pytest.raises(InvalidInput, match="Cannot change"), db.write() as s:
        trainers.update_trainer(s, trainer_id=studio.mert, actor=studio.owner, salary=1)
    check()


def test_weekly_hours_replace_and_validate(
    db: Database, studio: Studio, unchanged: Unchanged
) -> None:
    week = [
        WeeklyWindow(0, time(9), time(13)),
        WeeklyWindow(0, time(16), time(20)),
        WeeklyWindow(3, time(7, 30), time(12)),
    ]
    with db.write() as s:
        trainers.set_weekly_availability(
            s, trainer_id=studio.ayse, windows=reversed(week), actor=studio.ayse_login
        )
    with db.read() as s:
        assert trainers.weekly_availability(s, trainer_id=studio.ayse) == week
    with db.write() as s:
        trainers.set_weekly_availability(
            s, trainer_id=studio.ayse, windows=week[:1], actor=studio.owner
        )
    with db.read() as s:
        assert trainers.weekly_availability(s, trainer_id=studio.ayse) == week[:1]
    check = unchanged()
    bad_sets = [
        ([WeeklyWindow(0, time(9), time(12)), WeeklyWindow(0, time(11), time(14))], "overlap"),
        ([WeeklyWindow(2, time(12), time(9))], "before"),
        ([WeeklyWindow(7, time(9), time(12))], "weekday"),
    ]
    for windows, message in bad_sets:
        with pytest.raises(InvalidInput, match=message), db.write() as s:
            trainers.set_weekly_availability(
                s, trainer_id=studio.ayse, windows=windows, actor=studio.owner
            )
    # a trainer sets only their own hours
    with pytest.raises(NotAllowed), db.write() as s:
        trainers.set_weekly_availability(
            s, trainer_id=studio.mert, windows=week, actor=studio.ayse_login
        )
    check()
    with db.read() as s:
        assert trainers.weekly_availability(s, trainer_id=studio.ayse) == week[:1]


def test_time_off_reports_clashing_sessions(db: Database, studio: Studio) -> None:
    start = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    with db.write() as s:
        s.add(
            ClassSession(
                kind=SessionKind.CLASS,
                service_id=studio.reformer,
                trainer_id=studio.ayse,
                room_id=studio.studio_a,
                starts_at=start,
                ends_at=start + timedelta(minutes=50),
                capacity=8,
            )
        )
        s.flush()
        off = trainers.add_days_off(
            s,
            trainer_id=studio.ayse,
            first_day=date(2026, 3, 10),
            last_day=date(2026, 3, 11),
            actor=studio.owner,
            note="holiday",
        )
        extra = trainers.add_extra_hours(
            s,
            trainer_id=studio.ayse,
            starts_at=start + timedelta(days=5),
            ends_at=start + timedelta(days=5, hours=3),
            actor=studio.ayse_login,
        )
    assert len(off.clashing_session_ids) == 1
    # Istanbul is UTC+3 all year: 10 March 00:00 local is 9 March 21:00 UTC
    assert off.starts_at == datetime(2026, 3, 9, 21, 0, tzinfo=UTC)
    assert off.ends_at == datetime(2026, 3, 11, 21, 0, tzinfo=UTC)
    assert extra.clashing_session_ids == ()
    with db.read() as s:
        window = (start - timedelta(days=2), start + timedelta(days=7))
        found = trainers.exceptions_between(
            s, trainer_id=studio.ayse, start=window[0], end=window[1]
        )
        assert [e.kind for e in found] == [ExceptionKind.TIME_OFF, ExceptionKind.EXTRA_HOURS]
        only_off = trainers.exceptions_between(
            s,
            trainer_id=studio.ayse,
            start=window[0],
            end=window[1],
            kind=ExceptionKind.TIME_OFF,
        )
        assert [e.id for e in only_off] == [off.id]
    with db.write() as s:
        trainers.remove_exception(s, exception_id=off.id, actor=studio.owner)
    with db.read() as s:
        left = trainers.exceptions_between(
            s, trainer_id=studio.ayse, start=window[0], end=window[1]
        )
        assert [e.id for e in left] == [extra.id]


def test_bad_exceptions_write_nothing(db: Database, studio: Studio, unchanged: Unchanged) -> None:
    start = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    check = unchanged()
    with pytest.raises(InvalidInput, match="after the start"), db.write() as s:
        trainers.add_time_off(
            s, trainer_id=studio.ayse, starts_at=start, ends_at=start, actor=studio.owner
        )
    with pytest.raises(InvalidInput, match="timezone"), db.write() as s:
        trainers.add_time_off(
            s,
            trainer_id=studio.ayse,
            starts_at=start.replace(tzinfo=None),
            ends_at=start + timedelta(hours=1),
            actor=studio.owner,
        )
    with pytest.raises(InvalidInput, match="before the first"), db.write() as s:
        trainers.add_days_off(
            s,
            trainer_id=studio.ayse,
            first_day=date(2026, 3, 5),
            last_day=date(2026, 3, 4),
            actor=studio.owner,
        )
    with pytest.raises(NotFound), db.write() as s:
        trainers.add_time_off(
            s,
            trainer_id=999,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            actor=studio.owner,
        )
    with pytest.raises(NotAllowed), db.write() as s:
        trainers.add_time_off(
            s,
            trainer_id=studio.mert,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            actor=studio.ayse_login,
        )
    check()


def test_deactivated_login_cannot_be_linked(db: Database, studio: Studio) -> None:
    with db.write() as s:
        user = StaffUser(name="Gone", role=StaffRole.TRAINER, pin_hash="x", active=False)
        s.add(user)
        s.flush()
        user_id = user.id
    with pytest.raises(NotFound), db.write() as s:
        trainers.update_trainer(
            s, trainer_id=studio.mert, actor=studio.owner, staff_user_id=user_id
        )
