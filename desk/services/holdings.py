"""A member's packages and memberships as `Holding`s, read from the ledger, plus what is owed.

The booking check and the completion both ask "which entitlement pays?" through here, so they
read the same numbers: remaining sessions from the ledger sum, membership visits per studio week
from consume rows that were not restored, and the member's other upcoming bookings as draws.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from desk.domain.entitlements import Draw, Holding, allocate, choose
from desk.domain.enums import BookingStatus, LedgerKind, ProductKind, SessionStatus
from desk.domain.timeutil import day_bounds, local_date, week_start
from desk.services.sales import ledger_balances, member_sales, terms_of
from desk.store.models import Booking, ClassSession, LedgerEntry, Sale


@dataclass(frozen=True)
class MemberHoldings:
    member_id: int
    holdings: tuple[Holding, ...]
    #: The member's other live, not-yet-completed bookings that will want paying, in time order.
    pending: tuple[Draw, ...]

    def after_pending(self) -> list[Holding]:
        """What is left once the pending bookings have taken their share."""
        return allocate(self.holdings, self.pending)


def draw_for(service_id: int, starts_at: datetime, tz: ZoneInfo) -> Draw:
    return Draw(service_id=service_id, on=local_date(starts_at, tz))


def _week_visits(
    session: Session, member_id: int, sale_ids: Collection[int], tz: ZoneInfo
) -> dict[int, Counter[date]]:
    """Membership visits per sale and studio week: consumptions not reverted."""
    visits: dict[int, Counter[date]] = defaultdict(Counter)
    if not sale_ids:
        return visits
    restore = aliased(LedgerEntry)
    rows = session.execute(
        select(LedgerEntry.sale_id, ClassSession.starts_at)
        .join(Booking, Booking.id == LedgerEntry.booking_id)
        .join(ClassSession, ClassSession.id == Booking.class_session_id)
        .outerjoin(
            restore,
            and_(
                restore.kind == LedgerKind.RESTORE,
                restore.booking_id == LedgerEntry.booking_id,
                restore.completion_round == LedgerEntry.completion_round,
            ),
        )
        .where(
            LedgerEntry.member_id == member_id,
            LedgerEntry.kind == LedgerKind.CONSUME,
            LedgerEntry.sale_id.in_(list(sale_ids)),
            restore.id.is_(None),
        )
    ).all()
    for sale_id, starts_at in rows:
        visits[sale_id][week_start(local_date(starts_at, tz))] += 1
    return visits


def holdings_of(sales: list[Sale], session: Session, tz: ZoneInfo) -> list[Holding]:
    if not sales:
        return []
    balances = ledger_balances(session, (s.id for s in sales))
    capped = [s.id for s in sales if s.kind is ProductKind.MEMBERSHIP and s.weekly_cap]
    visits = _week_visits(session, sales[0].member_id, capped, tz)
    return [
        Holding(
            terms=terms_of(s),
            remaining=balances[s.id],
            week_visits=Counter(visits.get(s.id, Counter())),
        )
        for s in sales
    ]


def pending_draws(
    session: Session,
    member_id: int,
    tz: ZoneInfo,
    *,
    exclude_booking_ids: Collection[int] = (),
    since: datetime | None = None,
) -> list[Draw]:
    """Live bookings not yet completed and not drop-ins: each will draw on an entitlement.

    `since` leaves out bookings of sessions that started before it: a class from last month
    that nobody checked in must not block the member's next booking forever.
    """
    query = (
        select(ClassSession.service_id, ClassSession.starts_at)
        .join(Booking, Booking.class_session_id == ClassSession.id)
        .where(
            Booking.member_id == member_id,
            Booking.status == BookingStatus.BOOKED,
            Booking.is_drop_in.is_(False),
            ClassSession.status == SessionStatus.SCHEDULED,
        )
        .order_by(ClassSession.starts_at, Booking.id)
    )
    if exclude_booking_ids:
        query = query.where(Booking.id.not_in(list(exclude_booking_ids)))
    if since is not None:
        query = query.where(ClassSession.starts_at >= since)
    return [draw_for(service_id, starts_at, tz) for service_id, starts_at in session.execute(query)]


def member_holdings(
    session: Session,
    *,
    member_id: int,
    tz: ZoneInfo,
    exclude_booking_ids: Collection[int] = (),
    now: datetime | None = None,
) -> MemberHoldings:
    """Holdings from the ledger, and the member's upcoming bookings: those from the start of
    the studio day of `now` on (today's classes not checked in yet still count)."""
    sales = member_sales(session, member_id)
    since = day_bounds(local_date(now, tz), tz)[0] if now is not None else None
    return MemberHoldings(
        member_id=member_id,
        holdings=tuple(holdings_of(sales, session, tz)),
        pending=tuple(
            pending_draws(
                session, member_id, tz, exclude_booking_ids=exclude_booking_ids, since=since
            )
        ),
    )


def choose_for_booking(
    session: Session,
    *,
    member_id: int,
    service_id: int,
    starts_at: datetime,
    tz: ZoneInfo,
    exclude_booking_ids: Collection[int] = (),
    now: datetime | None = None,
) -> Holding:
    """The entitlement a new booking would use, after the member's upcoming bookings took
    theirs. Raises `NoEntitlement` with the reason in plain words.
    """
    held = member_holdings(
        session, member_id=member_id, tz=tz, exclude_booking_ids=exclude_booking_ids, now=now
    )
    return choose(held.after_pending(), draw_for(service_id, starts_at, tz))


def choose_for_consumption(
    session: Session, *, member_id: int, service_id: int, starts_at: datetime, tz: ZoneInfo
) -> Holding:
    """The entitlement that pays now: only what the ledger says, no reservations for later."""
    sales = member_sales(session, member_id)
    return choose(holdings_of(sales, session, tz), draw_for(service_id, starts_at, tz))
