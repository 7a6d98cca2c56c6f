"""The weekly timetable and the dated class sessions generated from it.

An entry says "Reformer, Mondays 18:00, Ayşe, Studio A, 8 seats". `generate` turns entries into
class sessions for the coming weeks: each wall-clock time is resolved on its own date in the
studio's timezone (so 07:30 stays 07:30 across DST), a session that already exists is never
created twice (the database's unique (timetable_entry_id, starts_at) backs this up), and a
session is skipped, with the reason reported, when its trainer is off or the trainer or room is
already busy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session

from desk.domain.enums import SessionKind, StaffRole
from desk.domain.errors import InvalidInput, NotFound
from desk.domain.timeutil import local_date, local_datetime, require_aware
from desk.services import audit
from desk.services.actor import Actor
from desk.services.settings import get_policy
from desk.services.slots import assert_room_free, assert_trainer_free
from desk.services.timetable_rules import check_fields, check_parts, check_template_clash
from desk.services.timetable_sessions import GenerationSummary as GenerationSummary
from desk.services.timetable_sessions import SessionView as SessionView
from desk.services.timetable_sessions import SkippedSession as SkippedSession
from desk.services.timetable_sessions import generate_sessions, session_view
from desk.services.timetable_sessions import get_session as get_session
from desk.services.timetable_sessions import sessions_between as sessions_between
from desk.services.validation import MAX_CAPACITY, MAX_DURATION_MINUTES, whole_number
from desk.store.models import (
    Booking,
    ClassSession,
    TimetableEntry,
    WaitlistEntry,
)
from desk.store.types import utcnow

MAX_WEEKS = 26


@dataclass(frozen=True)
class EntryView:
    id: int
    service_id: int
    service_name: str
    trainer_id: int
    trainer_name: str
    room_id: int
    room_name: str
    weekday: int
    start_time: time
    duration_minutes: int
    capacity: int
    valid_from: date
    valid_until: date | None
    active: bool


@dataclass(frozen=True)
class EntryChange:
    """An edited or ended entry: unbooked future sessions follow it, booked ones stay put."""

    entry: EntryView
    removed: int
    kept_booked_ids: tuple[int, ...]
    regenerated: GenerationSummary | None


def _view(row: TimetableEntry) -> EntryView:
    return EntryView(
        id=row.id,
        service_id=row.service_id,
        service_name=row.service.name,
        trainer_id=row.trainer_id,
        trainer_name=row.trainer.name,
        room_id=row.room_id,
        room_name=row.room.name,
        weekday=row.weekday,
        start_time=row.start_time,
        duration_minutes=row.duration_minutes,
        capacity=row.capacity,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        active=row.active,
    )


def _today(session: Session, now: datetime | None) -> date:
    return local_date(now or utcnow(), get_policy(session).tz)


# --- the weekly template --------------------------------------------------------------------


def create_entry(
    session: Session,
    *,
    service_id: int,
    trainer_id: int,
    room_id: int,
    weekday: int,
    start_time: time,
    actor: Actor,
    duration_minutes: int | None = None,
    capacity: int | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    now: datetime | None = None,
) -> EntryView:
    """Add a weekly class. Duration and capacity default to the service's."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="change the timetable")
    fields: dict[str, Any] = {
        "service_id": service_id,
        "trainer_id": trainer_id,
        "room_id": room_id,
        "weekday": weekday,
        "start_time": start_time,
        "valid_from": valid_from or _today(session, now),
        "valid_until": valid_until,
    }
    service = check_parts(session, service_id=service_id, trainer_id=trainer_id, room_id=room_id)
    fields["duration_minutes"] = duration_minutes or service.duration_minutes
    fields["capacity"] = service.default_capacity if capacity is None else capacity
    check_fields(fields)
    check_template_clash(session, fields, None)
    row = TimetableEntry(**fields)
    session.add(row)
    session.flush()
    audit.record(session, actor, "timetable.create", "timetable_entry", row.id, **fields)
    return _view(row)


def _entry(session: Session, entry_id: int) -> TimetableEntry:
    row = session.get(TimetableEntry, entry_id)
    if row is None:
        raise NotFound(f"No timetable entry #{entry_id}.")
    return row


def _untouched_future(
    session: Session, entry_id: int, after: datetime
) -> tuple[list[ClassSession], list[int]]:
    """The entry's sessions after `after`: those nobody booked, and the ids of booked ones."""
    has_people = or_(
        exists(select(Booking.id).where(Booking.class_session_id == ClassSession.id)),
        exists(select(WaitlistEntry.id).where(WaitlistEntry.class_session_id == ClassSession.id)),
    )
    base = select(ClassSession).where(
        ClassSession.timetable_entry_id == entry_id, ClassSession.starts_at > after
    )
    free = list(session.scalars(base.where(~has_people)))
    booked = list(session.scalars(base.with_only_columns(ClassSession.id).where(has_people)))
    return free, booked


