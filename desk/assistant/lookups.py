"""What the conversation needs to read: open sessions with room, the member's own upcoming
bookings and waitlist offers, and whether they wrote recently.

Sessions come from the timetable and occupancy services. The member-scoped reads below have no
service yet (`desk/ui/SERVICES_NEEDED.md` asks for a `member_bookings`); they are read-only,
always filtered by the member asking, and return plain rows, so nothing here can show one
member another member's data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from desk.domain.enums import (
    WAITLIST_OPEN_STATUSES,
    BookingStatus,
    SessionKind,
    SessionStatus,
    WaitlistStatus,
)
from desk.services import occupancy
from desk.store.models import (
    Booking,
    ClassSession,
    DialogState,
    InboundEvent,
    Service,
    Trainer,
    WaitlistEntry,
)

T = TypeVar("T")

#: How far ahead "when is there reformer?" looks when the member names no day.
DEFAULT_HORIZON = timedelta(days=7)
#: The most options one message offers (a WhatsApp list holds 10 rows).
MAX_OPTIONS = 10


@dataclass(frozen=True)
class Opening:
    """A group class session, with how many seats are free right now."""

    class_session_id: int
    service_id: int
    starts_at: datetime
    trainer: str
    free: int
    waiting: int


def openings(
    session: Session,
    *,
    service_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: frozenset[int] = frozenset(),
) -> list[Opening]:
    """Scheduled group classes of `service_id` starting in [max(start, now), end), full ones
    included (callers decide), soonest first."""
    start = max(start, now)
    if end <= start:
        return []
    counts = occupancy.occupancy_between(session, starts_from=start, starts_before=end, now=now)
    classes = [
        o
        for o in counts
        if o.service_id == service_id
        and o.kind is SessionKind.CLASS
        and o.class_session_id not in exclude
    ]
    if not classes:
        return []
    names = trainer_names(session)
    return [
        Opening(o.class_session_id, o.service_id, o.starts_at, names.get(o.trainer_id, ""),
                o.free, o.waiting)
        for o in classes
    ]  # fmt: skip


def once_per_transaction(session: Session, key: str, load: Callable[[], T]) -> T:
    """`load()` the first time a transaction (a sync batch) asks for `key`, then that value:
    the studio's services and trainers do not change under a batch of messages."""
    if key not in session.info:
        session.info[key] = load()
    value: T = session.info[key]
    return value


def trainer_names(session: Session) -> dict[int, str]:
    return once_per_transaction(
        session,
        "assistant.trainer_names",
        lambda: {tid: name for tid, name in session.execute(select(Trainer.id, Trainer.name))},
    )


@dataclass(frozen=True)
class UpcomingBooking:
    booking_id: int
    class_session_id: int
    service_id: int
    service_name: str
    kind: SessionKind
    trainer: str
    starts_at: datetime


def _booking_rows(member_id: int) -> Select[int, ClassSession, str, str]:
    return (
        select(Booking.id, ClassSession, Service.name, Trainer.name)
        .join(ClassSession, ClassSession.id == Booking.class_session_id)
        .join(Service, Service.id == ClassSession.service_id)
        .join(Trainer, Trainer.id == ClassSession.trainer_id)
        .where(Booking.member_id == member_id)
    )


def upcoming_bookings(
    session: Session, *, member_id: int, now: datetime, limit: int = MAX_OPTIONS
) -> list[UpcomingBooking]:
    """The member's live bookings that have not started yet, soonest first."""
    rows = session.execute(
        _booking_rows(member_id)
        .where(
            Booking.status == BookingStatus.BOOKED,
            ClassSession.status == SessionStatus.SCHEDULED,
            ClassSession.starts_at > now,
        )
        .order_by(ClassSession.starts_at, Booking.id)
        .limit(limit)
    ).all()
    return _upcoming(rows)


def own_booking(session: Session, *, booking_id: int, member_id: int) -> UpcomingBooking | None:
    """Booking `booking_id` if it is the member's own (whatever its state), else None."""
    rows = session.execute(_booking_rows(member_id).where(Booking.id == booking_id)).all()
    found = _upcoming(rows)
    return found[0] if found else None


def _upcoming(rows: Sequence[Row[int, ClassSession, str, str]]) -> list[UpcomingBooking]:
    return [
        UpcomingBooking(
            booking_id=booking_id,
            class_session_id=cs.id,
            service_id=cs.service_id,
            service_name=service_name,
            kind=cs.kind,
            trainer=trainer_name,
            starts_at=cs.starts_at,
        )
        for booking_id, cs, service_name, trainer_name in rows
    ]


def last_trainer(session: Session, *, member_id: int, service_id: int) -> int | None:
    """The trainer of the member's latest private session of `service_id` they attended or
    still hold (a cancelled or missed one says nothing about whom they like to train with)."""
    return session.scalar(
        select(ClassSession.trainer_id)
        .join(Booking, Booking.class_session_id == ClassSession.id)
        .where(
            Booking.member_id == member_id,
            Booking.status.in_((BookingStatus.BOOKED, BookingStatus.COMPLETED)),
            ClassSession.kind == SessionKind.APPOINTMENT,
            ClassSession.service_id == service_id,
        )
        .order_by(ClassSession.starts_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class OfferView:
    entry_id: int
    class_session_id: int
    status: WaitlistStatus
    offer_expires_at: datetime | None


def waitlist_entry(session: Session, *, entry_id: int, member_id: int) -> OfferView | None:
    """The member's own waitlist entry `entry_id`; None if it is someone else's or gone."""
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None or entry.member_id != member_id:
        return None
    return OfferView(entry.id, entry.class_session_id, entry.status, entry.offer_expires_at)


def waiting_entries(session: Session, *, member_id: int) -> list[OfferView]:
    """The member's open waitlist places (waiting or holding an offer), oldest first."""
    rows = session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.member_id == member_id,
            WaitlistEntry.status.in_(WAITLIST_OPEN_STATUSES),
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    ).all()
    return [OfferView(e.id, e.class_session_id, e.status, e.offer_expires_at) for e in rows]


def live_offers(session: Session, *, member_id: int, now: datetime) -> list[OfferView]:
    """Seats held for the member right now, soonest expiry first."""
    rows = session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.member_id == member_id,
            WaitlistEntry.status == WaitlistStatus.OFFERED,
            WaitlistEntry.offer_expires_at > now,
        )
        .order_by(WaitlistEntry.offer_expires_at, WaitlistEntry.id)
    ).all()
    return [OfferView(e.id, e.class_session_id, e.status, e.offer_expires_at) for e in rows]


def last_message_at(session: Session, *, wa_ids: list[str]) -> datetime | None:
    """When the member last wrote from any of `wa_ids` (their 24-hour window starts there)."""
    if not wa_ids:
        return None
    return session.scalar(
        select(func.max(InboundEvent.received_at)).where(InboundEvent.wa_id.in_(wa_ids))
    )


def dialog_language(session: Session, *, wa_id: str) -> str | None:
    """The language the member's conversation was last in (even if it expired), if any."""
    row = session.get(DialogState, wa_id)
    return row.language if row is not None else None
