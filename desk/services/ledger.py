"""The ledger rows a booking writes: consume (with the rule's choice), restore, expire.

A booking's completion round is consumed at most once and restored at most once. The code
checks first; the partial unique indexes on `ledger_entries` refuse a second row when two desks
(or a retried message) get past the check together, and that collision means "already done".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.domain.enums import LedgerKind, ProductKind
from desk.domain.errors import NoEntitlement, NotFound
from desk.domain.timeutil import local_date
from desk.services import audit, holdings, pauses
from desk.services.actor import Actor
from desk.services.sales import ledger_balances
from desk.services.settings import get_policy
from desk.store.models import Booking, LedgerEntry, Sale


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
