"""Selling packages and memberships with frozen terms, and reading balances from the ledger."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from desk.domain.entitlements import EntitlementTerms, status_of
from desk.domain.enums import (
    EntitlementStatus,
    LedgerKind,
    ProductKind,
    SaleChannel,
    StaffRole,
)
from desk.domain.errors import InvalidInput, NotFound
from desk.domain.timeutil import local_date
from desk.services import audit
from desk.services.actor import Actor
from desk.services.settings import get_policy
from desk.store.models import LedgerEntry, Member, Product, Sale, StaffUser
from desk.store.types import utcnow


@dataclass(frozen=True)
class EntitlementView:
    sale_id: int
    member_id: int
    name: str
    kind: ProductKind
    sessions: int | None
    remaining: int | None
    weekly_cap: int | None
    starts_on: date | None
    expires_on: date | None
    scope: tuple[str, ...]
    status: EntitlementStatus
    paused_until: date | None
    price_minor: int
    currency: str
    sold_at: datetime
    seller: str
    channel: SaleChannel

    @property
    def used(self) -> int | None:
        if self.sessions is None or self.remaining is None:
            return None
        return self.sessions - self.remaining


def terms_of(sale: Sale) -> EntitlementTerms:
    return EntitlementTerms(
        sale_id=sale.id,
        name=sale.product_name,
        kind=sale.kind,
        sessions=sale.sessions,
        weekly_cap=sale.weekly_cap,
        valid_days=sale.valid_days,
        scope=frozenset(s.id for s in sale.services),
        sold_at=sale.sold_at,
        starts_on=sale.starts_on,
        expires_on=sale.expires_on,
        activation_on_first_visit=sale.activation_on_first_visit,
        pauses=tuple((p.starts_on, p.ends_on) for p in sale.pauses),
        voided=sale.voided_at is not None,
    )


def ledger_balances(session: Session, sale_ids: Iterable[int]) -> dict[int, int]:
    """Remaining sessions per sale: the plain sum of its ledger deltas."""
    ids = list(sale_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(LedgerEntry.sale_id, func.coalesce(func.sum(LedgerEntry.delta), 0))
        .where(LedgerEntry.sale_id.in_(ids))
        .group_by(LedgerEntry.sale_id)
    ).all()
    balances = {sale_id: 0 for sale_id in ids}
    balances.update({sale_id: int(total) for sale_id, total in rows})
    return balances


def member_sales(session: Session, member_id: int, *, include_voided: bool = False) -> list[Sale]:
    query = (
        select(Sale)
        .where(Sale.member_id == member_id)
        .options(selectinload(Sale.services), selectinload(Sale.pauses))
        .order_by(Sale.sold_at, Sale.id)
    )
    if not include_voided:
        query = query.where(Sale.voided_at.is_(None))
    return list(session.scalars(query))


def _view(sale: Sale, remaining: int, today: date, seller: str) -> EntitlementView:
    terms = terms_of(sale)
    shown_remaining = None if sale.kind is ProductKind.MEMBERSHIP else remaining
    pause = terms.paused_on(today)
    return EntitlementView(
        sale_id=sale.id,
        member_id=sale.member_id,
        name=sale.product_name,
        kind=sale.kind,
        sessions=sale.sessions,
        remaining=shown_remaining,
        weekly_cap=sale.weekly_cap,
        starts_on=sale.starts_on,
        expires_on=terms.effective_expiry(),
        scope=tuple(sorted(s.name for s in sale.services)),
        status=status_of(terms, shown_remaining, today),
        paused_until=pause[1] if pause else None,
        price_minor=sale.price_minor,
        currency=sale.currency,
        sold_at=sale.sold_at,
        seller=seller,
        channel=sale.channel,
    )


def entitlements(
    session: Session, *, member_id: int, now: datetime | None = None, include_voided: bool = False
) -> list[EntitlementView]:
    """Every package and membership of a member with its balance and computed status."""
    today = local_date(now or utcnow(), get_policy(session).tz)
    sales = member_sales(session, member_id, include_voided=include_voided)
    balances = ledger_balances(session, (s.id for s in sales))
    seller_ids = {s.seller_id for s in sales if s.seller_id is not None}
    rows = session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(seller_ids)))
    sellers = {staff_id: name for staff_id, name in rows}
    return [_view(s, balances[s.id], today, sellers.get(s.seller_id or -1, "")) for s in sales]


def entitlement(session: Session, *, sale_id: int, now: datetime | None = None) -> EntitlementView:
    sale = session.get(Sale, sale_id)
    if sale is None:
        raise NotFound(f"No sale #{sale_id}.")
    for view in entitlements(session, member_id=sale.member_id, now=now, include_voided=True):
        if view.sale_id == sale_id:
            return view
    raise NotFound(f"No sale #{sale_id}.")


def sell(
    session: Session,
    *,
    member_id: int,
    product_id: int,
    actor: Actor,
    price_minor: int | None = None,
    channel: SaleChannel = SaleChannel.DESK,
    starts_on: date | None = None,
    now: datetime | None = None,
) -> EntitlementView:
    """Sell a product: copy its terms into a sale and write the `sale` ledger row."""
    now = now or utcnow()
    member = session.get(Member, member_id)
    if member is None or member.archived:
        raise NotFound("That member does not exist (or was archived).")
    product = session.get(Product, product_id)
    if product is None or not product.active:
        raise NotFound("That product is not on sale.")
    if not product.services:
        raise InvalidInput(f"{product.name} covers no services; fix the product first.")
    price = product.price_minor if price_minor is None else price_minor
    if price < 0:
        raise InvalidInput("A price cannot be negative.")
    if price != product.price_minor:
        actor.require(StaffRole.OWNER, doing="change a sale's price")
    policy = get_policy(session)
    if starts_on is None and not product.activation_on_first_visit:
        starts_on = local_date(now, policy.tz)
    expires_on = None
    if starts_on is not None and product.valid_days is not None:
        expires_on = starts_on + timedelta(days=product.valid_days - 1)
    sale = Sale(
        member_id=member.id,
        product_id=product.id,
        product_name=product.name,
        kind=product.kind,
        sessions=product.sessions if product.kind is ProductKind.PACKAGE else None,
        valid_days=product.valid_days,
        weekly_cap=product.weekly_cap if product.kind is ProductKind.MEMBERSHIP else None,
        price_minor=price,
        currency=product.currency,
        seller_id=actor.staff_user_id,
        channel=channel,
        sold_at=now,
        activation_on_first_visit=product.activation_on_first_visit,
        starts_on=starts_on,
        expires_on=expires_on,
    )
    sale.services = list(product.services)
    session.add(sale)
    session.flush()
    session.add(
        LedgerEntry(
            sale_id=sale.id,
            member_id=member.id,
            kind=LedgerKind.SALE,
            delta=sale.sessions or 0,
            created_by=actor.staff_user_id,
            created_at=now,
            reason=f"sold {product.name}",
        )
    )
    audit.record(
        session,
        actor,
        "sale.create",
        "sale",
        sale.id,
        now=now,
        member_id=member.id,
        product=product.name,
        price_minor=price,
        currency=product.currency,
        channel=channel.value,
    )
    session.flush()
    return entitlement(session, sale_id=sale.id, now=now)


def adjust(
    session: Session,
    *,
    sale_id: int,
    delta: int,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> EntitlementView:
    """Staff correction of a package balance, with a reason; never below zero."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="adjust a balance")
    now = now or utcnow()
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the balance is being adjusted.")
    if delta == 0:
        raise InvalidInput("An adjustment must add or remove at least one session.")
    sale = session.get(Sale, sale_id)
    if sale is None or sale.voided_at is not None:
        raise NotFound(f"No active sale #{sale_id}.")
    if sale.kind is ProductKind.MEMBERSHIP:
        raise InvalidInput("Memberships have no session balance to adjust.")
    remaining = ledger_balances(session, [sale.id])[sale.id]
    if remaining + delta < 0:
        raise InvalidInput(f"Only {remaining} session(s) left; cannot remove {-delta}.")
    session.add(
        LedgerEntry(
            sale_id=sale.id,
            member_id=sale.member_id,
            kind=LedgerKind.ADJUST,
            delta=delta,
            reason=reason,
            created_by=actor.staff_user_id,
            created_at=now,
        )
    )
    audit.record(
        session, actor, "sale.adjust", "sale", sale.id, now=now, delta=delta, reason=reason
    )
    session.flush()
    return entitlement(session, sale_id=sale.id, now=now)
