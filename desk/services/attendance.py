"""Check-in, reverting it, no-shows (by hand or automatic), and writing off expired packages.

A session is deducted on completion, never on booking. The entitlement that pays is chosen by
the rule in `desk.domain.entitlements` from what the ledger holds at that moment; the ledger
rows and their once-only guarantee live in `desk.services.ledger`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.domain.enums import (
    BookingStatus,
    LedgerKind,
    NoShowReason,
    ProductKind,
    SessionStatus,
    StaffRole,
)
from desk.domain.errors import InvalidTransition, NoEntitlement
from desk.domain.timeutil import day_month_year, local_date, zone
from desk.services import audit, holdings, noshows, pauses, waitlist
from desk.services.actor import SYSTEM, Actor
from desk.services.ledger import (
    UNPAID,
    BookingState,
    Consumption,
    booking_state,
    consume_for,
    consumed_in,
    consumption_of,
    insert_ledger_row,
    insert_once,
    ledger_row,
    load_booking,
    set_booking,
)
from desk.services.noshows import NoShowStanding
from desk.services.sales import ledger_balances, terms_of
from desk.services.seat_reads import insert_audit
from desk.services.settings import get_policy
from desk.services.waitlist import WaitlistEvent
from desk.store.models import Booking, ClassSession, LedgerEntry, NoShowRecord, Sale
from desk.store.types import utcnow

#: Check-in opens this long before the start (people arrive early; nobody checks in next week).
CHECK_IN_OPENS = timedelta(hours=1)

__all__ = [
    "UNPAID",
    "AttendanceResult",
    "Consumption",
    "Expiry",
    "NoShowResult",
    "auto_noshow_due",
    "complete",
    "consume_for",
    "expire_due",
    "mark_noshow",
    "record_noshow",
    "revert_completion",
]
_STAFF = (StaffRole.OWNER, StaffRole.RECEPTION, StaffRole.TRAINER)


@dataclass(frozen=True)
class AttendanceResult:
    booking_id: int
    status: BookingStatus
    completion_round: int
    consumption: Consumption | None
    #: True when this exact action had already happened: nothing was written this time.
    already_done: bool

    @property
    def unpaid(self) -> bool:
        return self.consumption is not None and self.consumption.unpaid


@dataclass(frozen=True)
class NoShowResult:
    booking_id: int
    member_id: int
    status: BookingStatus
    consumption: Consumption | None
    standing: NoShowStanding
    waitlist: tuple[WaitlistEvent, ...]
    already_done: bool


def _set_status(booking: Booking, status: BookingStatus, now: datetime) -> None:
    booking.status = status
    booking.status_changed_at = now


def complete(
    session: Session, *, booking_id: int, actor: Actor, now: datetime | None = None
) -> AttendanceResult:
    """Check a member in: the booking is completed and one session is deducted.

    Completing a completed booking changes nothing and returns the same consumption.
    """
    actor.require(*_STAFF, doing="check members in")
    now = now or utcnow()
    state = booking_state(session, booking_id)
    rnd = state.completion_round
    if state.status is BookingStatus.COMPLETED:
        paid = consumed_in(session, booking_id, rnd)
        return AttendanceResult(booking_id, state.status, rnd, paid or UNPAID, already_done=True)
    if state.status is not BookingStatus.BOOKED:
        raise InvalidTransition(f"This booking is {state.status.value.replace('_', ' ')}.")
    if state.session_status is SessionStatus.CANCELLED:
        raise InvalidTransition("That class was cancelled.")
    if now < state.starts_at - CHECK_IN_OPENS:
        raise InvalidTransition("Check-in opens an hour before the start.")
    consumption, already = _consume(session, state, actor, now)
    set_booking(
        session, state, status=BookingStatus.COMPLETED, now=now,
        drop_in=state.is_drop_in or consumption.unpaid, completion_round=rnd,
    )  # fmt: skip
    insert_audit(
        session, actor, "booking.complete", "booking", booking_id, now=now, round=rnd,
        sale_id=consumption.sale_id, delta=consumption.delta, unpaid=consumption.unpaid,
    )  # fmt: skip
    return AttendanceResult(booking_id, BookingStatus.COMPLETED, rnd, consumption, already)


def _consume(
    session: Session, state: BookingState, actor: Actor, now: datetime
) -> tuple[Consumption, bool]:
    """`consume_for` for a check-in, without ORM objects: (what paid, already consumed)."""
    if state.is_drop_in:
        return UNPAID, False
    tz = zone(state.timezone)
    try:
        chosen = holdings.choose_for_consumption(
            session,
            member_id=state.member_id,
            service_id=state.service_id,
            starts_at=state.starts_at,
            tz=tz,
        )
    except NoEntitlement as exc:
        # Nothing pays: the booking becomes a drop-in (the caller writes it) and the desk
        # collects payment; why is on the record.
        insert_audit(session, actor, "booking.unpaid", "booking", state.booking_id, now=now,
                     why=str(exc))  # fmt: skip
        return UNPAID, False
    terms = chosen.terms
    delta = 0 if terms.is_membership else -1
    row_id = insert_ledger_row(
        session,
        {
            "sale_id": terms.sale_id, "member_id": state.member_id, "kind": LedgerKind.CONSUME,
            "delta": delta, "booking_id": state.booking_id,
            "completion_round": state.completion_round, "reason": "attended",
            "created_by": actor.staff_user_id, "created_at": now,
        },
    )  # fmt: skip
    if row_id is None:  # another desk consumed this round first: that row stands
        paid = consumed_in(session, state.booking_id, state.completion_round)
        return paid or UNPAID, True
    if terms.starts_on is None:
        sale = session.get(Sale, terms.sale_id)
        assert sale is not None
        on = local_date(state.starts_at, tz)
        pauses.activate_on_first_visit(session, sale=sale, on=on, actor=actor, now=now)
        session.flush()
    # The balance was read in this transaction (under the write lock): it moves by `delta`.
    left = chosen.remaining
    remaining = None if terms.is_membership or left is None else left + delta
    return Consumption(terms.sale_id, terms.name, delta, remaining, unpaid=False), False


def _given_back(session: Session, row: LedgerEntry | None) -> Consumption | None:
    """The restore as a consumption record (its delta is +1 or 0); None if nothing was paid."""
    return None if row is None else consumption_of(session, row)


def _attendance(
    booking: Booking, consumption: Consumption | None, *, already_done: bool
) -> AttendanceResult:
    return AttendanceResult(
        booking_id=booking.id,
        status=booking.status,
        completion_round=booking.completion_round,
        consumption=consumption,
        already_done=already_done,
    )


def revert_completion(
    session: Session,
    *,
    booking_id: int,
    actor: Actor,
    reason: str = "",
    now: datetime | None = None,
) -> AttendanceResult:
    """Undo a check-in: the session is given back once and the booking is live again.

    Reverting twice changes nothing the second time.
    """
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="undo a check-in")
    now = now or utcnow()
    state = booking_state(session, booking_id)
    rnd = state.completion_round
    if state.status is BookingStatus.BOOKED and rnd > 0:
        # Rounds only move on when a check-in is reverted: this one already was.
        return _already_reverted(session, booking_id, rnd - 1)
    if state.status is not BookingStatus.COMPLETED:
        raise InvalidTransition("This booking was not checked in, so there is nothing to undo.")
    consumed = consumed_in(session, booking_id, rnd)
    restored = None
    if consumed is not None:
        row_id = insert_ledger_row(
            session,
            {
                "sale_id": consumed.sale_id, "member_id": state.member_id,
                "kind": LedgerKind.RESTORE, "delta": -consumed.delta, "booking_id": booking_id,
                "completion_round": rnd,
                "reason": reason.strip()[:200] or "check-in reverted",
                "created_by": actor.staff_user_id, "created_at": now,
            },
        )  # fmt: skip
        if row_id is None:  # another desk restored this round first
            return _already_reverted(session, booking_id, rnd)
        left = None if consumed.remaining is None else consumed.remaining - consumed.delta
        restored = replace(consumed, delta=-consumed.delta, remaining=left)
    set_booking(
        session, state, status=BookingStatus.BOOKED, now=now, drop_in=state.is_drop_in,
        completion_round=rnd + 1,
    )  # fmt: skip
    insert_audit(
        session, actor, "booking.revert_completion", "booking", booking_id, now=now,
        restored_sale_id=consumed.sale_id if consumed else None, reason=reason,
    )  # fmt: skip
    return AttendanceResult(booking_id, BookingStatus.BOOKED, rnd + 1, restored, False)


def _already_reverted(session: Session, booking_id: int, rnd: int) -> AttendanceResult:
    """The answer to an undo that had already happened: what round `rnd`'s restore gave back."""
    booking = load_booking(session, booking_id)
    restored = ledger_row(session, LedgerKind.RESTORE, booking, rnd)
    return _attendance(booking, _given_back(session, restored), already_done=True)


