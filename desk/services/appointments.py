"""Private appointments (PT): a one-place session in a trainer's free time, and its booking.

The trainer (and the room, if one is used) is never double-booked: the busy check and the insert
run in the caller's `BEGIN IMMEDIATE` transaction, so two desks cannot both see the slot free.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from desk.domain.enums import Channel, ServiceKind, SessionKind, SessionStatus
from desk.domain.errors import InvalidInput, NotFound
from desk.domain.timeutil import require_aware
from desk.services import audit, booking, seats, slots
from desk.services.actor import Actor
from desk.services.seats import BookingResult
from desk.store.models import (
    ClassSession,
    Room,
    Service,
    Trainer,
)
from desk.store.types import utcnow


def _appointment_parts(
    session: Session, service_id: int, trainer_id: int, room_id: int | None
) -> tuple[Service, Trainer, Room | None]:
    service = session.get(Service, service_id)
    if service is None or not service.active:
        raise NotFound("That service is not offered.")
    if service.kind is not ServiceKind.PRIVATE:
        raise InvalidInput(f"{service.name} is a group class; book a class session instead.")
    trainer = session.get(Trainer, trainer_id)
    if trainer is None or not trainer.active:
        raise NotFound("That trainer is not available.")
    room = None
    if room_id is not None:
        room = session.get(Room, room_id)
        if room is None or not room.active:
            raise NotFound("That room is not available.")
    return service, trainer, room


def _refuse_if_busy(
    session: Session,
    *,
    trainer_id: int,
    room_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    exclude_session_id: int | None,
) -> None:
    """Inside the trainer's hours, and neither the trainer nor the room already taken."""
    slots.assert_within_hours(session, trainer_id, starts_at, ends_at)
    slots.assert_trainer_free(
        session, trainer_id, starts_at, ends_at, exclude_session_id=exclude_session_id
    )
    if room_id is not None:
        slots.assert_room_free(
            session, room_id, starts_at, ends_at, exclude_session_id=exclude_session_id
        )


def book_appointment(
    session: Session,
    *,
    member_id: int,
    service_id: int,
    trainer_id: int,
    starts_at: datetime,
    actor: Actor,
    room_id: int | None = None,
    channel: Channel | None = None,
    drop_in: bool = False,
    now: datetime | None = None,
    replacing_session_id: int | None = None,
) -> BookingResult:
    """Book a private session (capacity 1) in a trainer's free time.

    The trainer (and the room, if one is given) must be free for the service's whole duration;
    `ScheduleConflict` otherwise. `replacing_session_id` is the appointment being moved (its own
    time does not count as busy).
    """
    now = now or utcnow()
    require_aware(starts_at, "appointment time")
    channel = booking.channel_for(actor, channel)
    seats.load_member(session, member_id)
    service, trainer, room = _appointment_parts(session, service_id, trainer_id, room_id)
    if starts_at <= now:
        raise InvalidInput("An appointment must start in the future.")
    ends_at = starts_at + timedelta(minutes=service.duration_minutes)
    _refuse_if_busy(
        session,
        trainer_id=trainer.id,
        room_id=room.id if room else None,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_session_id=replacing_session_id,
    )
    cs = ClassSession(
        kind=SessionKind.APPOINTMENT,
        service=service,
        trainer=trainer,
        room=room,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=1,
        status=SessionStatus.SCHEDULED,
        created_at=now,
    )
    cs.service_id = service.id
    admission = seats.admit(
        session, cs=cs, member_id=member_id, channel=channel, actor=actor, drop_in=drop_in, now=now
    )
    session.add(cs)
    session.flush()
    claimed = seats.claim_seat(
        session, cs=cs, member_id=member_id, channel=channel, actor=actor, now=now, drop_in=drop_in
    )
    audit.record(
        session,
        actor,
        "appointment.create",
        "class_session",
        cs.id,
        now=now,
        trainer_id=trainer.id,
        room_id=cs.room_id,
        starts_at=starts_at,
    )
    booking.audit_booking(session, actor, claimed, admission, now)
    return seats.result_of(claimed, cs, admission)
