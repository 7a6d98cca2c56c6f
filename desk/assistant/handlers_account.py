"""The member's own account over WhatsApp: balance, upcoming bookings, cancel and reschedule.

Cancelling always asks first and says what it will cost (the studio's late-cancel policy, from
`cancellation.cancellation_preview`); if the consequence changed by the time the member says
yes (the late window started meanwhile), they are asked again rather than charged silently.
Rescheduling offers real sessions with room and moves the booking in one step
(`cancellation.reschedule`): if the new class filled up, the old booking stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from desk.assistant import lookups, replies
from desk.assistant.context import Turn
from desk.assistant.dates import When
from desk.assistant.dialog import Choice, Pending, choice_id, when_from_json, when_to_json
from desk.assistant.handlers_booking import closeness, explain_no_entitlement, window
from desk.assistant.lookups import UpcomingBooking
from desk.assistant.replies import BalanceLine, BookingLine, Label, Msg, SessionOption
from desk.assistant.understand import Understanding
from desk.domain.enums import EntitlementStatus, SessionKind
from desk.domain.errors import (
    AlreadyBooked,
    ClassFull,
    DomainError,
    NoEntitlement,
    NotAllowed,
)
from desk.services import cancellation, sales, settings, timetable_sessions
from desk.services.cancellation import CancellationPreview
from desk.services.timetable_sessions import SessionView

#: Entitlements a member still holds (a paused or not-yet-started one is still theirs).
_HELD = (EntitlementStatus.ACTIVE, EntitlementStatus.PAUSED, EntitlementStatus.NOT_STARTED)


def balance(turn: Turn) -> None:
    held = sales.entitlements(turn.session, member_id=turn.member_id, now=turn.now)
    lines = [BalanceLine(e.name, e.remaining, e.expires_on) for e in held if e.status in _HELD]
    turn.text(replies.balance(turn.language, lines))


def my_bookings(turn: Turn) -> None:
    upcoming = lookups.upcoming_bookings(turn.session, member_id=turn.member_id, now=turn.now)
    lines = [BookingLine(b.service_name, b.starts_at, b.trainer) for b in upcoming]
    turn.text(replies.my_bookings(turn.language, lines, turn.tz))


# --- which booking -----------------------------------------------------------------------------


def _matching(turn: Turn, when: When | None, service_id: int | None) -> list[UpcomingBooking]:
    """The member's upcoming bookings on the day(s)/time/service they named."""
    found = lookups.upcoming_bookings(
        turn.session, member_id=turn.member_id, now=turn.now, limit=50
    )
    if service_id is not None:
        found = [b for b in found if b.service_id == service_id]
    if when is None:
        return found
    found = [b for b in found if when.first_day <= _local_day(turn, b) <= when.last_day]
    if when.at is not None:
        at_time = [b for b in found if b.starts_at.astimezone(turn.tz).time() == when.at]
        return at_time or found
    if when.part is not None:
        in_part = [b for b in found if when.start <= b.starts_at < when.end]
        return in_part or found
    return found


def _local_day(turn: Turn, b: UpcomingBooking) -> date:
    return b.starts_at.astimezone(turn.tz).date()


def _none_found(turn: Turn, when: When | None) -> None:
    if when is None:
        turn.say(Msg.NO_BOOKINGS)
    else:
        turn.say(Msg.NO_MATCHING_BOOKING, when=replies.describe_when(when, turn.language))


def _ask_which(
    turn: Turn, msg: Msg, found: Sequence[UpcomingBooking], action: str, extra: dict[str, Any]
) -> None:
    shown = list(found)[: lookups.MAX_OPTIONS]
    lines = [
        f"{i}. {turn.short_slot(b.starts_at)} {b.service_name}" for i, b in enumerate(shown, 1)
    ]
    body = "\n".join([replies.say(msg, turn.language), *lines])
    titles = [
        (choice_id(action, b.booking_id), f"{turn.short_slot(b.starts_at)} {b.service_name}")
        for b in shown
    ]
    turn.ask(body, Pending(kind=action, choices=[c for c, _ in titles], extra=extra), titles)


