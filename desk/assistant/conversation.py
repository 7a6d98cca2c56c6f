"""The WhatsApp conversation: one inbound message in, its effects and replies out.

`handle_inbound` is the sync worker's event handler (`desk.sync.worker.EventHandler`). It runs
inside the worker's transaction (a batch of events, each in its own savepoint), which also holds
the event row (whose unique wamid is the "processed" mark), so a message acts exactly once:

1. find the member by WhatsApp id or phone, and load their dialog state (a pending question
   expires after 30 minutes);
2. read the message (`understand`), or the button/list/template choice it carries;
3. act through the booking services as the member (`Actor.whatsapp`, channel WhatsApp);
4. save the dialog state, record the event (with its intent, flagged for reception when
   needed) and queue the replies.

Reply keys are derived from the wamid (`r-<sha256 prefix>-<n>`), so a re-run of the same event
after a rolled-back attempt queues the very same keys and the relay sends each reply once.
Refusals of the booking engine are replies; anything else (a bug, a database error) propagates
so the worker rolls the whole event back and tries again later.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from desk.assistant import handlers_account as account
from desk.assistant import handlers_booking as booking
from desk.assistant import handlers_pt as pt
from desk.assistant import handlers_waitlist as waitlist
from desk.assistant import lookups, messages
from desk.assistant.context import Turn, service_names
from desk.assistant.dialog import Choice, Pending, State, parse_choice, when_from_json
from desk.assistant.replies import Msg, greeting
from desk.assistant.understand import Intent, Understanding, understand
from desk.domain.errors import DomainError
from desk.services import catalog, members, messaging, settings
from desk.services.catalog import ServiceView
from desk.services.members import MemberProfile
from desk.services.messaging import InboundPayload
from desk.store.types import utcnow

log = logging.getLogger(__name__)

#: Message types the relay hands over with something to read.
READABLE = frozenset({"text", "button_reply", "list_reply"})
#: An address the relay can send to: wa_id digits, E.164 without the "+".
_SENDABLE = re.compile(r"^[1-9][0-9]{6,14}$")


def reply_key(wamid: str, number: int) -> str:
    """The idempotency key of the `number`th reply to `wamid` (fits the relay's KEY_PATTERN)."""
    digest = hashlib.sha256(wamid.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"r-{digest}-{number}"


def find_member(session: Session, wa_id: str) -> MemberProfile | None:
    """The member writing from `wa_id` (stored WhatsApp id, else their phone number)."""
    if not wa_id.isdigit():
        return None  # username-only senders ("user:…") cannot be matched to a phone
    member = members.find_by_whatsapp(session, wa_id) or members.find_by_phone(
        session, phone="+" + wa_id
    )
    return member if member is not None and not member.archived else None


def handle_inbound(
    session: Session, payload: InboundPayload, *, now: datetime | None = None
) -> None:
    """Process one inbound WhatsApp event inside the caller's transaction."""
    now = now or utcnow()
    payload = _storable(payload)
    member = find_member(session, payload.wa_id)
    member_id = member.id if member else None
    dialog = messaging.load_dialog(session, payload.wa_id, now=now)
    turn = Turn(
        session=session,
        now=now,
        tz=settings.get_policy(session).tz,
        wa_id=payload.wa_id,
        member=member,
        language=dialog.language,
        state=State.from_json(dialog.state),
        services=_services(session),
        fresh=not dialog.state,
    )
    try:
        with session.begin_nested():
            respond(turn, payload)
    except DomainError:
        # A refusal no handler put into words: undo this turn's effects, let reception look.
        log.exception("assistant: unhandled refusal for inbound %s", payload.wamid)
        turn.replies.clear()
        turn.state = State()
        turn.hand_off(Msg.SOMETHING_WENT_WRONG)
    if not turn.replies and not turn.needs_staff:
        turn.hand_off(Msg.NOT_UNDERSTOOD)
    if not _SENDABLE.match(turn.wa_id):
        turn.needs_staff = True  # no number to answer: reception replies some other way
    messaging.save_dialog(
        session,
        replace(dialog, state=turn.state.to_json(), language=turn.language),
        member_id=member_id,
        now=now,
    )
    # The event row goes in last, already knowing what the message was about.
    event_id = messaging.store_inbound(
        session,
        payload,
        member_id=member_id,
        now=now,
        intent=turn.intent or Intent.UNKNOWN.value,
        needs_staff=turn.needs_staff,
    )
    _queue(turn, payload.wamid, event_id)


def _services(session: Session) -> dict[int, ServiceView]:
    services = lookups.once_per_transaction(
        session,
        "assistant.services",
        lambda: {s.id: s for s in catalog.list_services(session)},
    )
    return dict(services)


def _storable(payload: InboundPayload) -> InboundPayload:
    """The payload without lone surrogates (valid JSON escapes, but not UTF-8): SQLite would
    refuse the event row, and the worker would retry the same message forever."""
    return replace(
        payload,
        wa_id=_scrub(payload.wa_id),
        message_type=_scrub(payload.message_type),
        text=_scrub(payload.text),
        reply_id=_scrub(payload.reply_id),
        profile_name=_scrub(payload.profile_name),
        raw=_scrub(dict(payload.raw or {})),
    )


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_scrub(str(k)): _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def _queue(turn: Turn, wamid: str, event_id: int) -> None:
    if not _SENDABLE.match(turn.wa_id):
        return  # flagged for reception: it replies some other way
    for number, body in enumerate(turn.replies, start=1):
        messaging.enqueue(
            turn.session,
            to_wa_id=turn.wa_id,
            body=body,
            preview=messages.preview(body),
            member_id=turn.member.id if turn.member else None,
            inbound_event_id=event_id,
            key=reply_key(wamid, number),
            now=turn.now,
        )


# --- routing ---------------------------------------------------------------------------------


def respond(turn: Turn, payload: InboundPayload) -> None:
    if payload.message_type not in READABLE:
        turn.intent = "unsupported"
        turn.hand_off(Msg.TEXT_ONLY)
        return
    choice = parse_choice(payload.reply_id) if payload.reply_id else None
    understood = None if choice else _read(turn, payload.text)
    if turn.member is None:
        _new_lead(turn)
        return
    pending, turn.state.pending = turn.state.pending, None
    if choice is not None:
        turn.intent = f"choice:{choice[0]}"
        act(turn, payload.reply_id.strip(), pending)
    elif understood is not None:
        dispatch(turn, understood, pending)


def _read(turn: Turn, text: str) -> Understanding:
    understood = understand(
        text,
        now=turn.now,
        tz=turn.tz,
        services=service_names(list(turn.services.values())),
        default_language=turn.language,
    )
    turn.language = understood.language
    return understood


def _new_lead(turn: Turn) -> None:
    """An unknown number: reception takes it as a new lead; the sender is told once."""
    turn.intent = "lead"
    turn.needs_staff = True
    if not turn.state.lead_told:
        turn.say(Msg.UNKNOWN_NUMBER)
        turn.state.lead_told = True


def dispatch(turn: Turn, understood: Understanding, pending: Pending | None) -> None:
    intent = understood.intent
    turn.intent = intent.value
    when = understood.when
    if pending is not None and pending.kind == "ask_service" and when is None:
        when = when_from_json(pending.extra.get("when"), turn.tz)
    if intent in (Intent.AVAILABILITY, Intent.BOOK):
        book = intent is Intent.BOOK or (pending is not None and pending.extra.get("book") is True)
        booking.find_sessions(turn, understood, book=book, when=when)
    elif intent in (Intent.PICK_OPTION, Intent.CONFIRM_YES, Intent.CONFIRM_NO):
        _answer(turn, understood, pending)
    elif intent is Intent.WAITLIST_JOIN:
        if pending is not None and pending.kind == "waitlist" and pending.yes:
            act(turn, pending.yes, pending)
        else:
            waitlist.join_waitlist_asked(turn, understood, when)
    elif intent is Intent.WAITLIST_ACCEPT:
        if not waitlist.answer_offers(turn, accept=True):
            turn.say(Msg.NO_OFFER)
    elif intent is Intent.WAITLIST_DECLINE:
        waitlist.leave_waitlist(turn)
    else:
        _simple(turn, intent, understood)


def _simple(turn: Turn, intent: Intent, understood: Understanding) -> None:
    if intent is Intent.CANCEL:
        account.cancel_asked(turn, understood)
    elif intent is Intent.RESCHEDULE:
        account.reschedule_asked(turn, understood)
    elif intent is Intent.BALANCE:
        account.balance(turn)
    elif intent is Intent.MY_BOOKINGS:
        account.my_bookings(turn)
    elif intent is Intent.GREETING:
        turn.text(greeting(turn.language, turn.member.full_name if turn.member else None))
    elif intent is Intent.THANKS:
        turn.say(Msg.THANKS_BACK)
    elif intent is Intent.HUMAN:
        turn.hand_off(Msg.HANDED_TO_HUMAN)
    else:
        turn.hand_off(Msg.NOT_UNDERSTOOD)


def _answer(turn: Turn, understood: Understanding, pending: Pending | None) -> None:
    """ "2", "yes", "no": an answer to the question we asked, if it is still open."""
    intent = understood.intent
    if pending is None:
        if intent is Intent.CONFIRM_YES and waitlist.answer_offers(turn, accept=True):
            return
        picking = intent is Intent.PICK_OPTION
        turn.say(Msg.PICK_EXPIRED if picking or turn.fresh else Msg.ANYTHING_ELSE)
        return
    if intent is Intent.PICK_OPTION:
        chosen = pending.numbered(understood.option or 0)
    else:
        chosen = pending.yes if intent is Intent.CONFIRM_YES else pending.no
    if chosen is not None:
        act(turn, chosen, pending)
    elif intent is Intent.CONFIRM_NO:
        turn.say(Msg.NOTHING_CHANGED)
    else:
        turn.state.pending = pending  # still open: "yes" to a list needs a number
        turn.say(Msg.WHICH_NUMBER)


def act(turn: Turn, choice: str, pending: Pending | None) -> None:
    """Do what a choice id says, if we offered it (or it stands alone and is checked later)."""
    parsed = parse_choice(choice)
    if parsed is None:
        turn.say(Msg.PICK_EXPIRED)
        return
    action, row = parsed
    offered = pending is not None and pending.offers(choice)
    if not (offered or action in Choice.STANDALONE or action in Choice.HARMLESS):
        turn.say(Msg.PICK_EXPIRED)  # stale: the question expired or was replaced
        return
    extra = pending.extra if pending is not None else {}
    handlers: dict[str, Callable[[], None]] = {
        Choice.BOOK: lambda: booking.book_session(turn, row),
        Choice.BOOK_SLOT: lambda: pt.book_picked(turn, row, extra),
        Choice.WAITLIST_JOIN: lambda: waitlist.join_waitlist(turn, row),
        Choice.WAITLIST_SKIP: lambda: turn.say(Msg.NOTHING_CHANGED),
        Choice.WAITLIST_ACCEPT: lambda: waitlist.accept_offer(turn, row),
        Choice.WAITLIST_DECLINE: lambda: waitlist.decline_offer(turn, row),
        Choice.CANCEL: lambda: account.confirm_cancel(turn, row),
        Choice.CANCEL_YES: lambda: account.do_cancel(turn, row, extra.get("asked")),
        Choice.CANCEL_NO: lambda: turn.say(Msg.NOTHING_CHANGED),
        Choice.MOVE: lambda: account.offer_moves_from(turn, row, extra),
        Choice.MOVE_TO: lambda: account.do_move(turn, row, extra),
    }
    handler = handlers.get(action)
    if handler is None:
        turn.say(Msg.PICK_EXPIRED)
        return
    handler()
