"""What a weekly timetable entry must satisfy: a service, trainer and room in use; a sane day,
start and length; and no trainer or room in two places at once."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desk.domain.enums import ServiceKind
from desk.domain.errors import InvalidInput, NotFound, ScheduleConflict
from desk.services.trainers import WEEKDAYS
from desk.services.validation import MAX_CAPACITY, MAX_DURATION_MINUTES, whole_number
from desk.store.models import Room, Service, TimetableEntry, Trainer


def check_parts(session: Session, *, service_id: int, trainer_id: int, room_id: int) -> Service:
    """The class's service (returned), trainer and room exist and are in use."""
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound(f"Unknown service #{service_id}.")
    if not service.active:
        raise InvalidInput(f"{service.name} is no longer offered.")
    if service.kind is not ServiceKind.GROUP:
        raise InvalidInput(f"{service.name} is private; book it as an appointment.")
    trainer = session.get(Trainer, trainer_id)
    if trainer is None or not trainer.active:
        raise NotFound(f"Unknown trainer #{trainer_id}.")
    room = session.get(Room, room_id)
    if room is None or not room.active:
        raise NotFound(f"Unknown room #{room_id}.")
    return service


def check_fields(fields: dict[str, Any]) -> None:
    weekday = fields["weekday"]
    if isinstance(weekday, bool) or weekday not in range(7):
        raise InvalidInput("A weekday is 0 (Monday) to 6 (Sunday).")
    if not isinstance(fields["start_time"], time):
        raise InvalidInput("Give the start as a time of day, like 18:00.")
    duration = whole_number(fields["duration_minutes"], "Duration", most=MAX_DURATION_MINUTES)
    whole_number(fields["capacity"], "Capacity", most=MAX_CAPACITY)
    start = fields["start_time"]
    if start.hour * 60 + start.minute + duration > 24 * 60:
        raise InvalidInput("A class must end by midnight.")
    until = fields["valid_until"]
    if until is not None and until < fields["valid_from"]:
        raise InvalidInput("The last date is before the first.")


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def check_template_clash(session: Session, fields: dict[str, Any], me: int | None) -> None:
    """Two weekly entries may not put one trainer or one room in two places at once."""
    others = session.scalars(
        select(TimetableEntry).where(
            TimetableEntry.active.is_(True),
            TimetableEntry.weekday == fields["weekday"],
            or_(
                TimetableEntry.trainer_id == fields["trainer_id"],
                TimetableEntry.room_id == fields["room_id"],
            ),
            TimetableEntry.id != (me or -1),
        )
    )
    start = _minutes(fields["start_time"])
    mine = (start, start + fields["duration_minutes"])
    until = fields["valid_until"] or date.max
    for other in others:
        o_start = _minutes(other.start_time)
        theirs = (o_start, o_start + other.duration_minutes)
        dates_meet = other.valid_from <= until and fields["valid_from"] <= (
            other.valid_until or date.max
        )
        if dates_meet and mine[0] < theirs[1] and theirs[0] < mine[1]:
            who = (
                other.trainer.name if other.trainer_id == fields["trainer_id"] else other.room.name
            )
            raise ScheduleConflict(
                f"{who} already has {other.service.name} on {WEEKDAYS[other.weekday]}s "
                f"at {other.start_time:%H:%M}."
            )
