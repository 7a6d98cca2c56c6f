"""A member's packages and memberships as `Holding`s, read from the ledger, plus what is owed.

The booking check and the completion both ask "which entitlement pays?" through here, so they
read the same numbers: remaining sessions from the ledger sum, membership visits per studio week
from consume rows that were not restored, and the member's other upcoming bookings as draws.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from desk.domain.entitlements import Draw, EntitlementTerms, Holding, allocate, choose
from desk.domain.enums import BookingStatus, LedgerKind, ProductKind, SessionStatus
from desk.domain.errors import NoEntitlement
from desk.domain.timeutil import day_bounds, local_date, week_start
from desk.services.sales import ledger_balances, member_sales, terms_of
from desk.store.models import Booking, ClassSession, LedgerEntry, Sale, SalePause, sale_services
from desk.store.prepared import Prepared

#: Before any session: "since the beginning" for the statements that take a start.
EARLIEST = datetime.min.replace(tzinfo=UTC)
_BOOKING, _SESSION = Booking.__table__.c, ClassSession.__table__.c


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


def _week_visits_query() -> Select[Any]:
    consume, booking, cs = LedgerEntry.__table__.c, Booking.__table__.c, ClassSession.__table__.c
    restore = LedgerEntry.__table__.alias("restore")
    return (
        select(consume.sale_id, cs.starts_at)
        .select_from(
            LedgerEntry.__table__.join(Booking.__table__, booking.id == consume.booking_id)
            .join(ClassSession.__table__, cs.id == booking.class_session_id)
            .outerjoin(
                restore,
                and_(
                    restore.c.kind == LedgerKind.RESTORE,
                    restore.c.booking_id == consume.booking_id,
                    restore.c.completion_round == consume.completion_round,
                ),
            )
        )
        .where(
            consume.member_id == bindparam("member_id"),
            consume.kind == LedgerKind.CONSUME,
            consume.sale_id.in_(bindparam("sale_ids", expanding=True)),
            restore.c.id.is_(None),
            cs.starts_at >= bindparam("since"),
        )
    )


_WEEK_VISITS = _week_visits_query()


def _week_visits(
    session: Session,
    member_id: int,
    sale_ids: Collection[int],
    tz: ZoneInfo,
    *,
    from_day: date | None = None,
) -> dict[int, Counter[date]]:
    """Membership visits per sale and studio week: consumptions not reverted (only in the
    weeks from `from_day`'s on, when given)."""
    visits: dict[int, Counter[date]] = defaultdict(Counter)
    if not sale_ids:
        return visits
    since = EARLIEST if from_day is None else day_bounds(week_start(from_day), tz)[0]
    params = {"member_id": member_id, "sale_ids": list(sale_ids), "since": since}
    for sale_id, starts_at in session.execute(_WEEK_VISITS, params):
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


_PENDING = (
    select(_SESSION.service_id, _SESSION.starts_at)
    .select_from(Booking.__table__.join(ClassSession.__table__))
    .where(
        _BOOKING.member_id == bindparam("member_id"),
        _BOOKING.status == BookingStatus.BOOKED,
        _BOOKING.is_drop_in.is_(False),
        _SESSION.status == SessionStatus.SCHEDULED,
        _SESSION.starts_at >= bindparam("since"),
    )
    .order_by(_SESSION.starts_at, _BOOKING.id)
)


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
    query = _PENDING
    if exclude_booking_ids:
        query = query.where(_BOOKING.id.not_in(list(exclude_booking_ids)))
    params = {"member_id": member_id, "since": since or EARLIEST}
    return [draw_for(sid, starts_at, tz) for sid, starts_at in session.execute(query, params)]


def _payable_query() -> Select[Any]:
    sale, ledger, pause = Sale.__table__.c, LedgerEntry.__table__.c, SalePause.__table__.c
    balance = select(func.coalesce(func.sum(ledger.delta), 0)).where(ledger.sale_id == sale.id)
    paused = exists().where(pause.sale_id == sale.id)
    return (
        select(
            sale.id,
            sale.product_name,
            sale.kind,
            sale.sessions,
            sale.weekly_cap,
            sale.valid_days,
            sale.sold_at,
            sale.starts_on,
            sale.expires_on,
            sale.activation_on_first_visit,
            sale_services.c.service_id,
            balance.scalar_subquery().label("balance"),
            paused.label("paused"),
        )
        .select_from(Sale.__table__.join(sale_services))
        .where(
            sale.member_id == bindparam("member_id"),
            sale.voided_at.is_(None),
            # Not yet started, open-ended, not expired before `from_day`, or moved by a pause.
            or_(
                sale.starts_on.is_(None),
                sale.expires_on.is_(None),
                sale.expires_on >= bindparam("from_day"),
                paused,
            ),
        )
        .order_by(sale.sold_at, sale.id)
    )


#: Compiled once, run on the DBAPI cursor: every booking and check-in reads it.
_PAYABLE = Prepared(_payable_query())
_PAUSES = (
    select(
        SalePause.__table__.c.sale_id,
        SalePause.__table__.c.starts_on,
        SalePause.__table__.c.ends_on,
    )
    .where(SalePause.__table__.c.sale_id.in_(bindparam("sale_ids", expanding=True)))
    .order_by(SalePause.__table__.c.starts_on)
)


def payable_holdings(
    session: Session, *, member_id: int, tz: ZoneInfo, from_day: date
) -> list[Holding]:
    """The holdings that can still pay for a session on `from_day` or later, in one read.

    Voided sales, sales expired before `from_day` (with no pause moving their expiry) and used-up
    packages can pay for nothing from then on, so leaving them out changes no choice; only the
    explanation of a refusal needs them (`member_holdings` reads everything).
    """
    sales: dict[int, tuple[Any, ...]] = {}
    scope: dict[int, set[int]] = defaultdict(set)
    for row in _PAYABLE.rows(session, {"member_id": member_id, "from_day": from_day}):
        scope[row[0]].add(row[10])
        sales.setdefault(row[0], row)
    paused = [sale_id for sale_id, row in sales.items() if row[12]]
    pauses: dict[int, list[tuple[date, date]]] = defaultdict(list)
    if paused:
        for sale_id, starts_on, ends_on in session.execute(_PAUSES, {"sale_ids": paused}):
            pauses[sale_id].append((starts_on, ends_on))
    capped = [i for i, row in sales.items() if row[2] is ProductKind.MEMBERSHIP and row[4]]
    visits = _week_visits(session, member_id, capped, tz, from_day=from_day)
    return [
        Holding(
            terms=_terms(row, frozenset(scope[sale_id]), tuple(pauses[sale_id])),
            remaining=int(row[11]),
            week_visits=Counter(visits.get(sale_id, Counter())),
        )
        for sale_id, row in sales.items()
        if row[2] is ProductKind.MEMBERSHIP or row[11] > 0
    ]


def _terms(
    row: tuple[Any, ...], scope: frozenset[int], pauses: tuple[tuple[date, date], ...]
) -> EntitlementTerms:
    """A sale's terms from a `_PAYABLE` row."""
    return EntitlementTerms(
        sale_id=row[0], name=row[1], kind=row[2], sessions=row[3], weekly_cap=row[4],
        valid_days=row[5], scope=scope, sold_at=row[6], starts_on=row[7], expires_on=row[8],
        activation_on_first_visit=row[9], pauses=pauses,
    )  # fmt: skip


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
    pending: Sequence[Draw] | None = None,
) -> Holding:
    """The entitlement a new booking would use, after the member's upcoming bookings took
    theirs. Raises `NoEntitlement` with the reason in plain words.

    `pending` (with `now`): those upcoming bookings as draws, when the caller already read them
    (from the start of the studio day of `now`, in time order, `exclude_booking_ids` left out).
    """
    draw = draw_for(service_id, starts_at, tz)
    if now is not None:
        today = local_date(now, tz)
        if pending is None:
            pending = pending_draws(
                session,
                member_id,
                tz,
                exclude_booking_ids=exclude_booking_ids,
                since=day_bounds(today, tz)[0],
            )
        payable = payable_holdings(
            session, member_id=member_id, tz=tz, from_day=min(today, draw.on)
        )
        try:
            return choose(allocate(payable, pending), draw)
        except NoEntitlement:
            pass  # every sale the member ever bought explains why, in the usual words
    held = member_holdings(
        session, member_id=member_id, tz=tz, exclude_booking_ids=exclude_booking_ids, now=now
    )
    return choose(held.after_pending(), draw)


def choose_for_consumption(
    session: Session, *, member_id: int, service_id: int, starts_at: datetime, tz: ZoneInfo
) -> Holding:
    """The entitlement that pays now: only what the ledger says, no reservations for later."""
    draw = draw_for(service_id, starts_at, tz)
    try:
        return choose(payable_holdings(session, member_id=member_id, tz=tz, from_day=draw.on), draw)
    except NoEntitlement:
        pass  # as in choose_for_booking: the full history gives the reason
    sales = member_sales(session, member_id)
    return choose(holdings_of(sales, session, tz), draw)
