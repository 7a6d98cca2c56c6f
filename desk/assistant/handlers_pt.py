"""Personal training (private 1:1 appointments) over WhatsApp: real free times, and booking one.

"PT tomorrow at 10" → the trainers' free time (weekly and extra hours, minus time off and all
they already teach: `slots.free_slots`), the trainer the member last trained with first. An
exact free time asked for as a booking is booked straight away; otherwise up to ten times are
offered, and a tap, "2" or "yes" books through `appointments.book_appointment` as the member
(channel WhatsApp), where the trainer can never be double-booked. A time taken meanwhile is
said plainly, with fresh times. The member's package, and their no-show standing, are checked
the same way as for classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from desk.assistant import lookups, replies
from desk.assistant.context import CHANNEL, Turn
from desk.assistant.dates import When
from desk.assistant.dialog import Pending, slot_choice, slot_of
from desk.assistant.handlers_booking import (
    can_pay_for,
    explain_no_entitlement,
    refused_online,
    say_booked,
    window,
)
from desk.assistant.replies import Msg, SessionOption
from desk.domain.enums import ServiceKind
from desk.domain.errors import (
    BookingRestricted,
    DomainError,
    InvalidInput,
    NoEntitlement,
    NotFound,
    OverlappingBooking,
    ScheduleConflict,
)
from desk.services import appointments, slots, timetable_sessions, trainers
from desk.services.catalog import ServiceView
from desk.services.slots import MAX_RANGE_DAYS

#: Free times start on the half hour; offers show the whole hours when there are some.
STEP_MINUTES = 30


@dataclass(frozen=True)
class FreeTime:
    trainer_id: int
    trainer: str
    starts_at: datetime


# --- finding free time -------------------------------------------------------------------------


def free_times(turn: Turn, service_id: int, start: datetime, end: datetime) -> list[FreeTime]:
    """Every trainer's free starts for `service_id` in [start, end), still in the future."""
    start = max(start, turn.now)
    if end <= start:
        return []
    first = start.astimezone(turn.tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(turn.tz).date()
    last = min(last, first + timedelta(days=MAX_RANGE_DAYS - 1))
    found = []
    for trainer in trainers.list_trainers(turn.session):
        free = slots.free_slots(
            turn.session,
            trainer_id=trainer.id,
            service_id=service_id,
            first_day=first,
            last_day=last,
            step_minutes=STEP_MINUTES,
            now=turn.now,
        )
        found += [
            FreeTime(trainer.id, trainer.name, s.starts_at)
            for s in free
            if start <= s.starts_at < end and s.starts_at > turn.now
        ]
    return found


def _ordered(
    turn: Turn, service_id: int, found: list[FreeTime], when: When | None
) -> list[FreeTime]:
    """The member's last trainer first, then nearest their clock time (else soonest)."""
    usual = lookups.last_trainer(turn.session, member_id=turn.member_id, service_id=service_id)
    target = when.at.hour * 60 + when.at.minute if when and when.at else None

    def key(f: FreeTime) -> tuple[bool, int, datetime, str]:
        local = f.starts_at.astimezone(turn.tz)
        distance = 0 if target is None else abs(local.hour * 60 + local.minute - target)
        return f.trainer_id != usual, distance, f.starts_at, f.trainer

    return sorted(found, key=key)


def _shown(turn: Turn, found: Sequence[FreeTime], when: When | None) -> list[FreeTime]:
    """What one message offers: times on the member's minute (else whole hours) if any."""
    minute = when.at.minute if when and when.at else 0
    round_ = [f for f in found if f.starts_at.astimezone(turn.tz).minute == minute]
    return (round_ or list(found))[: lookups.MAX_OPTIONS]


def _at_exact_time(turn: Turn, found: Sequence[FreeTime], when: When | None) -> list[FreeTime]:
    if when is None or not when.exact or when.at is None:
        return []
    return [f for f in found if f.starts_at.astimezone(turn.tz).time() == when.at]


# --- the conversation --------------------------------------------------------------------------


def find_free_times(turn: Turn, service: ServiceView, *, book: bool, when: When | None) -> None:
    """ "PT tomorrow at 10" / "is there PT on Saturday?": book the exact time, or offer times."""
    if when is not None and when.exact and _already_booked(turn, service, when):
        return
    start, end = window(turn, when)
    found = _ordered(turn, service.id, free_times(turn, service.id, start, end), when)
    exact = _at_exact_time(turn, found, when)
    if exact and book:
        # The booking engine checks the package and the no-show standing itself.
        book_free_time(turn, service, exact[0])
        return
    if refused_online(turn, ServiceKind.PRIVATE):
        return
    if not found:
        _offer_later(turn, service, when, start, end)
        return
    asked_time = when is not None and when.exact and not exact
    body = (
        replies.say(
            Msg.PT_NOT_FREE_AT, turn.language, service=service.name, slot=_asked(turn, when)
        )
        if asked_time and when is not None
        else replies.say(Msg.PT_OPTIONS, turn.language, service=service.name)
    )
    offer_free_times(turn, service, found, when, body=body)


def _already_booked(turn: Turn, service: ServiceView, when: When) -> bool:
    """The member asks again for the time they already hold: say so."""
    held = lookups.upcoming_bookings(turn.session, member_id=turn.member_id, now=turn.now)
    for own in held:
        if own.service_id == service.id and own.starts_at == when.start:
            turn.say(Msg.ALREADY_BOOKED, service=service.name, slot=turn.slot(own.starts_at))
            return True
    return False


def _asked(turn: Turn, when: When) -> str:
    assert when.at is not None
    return turn.short_slot(when.start)


def _offer_later(
    turn: Turn, service: ServiceView, when: When | None, start: datetime, after: datetime
) -> None:
    """Nothing free in the member's window: the next free times, else reception helps."""
    if not can_pay_for(turn, service.id, max(start, turn.now)):
        return
    later: list[FreeTime] = []
    if when is not None:
        begin = max(after, turn.now)
        later = free_times(turn, service.id, begin, begin + lookups.DEFAULT_HORIZON)
    phrase = replies.describe_when(when, turn.language) if when else _soon(turn)
    if not later:
        turn.hand_off(Msg.PT_NONE_FREE, service=service.name, when=phrase)
        return
    body = replies.say(Msg.NEXT_FREE, turn.language, service=service.name, when=phrase)
    offer_free_times(turn, service, _ordered(turn, service.id, later, None), None, body=body)


def _soon(turn: Turn) -> str:
    return "şu sıralar" if turn.language == "tr" else "soon"


def offer_free_times(
    turn: Turn, service: ServiceView, found: Sequence[FreeTime], when: When | None, *, body: str
) -> None:
    """Up to ten free times as buttons or a list, once we know the member's package pays."""
    shown = _shown(turn, found, when)
    if not can_pay_for(turn, service.id, shown[0].starts_at):
        return
    options = [
        SessionOption(choice, f.starts_at, f.trainer)
        for f in shown
        if (choice := slot_choice(f.trainer_id, f.starts_at)) is not None
    ]
    if not options:  # only trainer ids beyond any real studio's
        turn.hand_off(Msg.PT_NONE_FREE, service=service.name, when=_soon(turn))
        return
    turn.send(replies.free_time_choices(turn.language, body=body, options=options, tz=turn.tz))
    ids = [o.id for o in options]
    turn.state.pending = Pending(
        kind="book_pt",
        choices=ids,
        yes=ids[0] if len(ids) == 1 else None,
        extra={"service": service.id},
    )


# --- booking -----------------------------------------------------------------------------------


def book_picked(turn: Turn, row: int, extra: dict[str, Any]) -> None:
    """The member picked a free time we offered (the pending question names the service)."""
    picked = slot_of(row)
    service = turn.services.get(extra.get("service") or 0)
    if picked is None or service is None or service.kind is not ServiceKind.PRIVATE:
        turn.say(Msg.PICK_EXPIRED)
        return
    trainer_id, starts_at = picked
    name = lookups.trainer_names(turn.session).get(trainer_id, "")
    book_free_time(turn, service, FreeTime(trainer_id, name, starts_at))


def book_free_time(turn: Turn, service: ServiceView, free: FreeTime) -> None:
    """Book the appointment as the member and confirm it with day, time and trainer."""
    result = turn.attempt(
        lambda: appointments.book_appointment(
            turn.session,
            member_id=turn.member_id,
            service_id=service.id,
            trainer_id=free.trainer_id,
            starts_at=free.starts_at,
            actor=turn.actor,
            channel=CHANNEL,
            now=turn.now,
        )
    )
    if isinstance(result, DomainError):
        _explain_refusal(turn, result, service, free)
        return
    say_booked(turn, result, trainer=free.trainer)


def _explain_refusal(turn: Turn, error: DomainError, service: ServiceView, free: FreeTime) -> None:
    slot = turn.slot(free.starts_at)
    if isinstance(error, OverlappingBooking):
        other = timetable_sessions.get_session(
            turn.session, class_session_id=error.other_class_session_id
        )
        turn.say(
            Msg.OVERLAPS,
            other=other.service_name,
            other_slot=turn.slot(other.starts_at),
            service=service.name,
            slot=slot,
        )
    elif isinstance(error, ScheduleConflict | NotFound | InvalidInput):
        _taken_meanwhile(turn, service, free)  # busy, off, gone, or already started
    elif isinstance(error, BookingRestricted):
        turn.hand_off(Msg.RESTRICTED)
    elif isinstance(error, NoEntitlement):
        explain_no_entitlement(turn, error, service.id)
    else:
        turn.hand_off(Msg.SOMETHING_WENT_WRONG)


def _taken_meanwhile(turn: Turn, service: ServiceView, free: FreeTime) -> None:
    """The time went while the member chose: fresh times that day, else soon."""
    local = free.starts_at.astimezone(turn.tz)
    when = When(first_day=local.date(), last_day=local.date(), tz=turn.tz, at=local.time())
    start, end = window(turn, when)
    found = free_times(turn, service.id, start, end) or free_times(
        turn, service.id, turn.now, turn.now + lookups.DEFAULT_HORIZON
    )
    slot = turn.short_slot(free.starts_at)
    if not found:
        turn.hand_off(Msg.PT_NONE_FREE, service=service.name, when=_soon(turn))
        return
    body = replies.say(Msg.PT_SLOT_TAKEN, turn.language, slot=slot, service=service.name)
    ordered = _ordered(turn, service.id, found, when)
    offer_free_times(turn, service, ordered, when, body=body)


__all__ = ["book_free_time", "book_picked", "find_free_times", "free_times", "offer_free_times"]
