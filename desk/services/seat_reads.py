"""What a seat claim reads, each thing once, as Core statements built once.

The booking checks run inside the caller's write lock (`BEGIN IMMEDIATE`), so every statement
here is a plain Core select on the caller's connection whose compiled form SQLAlchemy reuses:
no ORM objects to build, no statement to build per call. The caller flushes its ORM changes
first (Core statements do not autoflush).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from desk.domain.enums import (
    SEAT_HOLDING_STATUSES,
    WAITLIST_OPEN_STATUSES,
    ServiceKind,
    SessionKind,
    SessionStatus,
    WaitlistStatus,
)
from desk.domain.errors import NotFound
from desk.services.settings import StudioPolicy, get_policy
from desk.store.models import (
    Booking,
    ClassSession,
    Member,
    NoShowRecord,
    Service,
    StudioSettings,
    WaitlistEntry,
)


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


# The claim's reads are Core statements built once (SQLAlchemy reuses their compiled form);
# they run on the caller's connection, so the caller's ORM changes are flushed first.
_POLICY_FIELDS = tuple(f.name for f in fields(StudioPolicy))
_CS, _SVC, _MEMBER = ClassSession.__table__.c, Service.__table__.c, Member.__table__.c
_BOOKING, _ENTRY = Booking.__table__.c, WaitlistEntry.__table__.c
_FACTS = (
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
_SEATS = select(_BOOKING.seat_no, _BOOKING.member_id).where(
    _BOOKING.class_session_id == bindparam("class_session_id"),
    _BOOKING.status.in_(SEAT_HOLDING_STATUSES),
)
_QUEUE = select(_ENTRY.id, _ENTRY.member_id, _ENTRY.status, _ENTRY.offer_expires_at).where(
    _ENTRY.class_session_id == bindparam("class_session_id"),
    _ENTRY.status.in_(WAITLIST_OPEN_STATUSES),
)
_OTHER_CS = ClassSession.__table__.alias("other")
_OVERLAPPING = (
    select(_OTHER_CS.c.id)
    .select_from(Booking.__table__.join(_OTHER_CS, _OTHER_CS.c.id == _BOOKING.class_session_id))
    .where(
        _BOOKING.member_id == bindparam("member_id"),
        _BOOKING.status.in_(SEAT_HOLDING_STATUSES),
        _OTHER_CS.c.id != bindparam("class_session_id"),
        _OTHER_CS.c.starts_at < bindparam("ends_at"),
        _OTHER_CS.c.ends_at > bindparam("starts_at"),
    )
    .order_by(_OTHER_CS.c.starts_at)
    .limit(1)
)
_NOSHOWS = select(NoShowRecord.__table__.c.occurred_at, _MEMBER.restriction_lifted_at).where(
    NoShowRecord.__table__.c.member_id == bindparam("member_id"),
    NoShowRecord.__table__.c.service_kind == bindparam("kind"),
    NoShowRecord.__table__.c.occurred_at >= bindparam("since"),
    _MEMBER.id == NoShowRecord.__table__.c.member_id,
)
_INSERT = {
    # A collision with the live-seat or live-member index inserts nothing instead of failing,
    # so no savepoint is needed around the insert (PostgreSQL aborts a failed statement's txn).
    name: dialect.insert(Booking.__table__).on_conflict_do_nothing().returning(_BOOKING.id)
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}


def read_facts(
    session: Session, class_session_id: int, member_id: int
) -> tuple[SessionFacts, StudioPolicy]:
    """The class session and its service, and the studio's policy; `NotFound` for a missing
    session or member."""
    params = {"class_session_id": class_session_id, "member_id": member_id}
    row = session.execute(_FACTS, params).first()
    if row is None or row.archived:
        load_class_session(session, class_session_id)
        load_member(session, member_id)
        get_policy(session)  # a new studio's settings row is written on first use
        row = session.execute(_FACTS, params).one()
    facts = SessionFacts(
        id=row.id,
        kind=row.kind,
        status=row.status,
        service_id=row.service_id,
        service_name=row.name,
        service_kind=row.service_kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        capacity=row.capacity,
    )
    policy = StudioPolicy(**{name: row._mapping[f"policy_{name}"] for name in _POLICY_FIELDS})
    return facts, policy


def seat_map(session: Session, class_session_id: int) -> SeatMap:
    rows = session.execute(_SEATS, {"class_session_id": class_session_id}).all()
    return SeatMap(frozenset(r.seat_no for r in rows), frozenset(r.member_id for r in rows))


def queue_of(session: Session, class_session_id: int, member_id: int, now: datetime) -> Queue:
    own_entry = own_offer = None
    offers = 0
    rows = session.execute(_QUEUE, {"class_session_id": class_session_id}).all()
    for row in rows:
        live_offer = row.status is WaitlistStatus.OFFERED and row.offer_expires_at > now
        if row.member_id == member_id:
            own_entry = row.id
            own_offer = row.id if live_offer else None
        elif live_offer:
            offers += 1
    return Queue(len(rows), offers, own_entry, own_offer)


def overlapping_session_id(session: Session, member_id: int, cs: SessionFacts) -> int | None:
    """A session other than `cs` overlapping it in which the member holds a live booking."""
    params = {"member_id": member_id, "class_session_id": cs.id}
    return session.scalar(
        _OVERLAPPING, {**params, "starts_at": cs.starts_at, "ends_at": cs.ends_at}
    )


def noshows_since(
    session: Session, member_id: int, kind: ServiceKind, since: datetime
) -> tuple[list[datetime], datetime | None]:
    """The member's no-shows of `kind` from `since` on, and when staff last lifted a restriction
    (None also when there are no no-shows: then it does not matter)."""
    rows = session.execute(_NOSHOWS, {"member_id": member_id, "kind": kind, "since": since}).all()
    return [r.occurred_at for r in rows], rows[0].restriction_lifted_at if rows else None


def insert_booking(session: Session, values: dict[str, object]) -> int | None:
    """Insert a live booking; None (and nothing written) if a unique index already holds its
    seat or its member."""
    booking_id: int | None = session.scalar(_INSERT[session.get_bind().dialect.name], values)
    return booking_id
