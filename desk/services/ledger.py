"""The ledger rows a booking writes: consume (with the rule's choice), restore, expire.

A booking's completion round is consumed at most once and restored at most once. The code
checks first; the partial unique indexes on `ledger_entries` refuse a second row when two desks
(or a retried message) get past the check together, and that collision means "already done".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.domain.enums import BookingStatus, LedgerKind, ProductKind, SessionStatus
from desk.domain.errors import NoEntitlement, NotFound
from desk.domain.timeutil import local_date
from desk.services import audit, holdings, pauses
from desk.services.actor import Actor
from desk.services.sales import ledger_balances
from desk.services.settings import get_policy
from desk.store.models import Booking, ClassSession, LedgerEntry, Sale, StudioSettings
from desk.store.prepared import Prepared, prepared_insert


@dataclass(frozen=True)
class Consumption:
    """What paid for a session, or that nothing did (the desk collects payment)."""

    sale_id: int | None
    entitlement: str | None
    #: Change to the balance: -1 for a package, 0 for a membership visit or when unpaid.
    delta: int
    #: Sessions left on that package afterwards; None for memberships and unpaid sessions.
    remaining: int | None
    unpaid: bool
    #: What the desk should do when nothing paid; the same text every time it is asked.
    unpaid_reason: str | None = None


#: An unpaid session reads the same on every call (idempotent results); why no entitlement
#: could pay is written to the audit row of the completion.
UNPAID = Consumption(
    None,
    None,
    0,
    None,
    unpaid=True,
    unpaid_reason=("No package or membership pays for this session: collect payment at the desk."),
)


def load_booking(session: Session, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound(f"No booking #{booking_id}.")
    return booking


def ledger_row(
    session: Session, kind: LedgerKind, booking: Booking, rnd: int
) -> LedgerEntry | None:
    return session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.kind == kind,
            LedgerEntry.booking_id == booking.id,
            LedgerEntry.completion_round == rnd,
        )
    )


def consumption_of(session: Session, row: LedgerEntry | None) -> Consumption:
    if row is None:
        return UNPAID
    sale = session.get(Sale, row.sale_id)
    assert sale is not None
    remaining = None
    if sale.kind is ProductKind.PACKAGE:
        remaining = ledger_balances(session, [sale.id])[sale.id]
    return Consumption(sale.id, sale.product_name, row.delta, remaining, unpaid=False)


def insert_once(session: Session, row: LedgerEntry) -> bool:
    """Add a consume/restore row; False when the unique index says it already exists."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # Another transaction wrote this (booking, round) row first: that one stands.
        return False
    return True


def consume_for(
    session: Session, *, booking: Booking, actor: Actor, reason: str, now: datetime
) -> tuple[Consumption, bool]:
    """Deduct the booking's current round from the entitlement the rule picks.

    Returns (what paid, whether it had already been consumed). Drop-ins, and bookings nothing
    can pay for any more, are marked `is_drop_in` and reported unpaid.
    """
    existing = ledger_row(session, LedgerKind.CONSUME, booking, booking.completion_round)
    if existing is not None:
        return consumption_of(session, existing), True
    cs = booking.class_session
    tz = get_policy(session).tz
    if booking.is_drop_in:
        return UNPAID, False
    try:
        chosen = holdings.choose_for_consumption(
            session,
            member_id=booking.member_id,
            service_id=cs.service_id,
            starts_at=cs.starts_at,
            tz=tz,
        )
    except NoEntitlement as exc:
        booking.is_drop_in = True
        audit.record(session, actor, "booking.unpaid", "booking", booking.id, now=now, why=str(exc))
        return UNPAID, False
    sale = session.get(Sale, chosen.terms.sale_id)
    assert sale is not None
    row = LedgerEntry(
        sale_id=sale.id,
        member_id=booking.member_id,
        kind=LedgerKind.CONSUME,
        delta=0 if sale.kind is ProductKind.MEMBERSHIP else -1,
        booking_id=booking.id,
        completion_round=booking.completion_round,
        reason=reason,
        created_by=actor.staff_user_id,
        created_at=now,
    )
    if not insert_once(session, row):
        again = ledger_row(session, LedgerKind.CONSUME, booking, booking.completion_round)
        return consumption_of(session, again), True
    pauses.activate_on_first_visit(
        session, sale=sale, on=local_date(cs.starts_at, tz), actor=actor, now=now
    )
    session.flush()
    return consumption_of(session, row), False