def _own_booking(turn: Turn, booking_id: object) -> UpcomingBooking | None:
    """The member's own upcoming booking; if it is gone, they hear the pick ran out."""
    own = None
    if isinstance(booking_id, int):
        own = lookups.own_booking(turn.session, booking_id=booking_id, member_id=turn.member_id)
    if own is None:
        turn.say(Msg.PICK_EXPIRED)
    return own


# --- cancel ------------------------------------------------------------------------------------


def cancel_asked(turn: Turn, understood: Understanding) -> None:
    found = _matching(turn, understood.when, understood.service_id)
    if not found:
        _none_found(turn, understood.when)
    elif len(found) > 1:
        _ask_which(turn, Msg.CANCEL_WHICH, found, Choice.CANCEL, {})
    else:
        confirm_cancel(turn, found[0].booking_id)


def _cancel_question(preview: CancellationPreview) -> Msg:
    consequence = preview.consequence
    if consequence.costs_nothing:
        return Msg.CANCEL_FREE
    return Msg.CANCEL_LATE_NO_SHOW if consequence.counts_as_noshow else Msg.CANCEL_LATE_DEDUCT


def confirm_cancel(turn: Turn, booking_id: int) -> None:
    """State what cancelling costs, then ask yes/no."""
    own = _own_booking(turn, booking_id)
    if own is None:
        return
    preview = cancellation.cancellation_preview(turn.session, booking_id=booking_id, now=turn.now)
    question = _cancel_question(preview)
    body = replies.say(
        question,
        turn.language,
        service=own.service_name,
        slot=turn.short_slot(own.starts_at),
        hours=preview.late_cancel_hours,
    )
    yes, no = choice_id(Choice.CANCEL_YES, booking_id), choice_id(Choice.CANCEL_NO, booking_id)
    pending = Pending(
        kind="cancel_confirm", choices=[yes, no], yes=yes, no=no, extra={"asked": question.value}
    )
    titles = [(yes, turn.label(Label.YES_CANCEL)), (no, turn.label(Label.KEEP_IT))]
    turn.ask(body, pending, titles)


def do_cancel(turn: Turn, booking_id: int, asked: object) -> None:
    own = _own_booking(turn, booking_id)
    if own is None:
        return
    preview = cancellation.cancellation_preview(turn.session, booking_id=booking_id, now=turn.now)
    if _cancel_question(preview).value != asked:
        confirm_cancel(turn, booking_id)  # the cost changed since we asked: ask again
        return
    where = _where(turn, own)
    result = turn.attempt(
        lambda: cancellation.cancel(
            turn.session, booking_id=booking_id, actor=turn.actor, reason="WhatsApp", now=turn.now
        )
    )
    if isinstance(result, DomainError):
        turn.hand_off(Msg.CANNOT_CANCEL, **where)
    elif result.already_done:
        turn.say(Msg.ALREADY_CANCELLED)
    else:
        turn.say(Msg.CANCELLED, **where)


# --- reschedule --------------------------------------------------------------------------------


def reschedule_asked(turn: Turn, understood: Understanding) -> None:
    found = _matching(turn, understood.when, understood.service_id)
    if not found:
        _none_found(turn, understood.when)
    elif len(found) > 1:
        extra = {"target": when_to_json(understood.target_when)}
        _ask_which(turn, Msg.MOVE_WHICH, found, Choice.MOVE, extra)
    else:
        offer_moves(turn, found[0].booking_id, understood.target_when)


def offer_moves_from(turn: Turn, booking_id: int, extra: dict[str, Any]) -> None:
    offer_moves(turn, booking_id, when_from_json(extra.get("target"), turn.tz))


