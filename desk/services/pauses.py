"""Freezing a package or membership for a while, and starting one on the member's first visit.

A pause moves the expiry out by its length (`EntitlementTerms.window_for` adds the paused days)
and the entitlement cannot pay for a session inside it, so such bookings are refused with the
reason "paused". Pauses never overlap and never touch a voided, expired or used-up sale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.enums import BookingStatus, ProductKind, SessionStatus, StaffRole
from desk.domain.errors import InvalidInput, InvalidTransition, NotFound
from desk.domain.timeutil import day_month, day_month_year, local_date
from desk.services import audit
from desk.services.actor import Actor
from desk.services.sales import ledger_balances, terms_of
from desk.services.settings import get_policy
from desk.store.models import Booking, ClassSession, Sale, SalePause, sale_services
from desk.store.types import utcnow

#: A freeze longer than a year is a typing mistake.
MAX_PAUSE_DAYS = 366


@dataclass(frozen=True)
class PauseResult:
    pause_id: int
    sale_id: int
    starts_on: date
    ends_on: date
    days: int
    #: The expiry after every pause so far; None for open-ended.
    expires_on: date | None
    #: Bookings inside the pause this entitlement can no longer pay for (staff should look).
    affected_booking_ids: tuple[int, ...]


def _sale(session: Session, sale_id: int) -> Sale:
    sale = session.get(Sale, sale_id)
    if sale is None:
        raise NotFound(f"No sale #{sale_id}.")
    return sale


def _refuse_unpausable(session: Session, sale: Sale, today: date) -> None:
    if sale.voided_at is not None:
        raise InvalidTransition(f"{sale.product_name} was voided; it cannot be paused.")
    if sale.starts_on is None:
        raise InvalidTransition(
            f"{sale.product_name} starts on the first visit; there is nothing to pause yet."
        )
    expiry = terms_of(sale).effective_expiry()
    if expiry is not None and expiry < today:
        raise InvalidTransition(f"{sale.product_name} expired on {day_month_year(expiry)}.")
    if sale.kind is ProductKind.PACKAGE and ledger_balances(session, [sale.id])[sale.id] <= 0:
        raise InvalidTransition(f"{sale.product_name} is used up; there is nothing to pause.")


def _check_range(sale: Sale, starts_on: date, ends_on: date, today: date) -> None:
    if ends_on < starts_on:
        raise InvalidInput("A pause must end on or after the day it starts.")
    if (ends_on - starts_on).days + 1 > MAX_PAUSE_DAYS:
        raise InvalidInput(f"A pause can last at most {MAX_PAUSE_DAYS} days.")
    if starts_on < today:
        raise InvalidInput("A pause cannot start in the past.")
    expiry = terms_of(sale).effective_expiry()
    if expiry is not None and starts_on > expiry:
        raise InvalidInput(
            f"{sale.product_name} expires on {day_month_year(expiry)}, before the pause."
        )
    for pause in sale.pauses:
        if pause.starts_on <= ends_on and starts_on <= pause.ends_on:
            first, last = pause.starts_on, pause.ends_on
            raise InvalidInput(f"It is already paused {day_month(first)} – {day_month_year(last)}.")


def _bookings_inside(session: Session, sale: Sale, starts_on: date, ends_on: date) -> list[int]:
    tz = get_policy(session).tz
    rows = session.execute(
        select(Booking.id, ClassSession.starts_at)
        .join(ClassSession, ClassSession.id == Booking.class_session_id)
        .join(sale_services, sale_services.c.service_id == ClassSession.service_id)
        .where(
            sale_services.c.sale_id == sale.id,
            Booking.member_id == sale.member_id,
            Booking.status == BookingStatus.BOOKED,
            Booking.is_drop_in.is_(False),
            ClassSession.status == SessionStatus.SCHEDULED,
        )
        .order_by(ClassSession.starts_at)
    ).all()
    return [bid for bid, at in rows if starts_on <= local_date(at, tz) <= ends_on]


def pause_sale(
    session: Session,
    *,
    sale_id: int,
    starts_on: date,
    ends_on: date,
    actor: Actor,
    reason: str = "",
    now: datetime | None = None,
) -> PauseResult:
    """Freeze an entitlement for [starts_on, ends_on] (studio days, both included)."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="pause a package or membership")
    now = now or utcnow()
    today = local_date(now, get_policy(session).tz)
    sale = _sale(session, sale_id)
    _refuse_unpausable(session, sale, today)
    _check_range(sale, starts_on, ends_on, today)
    affected = _bookings_inside(session, sale, starts_on, ends_on)
    pause = SalePause(
        sale=sale,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip()[:200],
        created_by=actor.staff_user_id,
        created_at=now,
    )
    session.add(pause)
    session.flush()
    session.refresh(sale, ["pauses"])
    expiry = terms_of(sale).effective_expiry()
    audit.record(
        session,
        actor,
        "sale.pause",
        "sale",
        sale.id,
        now=now,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=pause.reason,
        expires_on=expiry,
    )
    return PauseResult(
        pause_id=pause.id,
        sale_id=sale.id,
        starts_on=starts_on,
        ends_on=ends_on,
        days=(ends_on - starts_on).days + 1,
        expires_on=expiry,
        affected_booking_ids=tuple(affected),
    )


def remove_pause(
    session: Session, *, pause_id: int, actor: Actor, now: datetime | None = None
) -> None:
    """Take back a pause that has not started yet (entered by mistake, plans changed)."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="remove a pause")
    now = now or utcnow()
    pause = session.get(SalePause, pause_id)
    if pause is None:
        raise NotFound(f"No pause #{pause_id}.")
    if pause.starts_on <= local_date(now, get_policy(session).tz):
        raise InvalidTransition("That pause has already started; it stays on record.")
    sale = pause.sale
    session.delete(pause)
    audit.record(session, actor, "sale.unpause", "sale", sale.id, now=now, pause_id=pause_id)
    session.flush()
    session.expire(sale, ["pauses"])


def activate_on_first_visit(
    session: Session, *, sale: Sale, on: date, actor: Actor, now: datetime | None = None
) -> bool:
    """Start a not-yet-started sale on the day of its first visit; True if it started now."""
    if sale.starts_on is not None:
        return False
    sale.starts_on = on
    if sale.valid_days is not None:
        sale.expires_on = on + timedelta(days=sale.valid_days - 1)
    audit.record(
        session,
        actor,
        "sale.activate",
        "sale",
        sale.id,
        now=now,
        starts_on=on,
        expires_on=sale.expires_on,
    )
    return True
