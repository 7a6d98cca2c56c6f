"""What a seat claim reads, each thing once, as Core statements compiled once.

The booking checks run inside the caller's write lock (`BEGIN IMMEDIATE`), so the statements
here run as `desk.store.prepared.Prepared` (compiled once, run on the DBAPI cursor), which is
most of what a claim costs beyond SQLite itself. The caller flushes its ORM changes first
(these statements do not autoflush).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from desk.domain.enums import (
    SEAT_HOLDING_STATUSES,
    WAITLIST_OPEN_STATUSES,
    BookingStatus,
    ServiceKind,
    SessionKind,
    SessionStatus,
    WaitlistStatus,
)
from desk.domain.errors import NotFound
from desk.services.actor import Actor
from desk.services.settings import StudioPolicy, get_policy
from desk.store.models import (
    AuditEntry,
    Booking,
    ClassSession,
    Member,
    NoShowRecord,
    Service,
    StudioSettings,
    WaitlistEntry,
)
from desk.store.prepared import Prepared, literal_in, prepared_insert


@dataclass(frozen=True)
class SessionFacts:
    """What the booking checks need to know about a class session, read in one statement."""

    id: int
    kind: SessionKind
    status: SessionStatus
    service_id: int
    service_name: str
    service_kind: ServiceKind
    starts_at: datetime
    ends_at: datetime
    capacity: int


@dataclass(frozen=True)
class SeatMap:
    """Who holds which seat of a class (live bookings), read once per claim."""

    taken: frozenset[int]
    holders: frozenset[int]


@dataclass(frozen=True)
class Queue:
    """A class's open waitlist as one member's claim sees it."""

    length: int
    #: Live offers held for other members: those seats are not free.
    offers_held: int
    #: The member's own open entry, and its id again if it is a live offer (that seat is theirs).
    own_entry_id: int | None
    own_offer_id: int | None


def load_class_session(session: Session, class_session_id: int) -> ClassSession:
    # Every booking check reads the service (its kind, its name): joined, not a second read.
    cs = session.get(
        ClassSession, class_session_id, options=[joinedload(ClassSession.service, innerjoin=True)]
    )
    if cs is None:
        raise NotFound(f"No class session #{class_session_id}.")
    return cs


def load_member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None or member.archived:
        raise NotFound("That member does not exist (or was archived).")
    return member


def facts_of(cs: ClassSession | SessionFacts) -> SessionFacts:
    if isinstance(cs, SessionFacts):
        return cs
    return SessionFacts(
        id=cs.id,
        kind=cs.kind,
        status=cs.status,
        service_id=cs.service_id,
        service_name=cs.service.name,
        service_kind=cs.service.kind,
        starts_at=cs.starts_at,
        ends_at=cs.ends_at,
        capacity=cs.capacity,
    )


_POLICY_FIELDS = tuple(f.name for f in fields(StudioPolicy))
_CS, _SVC, _MEMBER = ClassSession.__table__.c, Service.__table__.c, Member.__table__.c
_BOOKING, _ENTRY = Booking.__table__.c, WaitlistEntry.__table__.c
_LIVE = literal_in(_BOOKING.status, SEAT_HOLDING_STATUSES)
_FACTS = Prepared(
    select(
        _CS.id,
        _CS.kind,
        _CS.status,
        _CS.service_id,
        _SVC.name,
        _SVC.kind.label("service_kind"),
        _CS.starts_at,
        _CS.ends_at,
        _CS.capacity,
        _MEMBER.archived,
        # The studio's policy comes along: one statement instead of a second read.
        *(StudioSettings.__table__.c[name].label(f"policy_{name}") for name in _POLICY_FIELDS),
    )
    .select_from(ClassSession.__table__.join(Service.__table__))
    .join(Member.__table__, _MEMBER.id == bindparam("member_id"))
    .join(StudioSettings.__table__, StudioSettings.__table__.c.id == 1)
    .where(_CS.id == bindparam("class_session_id"))
)
_SEATS = Prepared(
    select(_BOOKING.seat_no, _BOOKING.member_id).where(
        _BOOKING.class_session_id == bindparam("class_session_id"), _LIVE
    )
)
_QUEUE = Prepared(
    select(_ENTRY.id, _ENTRY.member_id, _ENTRY.status, _ENTRY.offer_expires_at).where(
        _ENTRY.class_session_id == bindparam("class_session_id"),
        literal_in(_ENTRY.status, WAITLIST_OPEN_STATUSES),
    )
)
_MEMBER_BOOKINGS = Prepared(
    select(
        _BOOKING.id,
        _CS.id,
        _CS.service_id,
        _CS.starts_at,
        _CS.ends_at,
        _CS.status,
        _BOOKING.status,
        _BOOKING.is_drop_in,
    )
    .select_from(Booking.__table__.join(ClassSession.__table__))
    .where(_BOOKING.member_id == bindparam("member_id"), _LIVE, _CS.ends_at > bindparam("since"))
    .order_by(_CS.starts_at, _BOOKING.id)
)
_NOSHOWS = Prepared(
    select(NoShowRecord.__table__.c.occurred_at, _MEMBER.restriction_lifted_at).where(
        NoShowRecord.__table__.c.member_id == bindparam("member_id"),
        NoShowRecord.__table__.c.service_kind == bindparam("kind"),
        NoShowRecord.__table__.c.occurred_at >= bindparam("since"),
        _MEMBER.id == NoShowRecord.__table__.c.member_id,
    )
)
_INSERT = prepared_insert(Booking.__table__, returning=_BOOKING.id, skip_conflicts=True)
_AUDIT = prepared_insert(AuditEntry.__table__)


@dataclass(frozen=True)
class MemberBooking:
    """One of the member's live bookings in a session that ends after a given moment."""

    booking_id: int
    class_session_id: int
    service_id: int
    starts_at: datetime
    ends_at: datetime
    session_status: SessionStatus
    status: BookingStatus
    is_drop_in: bool

    @property
    def pending(self) -> bool:
        """Not yet completed, not a drop-in, in a session that still runs: it will want paying."""
        return (
            self.status is BookingStatus.BOOKED
            and not self.is_drop_in
            and self.session_status is SessionStatus.SCHEDULED
        )


