"""Timetable: weekly entries, generation (idempotent, DST-correct, respects time off and
double-booking), edits that move unbooked sessions, and the dated calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from desk.domain.enums import BookingStatus, Channel, SessionStatus
from desk.domain.errors import DomainError, InvalidInput, NotAllowed, NotFound, ScheduleConflict
from desk.services import members, settings, timetable, trainers
from desk.services.actor import Actor
from desk.store.db import Database
from desk.store.models import Booking, ClassSession

from .conftest import Studio

Unchanged = Callable[[], Callable[[], None]]
MONDAY = date(2026, 3, 2)  # a Monday
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def entry(db: Database, studio: Studio, **kw: object) -> timetable.EntryView:
    fields: dict[str, object] = {
        "service_id": studio.reformer,
        "trainer_id": studio.ayse,
        "room_id": studio.studio_a,
        "weekday": 0,
        "start_time": time(18),
        "valid_from": MONDAY,
    }
    fields.update(kw)
    with db.write() as s:
        return timetable.create_entry(s, actor=studio.owner, now=NOW, **fields)  # type: ignore[arg-type]


def generate(
    db: Database, studio: Studio, weeks: int, first: date = MONDAY
) -> timetable.GenerationSummary:
    with db.write() as s:
        return timetable.generate(s, weeks=weeks, from_day=first, actor=studio.owner, now=NOW)


def session_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(ClassSession)) or 0


def use_zone(db: Database, owner: Actor, name: str) -> ZoneInfo:
    with db.write() as s:
        settings.update_policy(s, actor=owner, timezone=name)
    return ZoneInfo(name)


def test_generation_is_idempotent(db: Database, studio: Studio) -> None:
    entry(db, studio)
    entry(db, studio, weekday=2, start_time=time(9, 30), service_id=studio.spinning)
    first = generate(db, studio, weeks=4)
    assert first.created == 8 and first.already_there == 0 and first.skipped == ()
    second = generate(db, studio, weeks=4)
    assert second.created == 0 and second.already_there == 8
    assert session_count(db) == 8
    # a longer run adds only the new weeks
    third = generate(db, studio, weeks=6)
    assert (third.created, third.already_there) == (4, 8)
    assert session_count(db) == 12


def test_generated_sessions_carry_the_entry_terms(db: Database, studio: Studio) -> None:
    made = entry(db, studio, capacity=6, duration_minutes=55)
    generate(db, studio, weeks=1)
    with db.read() as s:
        (view,) = timetable.sessions_between(
            s, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)
        )
    assert (view.service_name, view.trainer_name, view.room_name) == (
        "Reformer",
        "Ayşe Kaya",
        "Studio A",
    )
    assert view.capacity == 6 and view.timetable_entry_id == made.id
    assert view.ends_at - view.starts_at == timedelta(minutes=55)
    # Istanbul is UTC+3 all year round
    assert view.starts_at == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert view.status is SessionStatus.SCHEDULED


def local_starts(db: Database, tz: ZoneInfo) -> list[tuple[date, time, datetime]]:
    with db.read() as s:
        views = timetable.sessions_between(
            s, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        )
    return [
        (v.starts_at.astimezone(tz).date(), v.starts_at.astimezone(tz).time(), v.starts_at)
        for v in views
    ]


def test_berlin_class_keeps_its_wall_clock_time_across_both_dst_changes(
    db: Database, studio: Studio
) -> None:
    berlin = use_zone(db, studio.owner, "Europe/Berlin")
    entry(db, studio, start_time=time(7, 30), valid_from=date(2026, 3, 1))
    entry(db, studio, weekday=6, start_time=time(7, 30), valid_from=date(2026, 3, 1))
    generate(db, studio, weeks=2, first=date(2026, 3, 23))  # spring forward on Sun 29 March
    generate(db, studio, weeks=2, first=date(2026, 10, 19))  # fall back on Sun 25 October
    starts = local_starts(db, berlin)
    assert {t for _, t, _ in starts} == {time(7, 30)}
    utc = {d: instant for d, _, instant in starts}
    assert utc[date(2026, 3, 23)] == datetime(2026, 3, 23, 6, 30, tzinfo=UTC)  # CET, UTC+1
    assert utc[date(2026, 3, 29)] == datetime(2026, 3, 29, 5, 30, tzinfo=UTC)  # the change day
    assert utc[date(2026, 3, 30)] == datetime(2026, 3, 30, 5, 30, tzinfo=UTC)  # CEST, UTC+2
    assert utc[date(2026, 10, 19)] == datetime(2026, 10, 19, 5, 30, tzinfo=UTC)
    assert utc[date(2026, 10, 25)] == datetime(2026, 10, 25, 6, 30, tzinfo=UTC)
    assert utc[date(2026, 10, 26)] == datetime(2026, 10, 26, 6, 30, tzinfo=UTC)
    assert len(starts) == 8


def test_istanbul_has_no_dst_shift(db: Database, studio: Studio) -> None:
    istanbul = use_zone(db, studio.owner, "Europe/Istanbul")
    entry(db, studio, start_time=time(7, 30), valid_from=date(2026, 3, 1))
    generate(db, studio, weeks=2, first=date(2026, 3, 23))
    generate(db, studio, weeks=2, first=date(2026, 10, 19))
    starts = local_starts(db, istanbul)
    assert {t for _, t, _ in starts} == {time(7, 30)}
    assert {instant.time() for _, _, instant in starts} == {time(4, 30)}


def test_berlin_generation_twice_across_dst_creates_nothing_new(
    db: Database, studio: Studio
) -> None:
    use_zone(db, studio.owner, "Europe/Berlin")
    entry(db, studio, weekday=6, start_time=time(2, 30), valid_from=date(2026, 3, 1))
    first = generate(db, studio, weeks=3, first=date(2026, 3, 16))
    again = generate(db, studio, weeks=3, first=date(2026, 3, 16))
    assert (first.created, again.created, again.already_there) == (3, 0, 3)
    with db.read() as s:
        views = timetable.sessions_between(
            s, datetime(2026, 3, 29, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC)
        )
    # 02:30 does not exist on 29 March in Berlin; the class moves forward by the gap.
    assert [v.starts_at.astimezone(ZoneInfo("Europe/Berlin")).time() for v in views] == [
        time(3, 30)
    ]


def test_time_off_is_skipped_and_reported(db: Database, studio: Studio) -> None:
    entry(db, studio)
    with db.write() as s:
        trainers.add_days_off(
            s,
            trainer_id=studio.ayse,
            first_day=MONDAY + timedelta(days=7),
            last_day=MONDAY + timedelta(days=7),
            actor=studio.owner,
        )
    summary = generate(db, studio, weeks=3)
    assert summary.created == 2
    (skipped,) = summary.skipped
    assert skipped.reason == "Ayşe Kaya is off"
    assert skipped.starts_at == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    assert generate(db, studio, weeks=3).skipped == summary.skipped  # still off, still reported


def test_double_booking_is_skipped_for_trainer_and_room(db: Database, studio: Studio) -> None:
    entry(db, studio)
    with db.write() as s:
        # Ayşe teaches a one-off workshop elsewhere in week 1; Mert uses Studio A in week 2.
        timetable.add_class(
            s,
            service_id=studio.spinning,
            trainer_id=studio.ayse,
            room_id=studio.studio_b,
            starts_at=datetime(2026, 3, 2, 15, 30, tzinfo=UTC),
            actor=studio.owner,
        )
        timetable.add_class(
            s,
            service_id=studio.spinning,
            trainer_id=studio.mert,
            room_id=studio.studio_a,
            starts_at=datetime(2026, 3, 9, 14, 30, tzinfo=UTC),
            actor=studio.owner,
        )
    summary = generate(db, studio, weeks=3)
    assert summary.created == 1
    assert [s.reason for s in summary.skipped] == [
        "Ayşe Kaya already has Spinning then",
        "Studio A is taken by Spinning then",
    ]


def test_inactive_trainer_is_skipped(db: Database, studio: Studio) -> None:
    entry(db, studio)
    with db.write() as s:
        trainers.update_trainer(s, trainer_id=studio.ayse, actor=studio.owner, active=False)
    summary = generate(db, studio, weeks=1)
    assert summary.created == 0 and "no longer active" in summary.skipped[0].reason


def test_template_clash_is_refused(db: Database, studio: Studio, unchanged: Unchanged) -> None:
    first = entry(db, studio)
    check = unchanged()
    with pytest.raises(ScheduleConflict, match="Ayşe Kaya already has Reformer on Mondays"):
        entry(db, studio, start_time=time(18, 30), room_id=studio.studio_b)
    with pytest.raises(ScheduleConflict, match="Studio A already has"):
        entry(db, studio, start_time=time(17, 30), trainer_id=studio.mert)
    check()
    # back to back is fine, and so is the same slot once the first entry has ended
    entry(db, studio, start_time=time(18, 50))
    with db.write() as s:
        timetable.end_entry(
            s, entry_id=first.id, actor=studio.owner, last_day=date(2026, 12, 28), now=NOW
        )
    entry(db, studio, start_time=time(18), valid_from=date(2027, 1, 4), trainer_id=studio.mert)


BAD_ENTRIES: list[tuple[dict[str, object], type[DomainError], str]] = [
    ({"service_id": 999}, NotFound, "Unknown service"),
    ({"trainer_id": 999}, NotFound, "Unknown trainer"),
    ({"room_id": 999}, NotFound, "Unknown room"),
    ({"capacity": 0}, InvalidInput, "at least 1"),
    ({"capacity": -2}, InvalidInput, "at least 1"),
    ({"duration_minutes": -5}, InvalidInput, "at least 1"),
    ({"weekday": 7}, InvalidInput, "weekday"),
    ({"start_time": "18:00"}, InvalidInput, "time of day"),
    ({"start_time": time(23, 30)}, InvalidInput, "midnight"),
    ({"valid_until": date(2026, 3, 1)}, InvalidInput, "before the first"),
]


@pytest.mark.parametrize(("override", "error", "message"), BAD_ENTRIES)
def test_bad_entries_write_nothing(
    db: Database,
    studio: Studio,
    unchanged: Unchanged,
    override: dict[str, object],
    error: type[DomainError],
    message: str,
) -> None:
    check = unchanged()
    with pytest.raises(error, match=message):
        entry(db, studio, **override)
    check()


def test_private_service_and_trainer_role_refused(
    db: Database, studio: Studio, unchanged: Unchanged
) -> None:
    check = unchanged()
    with pytest.raises(InvalidInput, match="private"):
        entry(db, studio, service_id=studio.pt)
    with pytest.raises(NotAllowed), db.write() as s:
        timetable.generate(s, weeks=1, actor=studio.ayse_login, now=NOW)
    for weeks in (0, 27):
        with pytest.raises(InvalidInput):
            generate(db, studio, weeks=weeks)
    check()


def book_first_session(db: Database, studio: Studio, entry_id: int) -> int:
    with db.write() as s:
        member = members.add_member(
            s, full_name="Can Demir", phone="05321234567", actor=studio.owner
        )
        first = s.scalars(
            select(ClassSession)
            .where(ClassSession.timetable_entry_id == entry_id)
            .order_by(ClassSession.starts_at)
        ).first()
        assert first is not None
        s.add(
            Booking(
                member_id=member.id,
                class_session_id=first.id,
                seat_no=1,
                status=BookingStatus.BOOKED,
                channel=Channel.DESK,
            )
        )
        return first.id


def test_editing_an_entry_moves_unbooked_sessions_only(db: Database, studio: Studio) -> None:
    made = entry(db, studio)
    generate(db, studio, weeks=3)
    booked_id = book_first_session(db, studio, made.id)
    with db.write() as s:
        change = timetable.update_entry(
            s, entry_id=made.id, actor=studio.owner, now=NOW, start_time=time(19), capacity=6
        )
    assert change.removed == 2 and change.kept_booked_ids == (booked_id,)
    assert change.regenerated is not None and change.regenerated.created == 2
    with db.read() as s:
        views = timetable.sessions_between(
            s, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
        )
    istanbul = ZoneInfo("Europe/Istanbul")
    assert [(v.starts_at.astimezone(istanbul).time(), v.capacity) for v in views] == [
        (time(18), 8),  # booked: left as it was
        (time(19), 6),
        (time(19), 6),
    ]
    assert generate(db, studio, weeks=3).created == 0


def test_ending_an_entry_removes_later_unbooked_sessions(db: Database, studio: Studio) -> None:
    made = entry(db, studio)
    generate(db, studio, weeks=4)
    with db.write() as s:
        change = timetable.end_entry(
            s, entry_id=made.id, actor=studio.owner, last_day=MONDAY + timedelta(days=7), now=NOW
        )
    assert change.removed == 2 and change.entry.valid_until == date(2026, 3, 9)
    assert session_count(db) == 2
    assert generate(db, studio, weeks=8).created == 0
    with db.read() as s:
        assert timetable.list_entries(s, now=datetime(2026, 4, 1, tzinfo=UTC)) == []
        assert len(timetable.list_entries(s, include_ended=True)) == 1


def test_sessions_between_filters(db: Database, studio: Studio) -> None:
    entry(db, studio)
    entry(db, studio, trainer_id=studio.mert, room_id=studio.studio_b, service_id=studio.spinning)
    generate(db, studio, weeks=2)
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 20, tzinfo=UTC)
    with db.read() as s:
        assert len(timetable.sessions_between(s, start, end)) == 4
        mert = timetable.sessions_between(s, start, end, trainer_id=studio.mert)
        assert {v.trainer_name for v in mert} == {"Mert Demir"} and len(mert) == 2
        assert len(timetable.sessions_between(s, start, end, room_id=studio.studio_a)) == 2
        assert len(timetable.sessions_between(s, start, end, service_id=studio.spinning)) == 2
        one = timetable.get_session(s, class_session_id=mert[0].id)
        assert one == mert[0]
        with pytest.raises(InvalidInput, match="timezone"):
            timetable.sessions_between(s, start.replace(tzinfo=None), end)


def test_moving_an_entry_to_another_day_keeps_one_session_a_week(
    db: Database, studio: Studio
) -> None:
    made = entry(db, studio)
    generate(db, studio, weeks=2)
    book_first_session(db, studio, made.id)
    with db.write() as s:
        timetable.update_entry(s, entry_id=made.id, actor=studio.owner, now=NOW, weekday=1)
    with db.read() as s:
        views = timetable.sessions_between(
            s, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC)
        )
    # week 1 keeps its booked Monday; week 2 moves to Tuesday
    assert [v.starts_at.date() for v in views] == [date(2026, 3, 2), date(2026, 3, 10)]


def test_an_edit_never_creates_a_session_in_the_past(db: Database, studio: Studio) -> None:
    # NOW is Sunday 1 March, 15:00 in Istanbul; the Sunday 18:00 class moves to 10:00.
    made = entry(db, studio, weekday=6, valid_from=date(2026, 3, 1))
    generate(db, studio, weeks=2, first=date(2026, 3, 1))
    with db.write() as s:
        change = timetable.update_entry(
            s, entry_id=made.id, actor=studio.owner, now=NOW, start_time=time(10)
        )
    assert change.removed == 2
    assert change.regenerated is not None and change.regenerated.created == 1
    with db.read() as s:
        views = timetable.sessions_between(
            s, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC)
        )
    assert [v.starts_at for v in views] == [datetime(2026, 3, 8, 7, 0, tzinfo=UTC)]
