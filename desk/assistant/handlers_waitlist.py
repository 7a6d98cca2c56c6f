"""The waitlist over WhatsApp: joining a full class, taking or passing on a held seat, leaving.

A held seat can be answered with a button on our offer, a quick reply on the `waitlist_offer`
template (see `notify`), or in words ("I'll take it", "pass"). Entries are looked up as the
member's own only: a payload naming someone else's entry reads as "no offer for you".
"""

from __future__ import annotations

from desk.assistant import lookups, replies
from desk.assistant.context import CHANNEL, Turn
from desk.assistant.dates import When
from desk.assistant.dialog import Choice, Pending, choice_id
from desk.assistant.handlers_booking import (
    book_session,
    closeness,
    explain_refusal,
    find_sessions,
    say_booked,
    service_for,
    window,
)
from desk.assistant.lookups import OfferView
from desk.assistant.replies import Msg
from desk.assistant.understand import Understanding
from desk.domain.errors import DomainError, InvalidInput, InvalidTransition, WaitlistClosed
from desk.services import timetable_sessions, waitlist


def join_waitlist(turn: Turn, class_session_id: int) -> None:
    place = turn.attempt(
        lambda: waitlist.join(
            turn.session,
            class_session_id=class_session_id,
            member_id=turn.member_id,
            actor=turn.actor,
            channel=CHANNEL,
            now=turn.now,
        )
    )
    if isinstance(place, InvalidInput):
        book_session(turn, class_session_id)  # a seat came free meanwhile: just book it
        return
    if isinstance(place, DomainError):
        explain_refusal(turn, place, class_session_id)
        return
    view = timetable_sessions.get_session(turn.session, class_session_id=class_session_id)
    turn.say(
        Msg.WAITLIST_JOINED,
        service=view.service_name,
        slot=turn.short_slot(view.starts_at),
        position=place.position,
    )


def join_waitlist_asked(turn: Turn, understood: Understanding, when: When | None) -> None:
    """ "put me on the waitlist for Saturday's spinning": the full class in that window."""
    service_id = service_for(turn, understood, when, book=True)
    if service_id is None:
        return
    start, end = window(turn, when)
    found = lookups.openings(
        turn.session, service_id=service_id, start=start, end=end, now=turn.now
    )
    full = sorted((o for o in found if o.free == 0), key=closeness(turn, when))
    if full:
        join_waitlist(turn, full[0].class_session_id)
    else:
        find_sessions(turn, understood, book=True, when=when)


def _own_entry(turn: Turn, entry_id: int) -> OfferView | None:
    """The member's own entry; for none (or someone else's) they hear there is no offer."""
    entry = lookups.waitlist_entry(turn.session, entry_id=entry_id, member_id=turn.member_id)
    if entry is None:
        turn.say(Msg.NO_OFFER)
    return entry


def accept_offer(turn: Turn, entry_id: int) -> None:
    entry = _own_entry(turn, entry_id)
    if entry is None:
        return
    result = turn.attempt(
        lambda: waitlist.accept_offer(
            turn.session, entry_id=entry_id, actor=turn.actor, now=turn.now
        )
    )
    if isinstance(result, DomainError):
        if isinstance(result, WaitlistClosed | InvalidTransition):
            turn.say(Msg.OFFER_EXPIRED)
        else:
            explain_refusal(turn, result, entry.class_session_id)
        return
    say_booked(turn, result)


def decline_offer(turn: Turn, entry_id: int) -> None:
    if _own_entry(turn, entry_id) is None:
        return
    result = turn.attempt(
        lambda: waitlist.decline_offer(
            turn.session, entry_id=entry_id, actor=turn.actor, now=turn.now
        )
    )
    turn.say(Msg.NO_OFFER if isinstance(result, DomainError) else Msg.WAITLIST_DECLINED)


def answer_offers(turn: Turn, *, accept: bool) -> bool:
    """A typed "I'll take it" / "pass" about a held seat; False when nothing is on offer."""
    offers = lookups.live_offers(turn.session, member_id=turn.member_id, now=turn.now)
    if not offers:
        return False
    if len(offers) == 1:
        (accept_offer if accept else decline_offer)(turn, offers[0].entry_id)
        return True
    action = Choice.WAITLIST_ACCEPT if accept else Choice.WAITLIST_DECLINE
    titles = []
    for offer in offers[:3]:
        view = timetable_sessions.get_session(turn.session, class_session_id=offer.class_session_id)
        titles.append((choice_id(action, offer.entry_id), turn.short_slot(view.starts_at)))
    pending = Pending(kind="offers", choices=[cid for cid, _ in titles])
    turn.ask(replies.say(Msg.ASK_WHICH_BOOKING, turn.language), pending, titles)
    return True


def leave_waitlist(turn: Turn) -> None:
    """ "take me off the waitlist": a held seat is passed on; one open place is simply left."""
    if answer_offers(turn, accept=False):
        return
    places = lookups.waiting_entries(turn.session, member_id=turn.member_id)
    if not places:
        turn.say(Msg.NO_OFFER)
        return
    if len(places) > 1:
        turn.hand_off(Msg.HANDED_TO_HUMAN)  # which one is for reception to sort out
        return
    place = places[0]
    left = turn.attempt(
        lambda: waitlist.leave(
            turn.session,
            class_session_id=place.class_session_id,
            member_id=turn.member_id,
            actor=turn.actor,
            now=turn.now,
        )
    )
    if isinstance(left, DomainError):
        turn.say(Msg.NO_OFFER)
        return
    view = timetable_sessions.get_session(turn.session, class_session_id=place.class_session_id)
    turn.say(Msg.WAITLIST_LEFT, service=view.service_name, slot=turn.short_slot(view.starts_at))