def record_noshow(
    session: Session,
    *,
    booking: Booking,
    reason: NoShowReason,
    actor: Actor,
    now: datetime,
) -> bool:
    """Put the no-show on the member's record; False if this booking already has one."""
    row = NoShowRecord(
        member_id=booking.member_id,
        booking_id=booking.id,
        service_kind=booking.class_session.service.kind,
        reason=reason,
        occurred_at=now,
        created_by=actor.staff_user_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def mark_noshow(
    session: Session, *, booking_id: int, actor: Actor, now: datetime | None = None
) -> NoShowResult:
    """The member did not come: the seat frees, the no-show goes on record, and the session is
    deducted when the studio's policy for that kind says so (PT by default, group not).
    """
    actor.require(*_STAFF, doing="mark no-shows")
    now = now or utcnow()
    booking = load_booking(session, booking_id)
    cs = booking.class_session
    kind = cs.service.kind
    if booking.status is BookingStatus.NO_SHOW:
        row = ledger_row(session, LedgerKind.CONSUME, booking, booking.completion_round)
        return _noshow_result(session, booking, _given_back(session, row), (), True, now)
    if booking.status is not BookingStatus.BOOKED:
        raise InvalidTransition(f"This booking is {booking.status.value.replace('_', ' ')}.")
    if cs.status is SessionStatus.CANCELLED:
        raise InvalidTransition("That class was cancelled.")
    if now < cs.starts_at:
        raise InvalidTransition("A no-show can only be marked once the session has started.")
    record_noshow(session, booking=booking, reason=NoShowReason.NO_SHOW, actor=actor, now=now)
    consumption = None
    if get_policy(session).for_kind(kind).noshow_deducts:
        consumption, _ = consume_for(
            session, booking=booking, actor=actor, reason="no-show", now=now
        )
    _set_status(booking, BookingStatus.NO_SHOW, now)
    audit.record(
        session,
        actor,
        "booking.no_show",
        "booking",
        booking.id,
        now=now,
        deducted_sale_id=consumption.sale_id if consumption else None,
    )
    session.flush()
    events = waitlist.seat_freed(session, class_session_id=cs.id, now=now)
    return _noshow_result(session, booking, consumption, tuple(events), False, now)


def _noshow_result(
    session: Session,
    booking: Booking,
    consumption: Consumption | None,
    events: tuple[WaitlistEvent, ...],
    already_done: bool,
    now: datetime,
) -> NoShowResult:
    kind = booking.class_session.service.kind
    return NoShowResult(
        booking_id=booking.id,
        member_id=booking.member_id,
        status=booking.status,
        consumption=consumption,
        standing=noshows.standing(session, member_id=booking.member_id, kind=kind, now=now),
        waitlist=events,
        already_done=already_done,
    )


def auto_noshow_due(session: Session, *, now: datetime | None = None) -> list[NoShowResult]:
    """Mark bookings nobody checked in, N hours after their session ended (if the studio wants)."""
    now = now or utcnow()
    hours = get_policy(session).auto_noshow_after_hours
    if hours is None:
        return []
    due = session.scalars(
        select(Booking.id)
        .join(ClassSession, ClassSession.id == Booking.class_session_id)
        .where(
            Booking.status == BookingStatus.BOOKED,
            ClassSession.status == SessionStatus.SCHEDULED,
            ClassSession.ends_at <= now - timedelta(hours=hours),
        )
        .order_by(ClassSession.starts_at, Booking.id)
    ).all()
    return [mark_noshow(session, booking_id=bid, actor=SYSTEM, now=now) for bid in due]


@dataclass(frozen=True)
class Expiry:
    sale_id: int
    member_id: int
    name: str
    expired_on: date
    #: Sessions that were still on the package and are now written off.
    sessions: int


def expire_due(session: Session, *, now: datetime | None = None) -> list[Expiry]:
    """Write an `expire` row for each package past its expiry with sessions left (once per sale).

    The status is computed without this (a package past its date shows as expired anyway); the
    rows are for reports of sessions that were sold but never used.
    """
    now = now or utcnow()
    today = local_date(now, get_policy(session).tz)
    already = select(LedgerEntry.sale_id).where(LedgerEntry.kind == LedgerKind.EXPIRE)
    candidates = session.scalars(
        select(Sale)
        .where(
            Sale.kind == ProductKind.PACKAGE,
            Sale.voided_at.is_(None),
            Sale.expires_on.is_not(None),
            Sale.expires_on < today,
            Sale.id.not_in(already),
        )
        .order_by(Sale.id)
    ).all()
    balances = ledger_balances(session, (s.id for s in candidates))
    done = []
    for sale in candidates:
        expiry = terms_of(sale).effective_expiry()
        left = balances[sale.id]
        if expiry is None or expiry >= today or left <= 0:
            continue
        row = LedgerEntry(
            sale_id=sale.id,
            member_id=sale.member_id,
            kind=LedgerKind.EXPIRE,
            delta=-left,
            reason=f"expired on {day_month_year(expiry)}",
            created_at=now,
        )
        if insert_once(session, row):
            audit.record(session, SYSTEM, "sale.expire", "sale", sale.id, now=now, sessions=left)
            done.append(Expiry(sale.id, sale.member_id, sale.product_name, expiry, left))
    session.flush()
    return done
