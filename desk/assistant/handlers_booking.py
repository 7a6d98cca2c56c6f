"""Finding classes with room, booking one, and the waitlist, over WhatsApp.

"is there reformer tomorrow at 18:00?" → the real sessions with spots left, offered as buttons
or a list; a tap, "2" or "yes" books through `booking.book` as the member (channel WhatsApp);
a full class → an offer to join the waitlist with the place they would get. Every refusal of
the booking engine becomes a kind reply (see `explain_refusal`), never an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from desk.assistant import lookups, replies
from desk.assistant.context import CHANNEL, Turn
from desk.assistant.dates import When
from desk.assistant.dialog import Choice, Pending, choice_id, when_to_json
from desk.assistant.lookups import Opening
from desk.assistant.replies import Label, Msg, NoEntitlementReason, SessionOption
from desk.assistant.understand import Understanding
from desk.domain.enums import EntitlementStatus, ServiceKind
from desk.domain.errors import (
    AlreadyBooked,
    BookingClosed,
    BookingRestricted,
    ClassFull,
    DomainError,
    NoEntitlement,
    OverlappingBooking,
    WaitlistClosed,
)
from desk.domain.timeutil import day_bounds
from desk.services import booking, catalog, holdings, noshows, sales, timetable_sessions
from desk.services.seats import BookingResult

_REASONS = {
    "not_covered": NoEntitlementReason.NOT_COVERED,
    "used_up": NoEntitlementReason.USED_UP,
    "expired": NoEntitlementReason.EXPIRED,
    "weekly_cap": NoEntitlementReason.WEEKLY_LIMIT,
    "paused": NoEntitlementReason.NOT_USABLE,
    "not_started": NoEntitlementReason.NOT_USABLE,
}


# --- which service, which window ---------------------------------------------------------------


def service_for(
    turn: Turn, understood: Understanding, when: When | None, *, book: bool
) -> int | None:
    """The service the member means; asks (and returns None) when it cannot tell."""
    service_id = understood.service_id or turn.state.service_id
    group = [s for s in turn.services.values() if s.kind is ServiceKind.GROUP]
    if service_id is None and len(group) == 1:
        service_id = group[0].id
    if service_id is None or service_id not in turn.services:
        names = [s.name for s in turn.services.values()]
        turn.say(Msg.ASK_SERVICE, services=", ".join(names))
        extra = {"when": when_to_json(when), "book": book}
        turn.state.pending = Pending(kind="ask_service", choices=[], extra=extra)
        return None
    turn.state.service_id = service_id
    return service_id


def window(turn: Turn, when: When | None) -> tuple[datetime, datetime]:
    if when is None:
        return turn.now, turn.now + lookups.DEFAULT_HORIZON
    if when.exact:
        return day_bounds(when.first_day, turn.tz)
    return when.start, when.end


def closeness(turn: Turn, when: When | None) -> Callable[[Opening], tuple[int, datetime]]:
    """Sort key: sessions nearest the member's clock time first, else soonest first."""
    target = when.at.hour * 60 + when.at.minute if when and when.at else None

    def key(o: Opening) -> tuple[int, datetime]:
        if target is None:
            return 0, o.starts_at
        local = o.starts_at.astimezone(turn.tz)
        return abs(local.hour * 60 + local.minute - target), o.starts_at

    return key


def _at_exact_time(turn: Turn, found: Sequence[Opening], when: When | None) -> list[Opening]:
    if when is None or not when.exact or when.at is None:
        return []
    at = when.at
    return [o for o in found if o.starts_at.astimezone(turn.tz).time() == at]


# --- availability and booking ------------------------------------------------------------------