def _follow_entry(
    session: Session, row: TimetableEntry, now: datetime
) -> tuple[int, list[int], GenerationSummary | None]:
    """Move unbooked future sessions to the entry's new terms by removing and regenerating."""
    free, booked = _untouched_future(session, row.id, now)
    if not free:
        return 0, booked, None
    tz = get_policy(session).tz
    last = max(local_date(s.starts_at, tz) for s in free)
    ids = [s.id for s in free]
    session.execute(delete(ClassSession).where(ClassSession.id.in_(ids)))
    session.expire_all()
    first = local_date(now, tz)
    weeks = (last - first).days // 7 + 1
    summary = generate_sessions(session, first, weeks, now, only_entry=row.id, not_before=now)
    return len(ids), booked, summary


def update_entry(
    session: Session, *, entry_id: int, actor: Actor, now: datetime | None = None, **changes: Any
) -> EntryChange:
    """Change trainer_id, room_id, weekday, start_time, duration_minutes, capacity, valid_from
    or valid_until. Unbooked future sessions follow; sessions with bookings keep their terms."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="change the timetable")
    now = now or utcnow()
    row = _entry(session, entry_id)
    allowed = {
        "trainer_id", "room_id", "weekday", "start_time",
        "duration_minutes", "capacity", "valid_from", "valid_until",
    }  # fmt: skip
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))} on a timetable entry.")
    fields = {key: getattr(row, key) for key in allowed | {"service_id"}}
    fields.update(changes)
    check_parts(
        session,
        service_id=fields["service_id"],
        trainer_id=fields["trainer_id"],
        room_id=fields["room_id"],
    )
    check_fields(fields)
    check_template_clash(session, fields, row.id)
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    audit.record(session, actor, "timetable.update", "timetable_entry", row.id, **changes)
    removed, booked, summary = _follow_entry(session, row, now)
    return EntryChange(_view(row), removed, tuple(booked), summary)


def end_entry(
    session: Session,
    *,
    entry_id: int,
    actor: Actor,
    last_day: date | None = None,
    now: datetime | None = None,
) -> EntryChange:
    """Stop a weekly class after `last_day` (default today). Unbooked later sessions go."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="change the timetable")
    now = now or utcnow()
    row = _entry(session, entry_id)
    last_day = last_day or _today(session, now)
    if last_day < row.valid_from:
        row.active = False
    else:
        row.valid_until = last_day
    tz = get_policy(session).tz
    after = max(now, local_datetime(last_day + timedelta(days=1), time(0), tz))
    free, booked = _untouched_future(session, row.id, after)
    for gone in free:
        session.delete(gone)
    audit.record(
        session,
        actor,
        "timetable.end",
        "timetable_entry",
        row.id,
        last_day=last_day,
        removed=len(free),
    )
    session.flush()
    return EntryChange(_view(row), len(free), tuple(booked), None)


def list_entries(
    session: Session, *, include_ended: bool = False, now: datetime | None = None
) -> list[EntryView]:
    """The weekly timetable, Monday morning first."""
    query = select(TimetableEntry).order_by(
        TimetableEntry.weekday, TimetableEntry.start_time, TimetableEntry.id
    )
    if not include_ended:
        today = _today(session, now)
        query = query.where(
            TimetableEntry.active.is_(True),
            or_(TimetableEntry.valid_until.is_(None), TimetableEntry.valid_until >= today),
        )
    return [_view(r) for r in session.scalars(query)]


def generate(
    session: Session,
    *,
    weeks: int,
    from_day: date | None = None,
    actor: Actor,
    now: datetime | None = None,
) -> GenerationSummary:
    """Create the timetable's class sessions for `weeks` weeks from `from_day` (default today).

    Safe to run any number of times: sessions already there are counted, never duplicated.
    """
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="generate the timetable")
    whole_number(weeks, "Weeks", most=MAX_WEEKS)
    now = now or utcnow()
    first = from_day or _today(session, now)
    summary = generate_sessions(session, first, weeks, now)
    audit.record(
        session,
        actor,
        "timetable.generate",
        "timetable_entry",
        None,
        now=now,
        from_day=first,
        weeks=weeks,
        created=summary.created,
        already_there=summary.already_there,
        skipped=[
            f"{s.service_name} {s.starts_at.isoformat()}: {s.reason}" for s in summary.skipped
        ],
    )
    return summary


def add_class(
    session: Session,
    *,
    service_id: int,
    trainer_id: int,
    room_id: int,
    starts_at: datetime,
    actor: Actor,
    duration_minutes: int | None = None,
    capacity: int | None = None,
    note: str = "",
) -> SessionView:
    """A one-off group class outside the weekly timetable (a workshop, a make-up class)."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="change the timetable")
    require_aware(starts_at, "start")
    service = check_parts(session, service_id=service_id, trainer_id=trainer_id, room_id=room_id)
    duration = whole_number(
        duration_minutes or service.duration_minutes, "Duration", most=MAX_DURATION_MINUTES
    )
    seats = whole_number(
        service.default_capacity if capacity is None else capacity, "Capacity", most=MAX_CAPACITY
    )
    ends_at = starts_at + timedelta(minutes=duration)
    assert_trainer_free(session, trainer_id, starts_at, ends_at)
    assert_room_free(session, room_id, starts_at, ends_at)
    row = ClassSession(
        kind=SessionKind.CLASS,
        service_id=service_id,
        trainer_id=trainer_id,
        room_id=room_id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=seats,
        note=note.strip()[:200],
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "session.add",
        "class_session",
        row.id,
        service=service.name,
        starts_at=starts_at,
    )
    return session_view(row)