def read_facts(
    session: Session, class_session_id: int, member_id: int
) -> tuple[SessionFacts, StudioPolicy]:
    """The class session and its service, and the studio's policy; `NotFound` for a missing
    session or member."""
    params = {"class_session_id": class_session_id, "member_id": member_id}
    row = _FACTS.first(session, params)
    if row is None or row[9]:
        load_class_session(session, class_session_id)
        load_member(session, member_id)
        get_policy(session)  # a new studio's settings row is written on first use
        session.flush()
        row = _FACTS.first(session, params)
        assert row is not None
    return SessionFacts(*row[:9]), StudioPolicy(*row[10:])


def seat_map(session: Session, class_session_id: int) -> SeatMap:
    rows = _SEATS.rows(session, {"class_session_id": class_session_id})
    return SeatMap(frozenset(r[0] for r in rows), frozenset(r[1] for r in rows))


def queue_of(session: Session, class_session_id: int, member_id: int, now: datetime) -> Queue:
    own_entry = own_offer = None
    offers = 0
    rows = _QUEUE.rows(session, {"class_session_id": class_session_id})
    for entry_id, holder, status, offer_expires_at in rows:
        live_offer = status is WaitlistStatus.OFFERED and offer_expires_at > now
        if holder == member_id:
            own_entry = entry_id
            own_offer = entry_id if live_offer else None
        elif live_offer:
            offers += 1
    return Queue(len(rows), offers, own_entry, own_offer)


def member_bookings(session: Session, member_id: int, since: datetime) -> list[MemberBooking]:
    """The member's live bookings in sessions ending after `since`, in time order: what a new
    booking must not overlap, and the upcoming ones that will draw on an entitlement."""
    rows = _MEMBER_BOOKINGS.rows(session, {"member_id": member_id, "since": since})
    return [MemberBooking(*row) for row in rows]


def overlapping(bookings: list[MemberBooking], cs: SessionFacts) -> MemberBooking | None:
    """The earliest of `bookings` in a session other than `cs` that overlaps it."""
    for held in bookings:
        other = held.class_session_id != cs.id
        if other and held.starts_at < cs.ends_at and held.ends_at > cs.starts_at:
            return held
    return None


def overlapping_session_id(session: Session, member_id: int, cs: SessionFacts) -> int | None:
    """A session other than `cs` overlapping it in which the member holds a live booking."""
    held = overlapping(member_bookings(session, member_id, cs.starts_at), cs)
    return None if held is None else held.class_session_id


def noshows_since(
    session: Session, member_id: int, kind: ServiceKind, since: datetime
) -> tuple[list[datetime], datetime | None]:
    """The member's no-shows of `kind` from `since` on, and when staff last lifted a restriction
    (None also when there are no no-shows: then it does not matter)."""
    rows = _NOSHOWS.rows(session, {"member_id": member_id, "kind": kind, "since": since})
    return [row[0] for row in rows], rows[0][1] if rows else None


def insert_booking(session: Session, values: dict[str, object]) -> int | None:
    """Insert a live booking; None (and nothing written) if a unique index already holds its
    seat or its member."""
    booking_id: int | None = _INSERT.scalar(session, {"completion_round": 0, **values})
    return booking_id


def insert_audit(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    now: datetime,
    **detail: Any,
) -> None:
    """The row `audit.record` writes, inserted at once (no ORM object to flush at commit)."""
    _AUDIT.write(
        session,
        {
            "at": now, "staff_user_id": actor.staff_user_id, "actor": actor.label,
            "action": action, "entity": entity, "entity_id": entity_id,
            "detail": json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True),
        },
    )  # fmt: skip