def find_sessions(turn: Turn, understood: Understanding, *, book: bool, when: When | None) -> None:
    """Availability ("is there...?") and booking requests ("book me..."): real sessions."""
    service_id = service_for(turn, understood, when, book=book)
    if service_id is None:
        return
    service = turn.services[service_id]
    if service.kind is ServiceKind.PRIVATE:
        # Imported here: personal training builds on this module's helpers.
        from desk.assistant import handlers_pt

        handlers_pt.find_free_times(turn, service, book=book, when=when)
        return
    start, end = window(turn, when)
    found = lookups.openings(
        turn.session, service_id=service_id, start=start, end=end, now=turn.now
    )
    exact = _at_exact_time(turn, found, when)
    if exact and exact[0].free > 0 and book:
        # The booking engine refuses a member restricted by no-shows itself (and we say so).
        book_session(turn, exact[0].class_session_id, trainer=exact[0].trainer)
        return
    if refused_online(turn, service.kind):
        return
    if exact and exact[0].free == 0:
        offer_waitlist(turn, exact[0].class_session_id, exact[0].waiting)
        return
    free = sorted((o for o in found if o.free > 0), key=closeness(turn, when))
    if free:
        offer_sessions(
            turn, free, body=replies.say(Msg.OPTIONS, turn.language, service=service.name)
        )
    elif found:
        offer_waitlist(turn, found[0].class_session_id, found[0].waiting)
    else:
        _offer_later(turn, service_id, when, end)


def _offer_later(turn: Turn, service_id: int, when: When | None, after: datetime) -> None:
    """Nothing in the member's window: the next sessions with room, if any."""
    name = turn.service_name(service_id)
    later = lookups.openings(
        turn.session,
        service_id=service_id,
        start=max(after, turn.now),
        end=max(after, turn.now) + lookups.DEFAULT_HORIZON,
        now=turn.now,
    )
    free = [o for o in later if o.free > 0]
    if not free or when is None:
        turn.text(replies.no_options(turn.language, service=name, when=when))
        return
    phrase = replies.describe_when(when, turn.language)
    offer_sessions(
        turn, free, body=replies.say(Msg.NEXT_FREE, turn.language, service=name, when=phrase)
    )


def refused_online(turn: Turn, kind: ServiceKind) -> bool:
    """Too many no-shows: say so kindly and hand the request to reception."""
    standing = noshows.standing(turn.session, member_id=turn.member_id, kind=kind, now=turn.now)
    if standing.restricted:
        turn.hand_off(Msg.RESTRICTED)
    return standing.restricted


def offer_sessions(turn: Turn, found: Sequence[Opening], *, body: str) -> None:
    """Up to ten sessions as buttons or a list, once we know the member could book them."""
    shown = list(found)[: lookups.MAX_OPTIONS]
    if not can_pay(turn, shown[0]):
        return
    options = [
        SessionOption(choice_id(Choice.BOOK, o.class_session_id), o.starts_at, o.trainer, o.free)
        for o in shown
    ]
    turn.send(replies.session_choices(turn.language, body=body, options=options, tz=turn.tz))
    ids = [o.id for o in options]
    turn.state.pending = Pending(kind="book", choices=ids, yes=ids[0] if len(ids) == 1 else None)


def can_pay(turn: Turn, opening: Opening) -> bool:
    """Whether a package or membership would pay; if not, explain (before any buttons)."""
    return can_pay_for(turn, opening.service_id, opening.starts_at)


def can_pay_for(turn: Turn, service_id: int, starts_at: datetime) -> bool:
    """Whether something the member holds would pay for `service_id` at `starts_at`; if not,
    explain which products would."""
    try:
        holdings.choose_for_booking(
            turn.session,
            member_id=turn.member_id,
            service_id=service_id,
            starts_at=starts_at,
            tz=turn.tz,
        )
    except NoEntitlement as missing:
        explain_no_entitlement(turn, missing, service_id)
        return False
    return True


def book_session(turn: Turn, class_session_id: int, *, trainer: str | None = None) -> None:
    """Book the member a seat and confirm it; `trainer` when the caller has just read it."""
    result = turn.attempt(
        lambda: booking.book(
            turn.session,
            class_session_id=class_session_id,
            member_id=turn.member_id,
            actor=turn.actor,
            channel=CHANNEL,
            now=turn.now,
        )
    )
    if isinstance(result, DomainError):
        explain_refusal(turn, result, class_session_id)
        return
    say_booked(turn, result, trainer=trainer)


