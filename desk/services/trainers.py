"""Trainers, their weekly working hours, and exceptions (time off, extra hours).

Weekly hours are wall-clock times in the studio's timezone (09:00-13:00 stays 09:00-13:00 across
a DST change); exceptions are absolute intervals. Time off blocks timetable generation and
private appointments; extra hours add bookable time for private appointments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from itertools import pairwise
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desk.domain.enums import ExceptionKind, SessionStatus, StaffRole
from desk.domain.errors import Duplicate, InvalidInput, NotFound
from desk.domain.timeutil import day_bounds, require_aware
from desk.services import audit
from desk.services.actor import Actor
from desk.services.settings import get_policy
from desk.services.validation import clean_colour, clean_name, load
from desk.store.models import (
    ClassSession,
    StaffUser,
    Trainer,
    TrainerAvailability,
    TrainerException,
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class TrainerView:
    id: int
    name: str
    staff_user_id: int | None
    colour: str
    active: bool


@dataclass(frozen=True, order=True)
class WeeklyWindow:
    """A working window on a weekday (0 = Monday), in the studio's local time."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class ExceptionView:
    id: int
    trainer_id: int
    kind: ExceptionKind
    starts_at: datetime
    ends_at: datetime
    note: str
    #: Scheduled sessions of the trainer inside new time off: someone must cover or cancel them.
    clashing_session_ids: tuple[int, ...] = ()


def _view(row: Trainer) -> TrainerView:
    return TrainerView(
        id=row.id,
        name=row.name,
        staff_user_id=row.staff_user_id,
        colour=row.colour,
        active=row.active,
    )


def _get(session: Session, trainer_id: int) -> Trainer:
    return load(session, Trainer, trainer_id, "trainer")


def _may_manage_hours(actor: Actor, trainer: Trainer) -> None:
    """Desk staff manage everyone's hours; a trainer manages their own."""
    if actor.staff_user_id is not None and actor.staff_user_id == trainer.staff_user_id:
        return
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="change a trainer's hours")


def _check_staff_link(session: Session, staff_user_id: int | None, me: int | None) -> None:
    if staff_user_id is None:
        return
    user = session.get(StaffUser, staff_user_id)
    if user is None or not user.active:
        raise NotFound(f"Unknown staff user #{staff_user_id}.")
    taken = session.scalar(
        select(Trainer).where(Trainer.staff_user_id == staff_user_id, Trainer.id != me)
    )
    if taken is not None:
        raise Duplicate(f"{user.name}'s login already belongs to trainer {taken.name}.")


def _unique_name(session: Session, name: str, me: int | None) -> None:
    query = select(Trainer.id).where(Trainer.name == name)
    if me is not None:
        query = query.where(Trainer.id != me)
    if session.scalar(query) is not None:
        raise Duplicate(f"There is already a trainer called {name}.")


def create_trainer(
    session: Session,
    *,
    name: str,
    actor: Actor,
    staff_user_id: int | None = None,
    colour: str = "#6B8F71",
) -> TrainerView:
    """A trainer, optionally linked to the staff login they sign in with."""
    actor.require(StaffRole.OWNER, doing="add trainers")
    cleaned = clean_name(name, "trainer", 120)
    colour = clean_colour(colour)
    _unique_name(session, cleaned, None)
    _check_staff_link(session, staff_user_id, None)
    row = Trainer(name=cleaned, staff_user_id=staff_user_id, colour=colour)
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "trainer.create", "trainer", row.id, name=cleaned, staff=staff_user_id
    )
    return _view(row)