# Check-in and its undo in as few statements as the rules allow, compiled once (see `Prepared`):
# the booking with its session and the studio's timezone in one read, the consume or restore row
# inserted with ON CONFLICT DO NOTHING (the once-only indexes answer "already done" without a
# savepoint), the booking updated in place, and the balance known from the read that chose it.
_B, _CS, _L = Booking.__table__.c, ClassSession.__table__.c, LedgerEntry.__table__.c
_ALL = LedgerEntry.__table__.alias("all_rows")
_STATE = Prepared(
    select(
        _B.id,
        _B.member_id,
        _B.status,
        _B.completion_round,
        _B.is_drop_in,
        _CS.status,
        _CS.starts_at,
        _CS.service_id,
        StudioSettings.__table__.c.timezone,
    )
    .select_from(Booking.__table__.join(ClassSession.__table__))
    .join(StudioSettings.__table__, StudioSettings.__table__.c.id == 1)
    .where(_B.id == bindparam("booking_id"))
)
_CONSUMED = Prepared(
    select(
        _L.sale_id,
        _L.delta,
        Sale.__table__.c.kind,
        Sale.__table__.c.product_name,
        select(func.coalesce(func.sum(_ALL.c.delta), 0))
        .where(_ALL.c.sale_id == _L.sale_id)
        .scalar_subquery(),
    )
    .join_from(LedgerEntry.__table__, Sale.__table__)
    .where(
        _L.kind == LedgerKind.CONSUME,
        _L.booking_id == bindparam("booking_id"),
        _L.completion_round == bindparam("round"),
    )
)
_INSERT_ROW = prepared_insert(LedgerEntry.__table__, returning=_L.id, skip_conflicts=True)
_SET_STATUS = Prepared(
    update(cast(Table, Booking.__table__))
    .where(_B.id == bindparam("booking_id"))
    .values(
        status=bindparam("new_status", type_=_B.status.type),
        status_changed_at=bindparam("changed_at", type_=_B.status_changed_at.type),
        is_drop_in=bindparam("drop_in", type_=_B.is_drop_in.type),
        completion_round=bindparam("new_round", type_=_B.completion_round.type),
    )
)


@dataclass(frozen=True)
class BookingState:
    """What a check-in or its undo needs to know about the booking, read in one statement."""

    booking_id: int
    member_id: int
    status: BookingStatus
    completion_round: int
    is_drop_in: bool
    session_status: SessionStatus
    starts_at: datetime
    service_id: int
    timezone: str


def booking_state(session: Session, booking_id: int) -> BookingState:
    session.flush()  # the statements here skip the ORM: they must see the caller's changes
    row = _STATE.first(session, {"booking_id": booking_id})
    if row is None:
        load_booking(session, booking_id)  # NotFound, or a studio with no settings row yet
        get_policy(session)
        session.flush()
        row = _STATE.first(session, {"booking_id": booking_id})
        assert row is not None
    return BookingState(*row)


def insert_ledger_row(session: Session, values: dict[str, object]) -> int | None:
    """A consume or restore row; None (nothing written) when that round already has one."""
    row_id: int | None = _INSERT_ROW.scalar(session, values)
    return row_id


def set_booking(
    session: Session,
    state: BookingState,
    *,
    status: BookingStatus,
    now: datetime,
    drop_in: bool,
    completion_round: int,
) -> None:
    """Write the booking's new status (and the ORM's copy, if the caller holds one, is expired)."""
    _SET_STATUS.write(
        session,
        {
            "booking_id": state.booking_id, "new_status": status, "changed_at": now,
            "drop_in": drop_in, "new_round": completion_round,
        },
    )  # fmt: skip
    held = session.identity_map.get(session.identity_key(Booking, state.booking_id))
    if held is not None:
        session.expire(held)


def consumed_in(session: Session, booking_id: int, rnd: int) -> Consumption | None:
    """The consume row of a completion round as a consumption, with the balance as it stands."""
    row = _CONSUMED.first(session, {"booking_id": booking_id, "round": rnd})
    if row is None:
        return None
    sale_id, delta, kind, name, balance = row
    remaining = int(balance) if kind is ProductKind.PACKAGE else None
    return Consumption(sale_id, name, delta, remaining, unpaid=False)