def offer_moves(turn: Turn, booking_id: int, target: When | None) -> None:
    """Sessions of the same service with room where the booking could go."""
    own = _own_booking(turn, booking_id)
    if own is None:
        return
    if not _movable_online(turn, own):
        return
    start, end = window(turn, target)
    found = lookups.openings(
        turn.session,
        service_id=own.service_id,
        start=start,
        end=end,
        now=turn.now,
        exclude=frozenset({own.class_session_id}),
    )
    free = sorted((o for o in found if o.free > 0), key=closeness(turn, target))
    if not free:
        phrase = replies.describe_when(target, turn.language) if target else _soon(turn)
        turn.say(Msg.NO_MOVE_OPTIONS, service=own.service_name, when=phrase)
        return
    options = [
        SessionOption(choice_id(Choice.MOVE_TO, o.class_session_id), o.starts_at, o.trainer, o.free)
        for o in free[: lookups.MAX_OPTIONS]
    ]
    body = replies.say(Msg.RESCHEDULE_OPTIONS, turn.language, **_where(turn, own))
    turn.send(replies.session_choices(turn.language, body=body, options=options, tz=turn.tz))
    ids = [o.id for o in options]
    yes = ids[0] if len(ids) == 1 else None
    turn.state.pending = Pending("move_to", ids, yes=yes, extra={"booking": booking_id})


def _where(turn: Turn, own: UpcomingBooking) -> dict[str, str]:
    return {"service": own.service_name, "slot": turn.short_slot(own.starts_at)}


def _movable_online(turn: Turn, own: UpcomingBooking) -> bool:
    """Appointments and moves the policy would charge for go to reception (said kindly)."""
    if own.kind is SessionKind.APPOINTMENT:
        turn.hand_off(Msg.PRIVATE_BY_RECEPTION, service=own.service_name)
        return False
    preview = cancellation.cancellation_preview(
        turn.session, booking_id=own.booking_id, now=turn.now
    )
    if preview.late and not preview.consequence.costs_nothing:
        turn.hand_off(Msg.TOO_LATE_TO_MOVE, hours=preview.late_cancel_hours, **_where(turn, own))
        return False
    return True


def _soon(turn: Turn) -> str:
    return "şu sıralar" if turn.language == "tr" else "soon"


def do_move(turn: Turn, class_session_id: int, extra: dict[str, Any]) -> None:
    own = _own_booking(turn, extra.get("booking"))
    if own is None:
        return
    moving = own
    result = turn.attempt(
        lambda: cancellation.reschedule(
            turn.session,
            booking_id=moving.booking_id,
            to_class_session_id=class_session_id,
            actor=turn.actor,
            now=turn.now,
        )
    )
    view = timetable_sessions.get_session(turn.session, class_session_id=class_session_id)
    if isinstance(result, DomainError):
        _move_refused(turn, result, own, view)
        return
    moved = replies.rescheduled(
        turn.language,
        service=own.service_name,
        old_start=own.starts_at,
        new_start=result.booking.starts_at,
        tz=turn.tz,
        trainer=view.trainer_name,
    )
    turn.text(moved)


def _move_refused(
    turn: Turn, error: DomainError, own: UpcomingBooking, target: SessionView
) -> None:
    """Nothing moved (the reschedule is all or nothing): say why."""
    where = _where(turn, own)
    if isinstance(error, ClassFull):
        turn.say(Msg.MOVE_FULL, slot=where["slot"])
    elif isinstance(error, NotAllowed):
        hours = settings.get_policy(turn.session).late_cancel_hours
        turn.hand_off(Msg.TOO_LATE_TO_MOVE, hours=hours, **where)
    elif isinstance(error, NoEntitlement):
        explain_no_entitlement(turn, error, own.service_id)
    elif isinstance(error, AlreadyBooked):
        turn.say(Msg.ALREADY_BOOKED, service=target.service_name, slot=turn.slot(target.starts_at))
    else:
        turn.hand_off(Msg.CANNOT_CANCEL, **where)


__all__ = [
    "balance",
    "cancel_asked",
    "confirm_cancel",
    "do_cancel",
    "do_move",
    "my_bookings",
    "offer_moves",
    "offer_moves_from",
    "reschedule_asked",
]