def update_trainer(
    session: Session, *, trainer_id: int, actor: Actor, **changes: Any
) -> TrainerView:
    """Change name, colour, active, or staff_user_id (None unlinks the login)."""
    actor.require(StaffRole.OWNER, doing="change trainers")
    row = _get(session, trainer_id)
    unknown = set(changes) - {"name", "colour", "active", "staff_user_id"}
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))} on a trainer.")
    cleaned: dict[str, Any] = {}
    if "name" in changes:
        cleaned["name"] = clean_name(changes["name"], "trainer", 120)
        _unique_name(session, cleaned["name"], row.id)
    if "colour" in changes:
        cleaned["colour"] = clean_colour(changes["colour"])
    if "active" in changes:
        cleaned["active"] = bool(changes["active"])
    if "staff_user_id" in changes:
        _check_staff_link(session, changes["staff_user_id"], row.id)
        cleaned["staff_user_id"] = changes["staff_user_id"]
    for key, value in cleaned.items():
        setattr(row, key, value)
    audit.record(session, actor, "trainer.update", "trainer", row.id, **cleaned)
    session.flush()
    return _view(row)


def get_trainer(session: Session, *, trainer_id: int) -> TrainerView:
    return _view(_get(session, trainer_id))


def trainer_for_staff_user(session: Session, *, staff_user_id: int) -> TrainerView | None:
    row = session.scalar(select(Trainer).where(Trainer.staff_user_id == staff_user_id))
    return _view(row) if row is not None else None


def list_trainers(session: Session, *, include_inactive: bool = False) -> list[TrainerView]:
    query = select(Trainer).order_by(Trainer.name)
    if not include_inactive:
        query = query.where(Trainer.active.is_(True))
    return [_view(r) for r in session.scalars(query)]


# --- weekly hours ---------------------------------------------------------------------------


def _check_windows(windows: Iterable[WeeklyWindow]) -> list[WeeklyWindow]:
    ordered = sorted(windows)
    for window in ordered:
        if isinstance(window.weekday, bool) or window.weekday not in range(7):
            raise InvalidInput("A weekday is 0 (Monday) to 6 (Sunday).")
        if window.start >= window.end:
            raise InvalidInput(
                f"{WEEKDAYS[window.weekday]}: {window.start:%H:%M} must be before "
                f"{window.end:%H:%M}."
            )
    for before, after in pairwise(ordered):
        if before.weekday == after.weekday and after.start < before.end:
            raise InvalidInput(
                f"{WEEKDAYS[after.weekday]}: {before.start:%H:%M}-{before.end:%H:%M} and "
                f"{after.start:%H:%M}-{after.end:%H:%M} overlap."
            )
    return ordered


def set_weekly_availability(
    session: Session, *, trainer_id: int, windows: Iterable[WeeklyWindow], actor: Actor
) -> list[WeeklyWindow]:
    """Replace the trainer's weekly working hours with `windows`."""
    row = _get(session, trainer_id)
    _may_manage_hours(actor, row)
    ordered = _check_windows(windows)
    session.execute(delete(TrainerAvailability).where(TrainerAvailability.trainer_id == row.id))
    session.expire(row, ["availability"])
    for window in ordered:
        session.add(
            TrainerAvailability(
                trainer_id=row.id,
                weekday=window.weekday,
                start_time=window.start,
                end_time=window.end,
            )
        )
    shown = [f"{WEEKDAYS[w.weekday][:3]} {w.start:%H:%M}-{w.end:%H:%M}" for w in ordered]
    audit.record(session, actor, "trainer.hours", "trainer", row.id, windows=shown)
    session.flush()
    return ordered


def weekly_availability(session: Session, *, trainer_id: int) -> list[WeeklyWindow]:
    _get(session, trainer_id)
    rows = session.scalars(
        select(TrainerAvailability).where(TrainerAvailability.trainer_id == trainer_id)
    )
    return sorted(WeeklyWindow(r.weekday, r.start_time, r.end_time) for r in rows)


# --- exceptions -----------------------------------------------------------------------------


def _exception_view(row: TrainerException, clashes: tuple[int, ...] = ()) -> ExceptionView:
    return ExceptionView(
        id=row.id,
        trainer_id=row.trainer_id,
        kind=row.kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        note=row.note,
        clashing_session_ids=clashes,
    )