def say_booked(turn: Turn, result: BookingResult, *, trainer: str | None = None) -> None:
    """The member now holds a seat: confirm it, with the trainer's name."""
    if trainer is None:  # not read in this turn yet (a picked option, an accepted offer)
        trainer = timetable_sessions.get_session(
            turn.session, class_session_id=result.class_session_id
        ).trainer_name
    turn.text(
        replies.booked(
            turn.language,
            service=result.service_name,
            start=result.starts_at,
            tz=turn.tz,
            trainer=trainer,
        )
    )


# --- refusals ------------------------------------------------------------------------------


def explain_refusal(turn: Turn, error: DomainError, class_session_id: int) -> None:
    """A refusal of the booking engine, in the member's words."""
    view = timetable_sessions.get_session(turn.session, class_session_id=class_session_id)
    where = {"service": view.service_name, "slot": turn.slot(view.starts_at)}
    if isinstance(error, ClassFull):
        offer_waitlist(turn, class_session_id, error.waitlist_length)
    elif isinstance(error, AlreadyBooked):
        turn.say(Msg.ALREADY_BOOKED, **where)
    elif isinstance(error, OverlappingBooking):
        other = timetable_sessions.get_session(
            turn.session, class_session_id=error.other_class_session_id
        )
        turn.say(
            Msg.OVERLAPS, other=other.service_name, other_slot=turn.slot(other.starts_at), **where
        )
    elif isinstance(error, BookingClosed):
        turn.say(Msg.SESSION_CLOSED, **where)
    elif isinstance(error, BookingRestricted):
        turn.hand_off(Msg.RESTRICTED)
    elif isinstance(error, NoEntitlement):
        explain_no_entitlement(turn, error, view.service_id)
    elif isinstance(error, WaitlistClosed):
        turn.say(Msg.WAITLIST_CLOSED, **where)
    else:
        turn.hand_off(Msg.SOMETHING_WENT_WRONG)


def explain_no_entitlement(turn: Turn, error: NoEntitlement, service_id: int) -> None:
    """Why no package pays, which products would, and that reception can sell one."""
    service = turn.service_name(service_id)
    reason = _REASONS.get(error.reason_code, NoEntitlementReason.NONE)
    held = sales.entitlements(turn.session, member_id=turn.member_id, now=turn.now)
    covering = [e for e in held if service in e.scope]
    package = None
    if reason is NoEntitlementReason.NOT_COVERED:
        active = [e for e in held if e.status is EntitlementStatus.ACTIVE]
        package = active[0].name if active else None
        reason = reason if active else NoEntitlementReason.NONE
    elif reason is NoEntitlementReason.EXPIRED:
        expired = [e for e in covering if e.status is EntitlementStatus.EXPIRED]
        package = (
            max(expired, key=lambda e: e.expires_on or e.sold_at.date()).name if expired else None
        )
    elif covering:
        package = covering[0].name
    products = [p.name for p in catalog.list_products(turn.session, service_id=service_id)]
    text = replies.no_entitlement(
        turn.language,
        reason=reason,
        service=service,
        package=package,
        expired_on=error.expired_on,
        products=products,
    )
    turn.text(text)
    turn.needs_staff = True  # the reply promises that reception knows


# --- the waitlist ------------------------------------------------------------------------------


def offer_waitlist(turn: Turn, class_session_id: int, waiting: int) -> None:
    """A full class: offer the waitlist with the place the member would get."""
    view = timetable_sessions.get_session(turn.session, class_session_id=class_session_id)
    body = replies.say(
        Msg.CLASS_FULL,
        turn.language,
        service=view.service_name,
        slot=turn.short_slot(view.starts_at),
        position=waiting + 1,
    )
    join = choice_id(Choice.WAITLIST_JOIN, class_session_id)
    skip = choice_id(Choice.WAITLIST_SKIP, class_session_id)
    titles = [(join, turn.label(Label.JOIN_WAITLIST)), (skip, turn.label(Label.NO_THANKS))]
    turn.ask(body, Pending(kind="waitlist", choices=[join, skip], yes=join, no=skip), titles)
