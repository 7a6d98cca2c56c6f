"""Waitlist moves reception makes by hand: offer a free seat to someone waiting, right now.

In a class whose waitlist works by timed offers, a seat can stand free while people wait: the
ones ahead had no package when it freed and were passed over, or an offer ran out and nothing has
passed it on yet. Reception can then hold the seat for the next person in line (or one they
choose) at once. The offer is the same as an automatic one: it holds the seat for the studio's
hold time (never past the cutoff), and it is left unannounced so the sync worker's next round
sends the member the WhatsApp offer with its take/pass buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from desk.domain.enums import StaffRole, WaitlistMode, WaitlistStatus
from desk.domain.errors import InvalidInput, InvalidTransition, NotFound, WaitlistClosed
from desk.domain.policies import waitlist_closes_at
from desk.services import seats, waitlist_moves
from desk.services.actor import Actor
from desk.services.settings import get_policy
from desk.services.waitlist_moves import open_entries
from desk.store.models import ClassSession, WaitlistEntry
from desk.store.types import utcnow

__all__ = ["OfferSent", "mode_of", "offer_now"]


@dataclass(frozen=True)
class OfferSent:
    entry_id: int
    member_id: int
    class_session_id: int
    position: int
    offer_expires_at: datetime
    #: Something staff should see (e.g. the member is restricted online); None when all is well.
    warning: str | None


def mode_of(session: Session, *, class_session_id: int) -> WaitlistMode:
    """How this class's waitlist hands out freed seats: its own mode, else the studio's."""
    cs = seats.load_class_session(session, class_session_id)
    return cs.waitlist_mode or get_policy(session).waitlist_mode


def _chosen(session: Session, cs: ClassSession, entry_id: int | None) -> tuple[WaitlistEntry, int]:
    """The entry to offer the seat to (first one waiting when none is named), and its place."""
    line = open_entries(session, cs.id)
    for position, entry in enumerate(line, start=1):
        if entry_id is None and entry.status is WaitlistStatus.WAITING:
            return entry, position
        if entry.id == entry_id:
            return entry, position
    if entry_id is None:
        raise NotFound("Nobody is waiting for this class.")
    found = session.get(WaitlistEntry, entry_id)
    if found is None or found.class_session_id != cs.id:
        raise NotFound("That member is not on this class's waitlist.")
    raise InvalidTransition("That member has left the waitlist.")


def _refuse(session: Session, cs: ClassSession, entry: WaitlistEntry, now: datetime) -> None:
    tz = get_policy(session).tz
    if entry.status is WaitlistStatus.OFFERED and entry.offer_expires_at is not None:
        until = entry.offer_expires_at.astimezone(tz)
        if entry.offer_expires_at > now:
            raise InvalidTransition(f"A seat is already held for this member until {until:%H:%M}.")
        raise InvalidTransition(
            f"This member's offer ran out at {until:%H:%M}; the seat passes to the next in line."
        )
    if entry.status is not WaitlistStatus.WAITING:
        raise InvalidTransition("Only someone still waiting can be offered a seat.")
    if mode_of(session, class_session_id=cs.id) is not WaitlistMode.OFFER:
        raise InvalidInput(
            "This class books its waitlist automatically: use “Book into a free seat”."
        )
    seats.refuse_if_closed(session, cs, now)
    cutoff = get_policy(session).waitlist_cutoff_minutes
    if now >= waitlist_closes_at(starts_at=cs.starts_at, cutoff_minutes=cutoff):
        raise WaitlistClosed(f"The waitlist for {seats.describe(session, cs)} has closed.")
    if seats.free_seats(session, cs, now) < 1:
        raise InvalidTransition(
            "No seat is free to offer: every seat is booked or held for another offer."
        )
    seats.refuse_if_booked(session, cs.id, entry.member_id)


def offer_now(
    session: Session,
    *,
    class_session_id: int,
    actor: Actor,
    entry_id: int | None = None,
    now: datetime | None = None,
) -> OfferSent:
    """Hold a free seat for a waiting member (the first in line, or `entry_id`) and queue the
    offer for WhatsApp. Refused when nothing is free, the class books its waitlist itself, the
    waitlist has closed, or the member could not take the seat (no package, restricted online).
    """
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="send a waitlist offer")
    now = now or utcnow()
    cs = seats.load_class_session(session, class_session_id)
    entry, position = _chosen(session, cs, entry_id)
    _refuse(session, cs, entry, now)
    admission = waitlist_moves.hold_seat(
        session, cs, entry, actor=actor, now=now, action="waitlist.offer_now",
        class_session_id=cs.id,
    )  # fmt: skip
    expires = entry.offer_expires_at
    assert expires is not None  # hold_seat just set it
    session.flush()
    return OfferSent(
        entry_id=entry.id,
        member_id=entry.member_id,
        class_session_id=cs.id,
        position=position,
        offer_expires_at=expires,
        warning=admission.warning,
    )