def _sessions_during(
    session: Session, trainer_id: int, starts_at: datetime, ends_at: datetime
) -> tuple[int, ...]:
    query = select(ClassSession.id).where(
        ClassSession.trainer_id == trainer_id,
        ClassSession.status == SessionStatus.SCHEDULED,
        ClassSession.starts_at < ends_at,
        ClassSession.ends_at > starts_at,
    )
    return tuple(session.scalars(query.order_by(ClassSession.starts_at)))


def add_exception(
    session: Session,
    *,
    trainer_id: int,
    kind: ExceptionKind,
    starts_at: datetime,
    ends_at: datetime,
    actor: Actor,
    note: str = "",
) -> ExceptionView:
    """Record time off or extra hours. Time off reports the sessions it clashes with."""
    row = _get(session, trainer_id)
    _may_manage_hours(actor, row)
    kind = ExceptionKind(kind)
    require_aware(starts_at, "start")
    require_aware(ends_at, "end")
    if starts_at >= ends_at:
        raise InvalidInput("The end must be after the start.")
    if ends_at - starts_at > timedelta(days=366):
        raise InvalidInput("An exception can last a year at most.")
    exception = TrainerException(
        trainer_id=row.id, kind=kind, starts_at=starts_at, ends_at=ends_at, note=note.strip()
    )
    session.add(exception)
    session.flush()
    clashes: tuple[int, ...] = ()
    if kind is ExceptionKind.TIME_OFF:
        clashes = _sessions_during(session, row.id, starts_at, ends_at)
    audit.record(
        session,
        actor,
        f"trainer.{kind.value}",
        "trainer",
        row.id,
        starts_at=starts_at,
        ends_at=ends_at,
        clashes=list(clashes),
    )
    return _exception_view(exception, clashes)


#: Time off blocks timetable generation and private appointments in that span.
add_time_off = partial(add_exception, kind=ExceptionKind.TIME_OFF)
#: Extra hours add bookable time for private appointments outside the weekly hours.
add_extra_hours = partial(add_exception, kind=ExceptionKind.EXTRA_HOURS)


def add_days_off(
    session: Session,
    *,
    trainer_id: int,
    first_day: date,
    last_day: date,
    actor: Actor,
    note: str = "",
) -> ExceptionView:
    """Whole studio days off, first to last inclusive (holidays, sick leave)."""
    if last_day < first_day:
        raise InvalidInput("The last day off is before the first.")
    tz = get_policy(session).tz
    return add_time_off(
        session,
        trainer_id=trainer_id,
        starts_at=day_bounds(first_day, tz)[0],
        ends_at=day_bounds(last_day, tz)[1],
        actor=actor,
        note=note,
    )


def remove_exception(session: Session, *, exception_id: int, actor: Actor) -> None:
    row = session.get(TrainerException, exception_id)
    if row is None:
        raise NotFound(f"No time off or extra hours #{exception_id}.")
    _may_manage_hours(actor, _get(session, row.trainer_id))
    audit.record(
        session,
        actor,
        "trainer.exception_removed",
        "trainer",
        row.trainer_id,
        kind=row.kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
    )
    session.delete(row)
    session.flush()


def exceptions_between(
    session: Session,
    *,
    trainer_id: int,
    start: datetime,
    end: datetime,
    kind: ExceptionKind | None = None,
) -> list[ExceptionView]:
    """Exceptions of a trainer overlapping [start, end), earliest first."""
    query = select(TrainerException).where(
        TrainerException.trainer_id == trainer_id,
        TrainerException.starts_at < end,
        TrainerException.ends_at > start,
    )
    if kind is not None:
        query = query.where(TrainerException.kind == kind)
    return [_exception_view(r) for r in session.scalars(query.order_by(TrainerException.starts_at))]
