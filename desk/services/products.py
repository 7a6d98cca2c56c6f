"""The packages and memberships the studio sells.

Changing them is the owner's job. Editing, deactivating or deleting a product never changes a
sale: a sale copied its terms when it was made (see `desk.services.sales.sell`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.enums import ProductKind, StaffRole
from desk.domain.errors import InvalidInput, NotFound
from desk.domain.money import Money
from desk.services import audit
from desk.services.actor import Actor
from desk.services.settings import get_policy
from desk.services.validation import clean_name, load, switch_active, unique_name, whole_number
from desk.store.models import Product, Service


@dataclass(frozen=True)
class ProductView:
    id: int
    name: str
    kind: ProductKind
    sessions: int | None
    valid_days: int | None
    weekly_cap: int | None
    price_minor: int
    currency: str
    service_ids: tuple[int, ...]
    service_names: tuple[str, ...]
    activation_on_first_visit: bool
    active: bool

    @property
    def price(self) -> Money:
        return Money(self.price_minor, self.currency)


_PRODUCT_FIELDS = (
    "name",
    "kind",
    "sessions",
    "valid_days",
    "weekly_cap",
    "price_minor",
    "currency",
    "service_ids",
    "activation_on_first_visit",
)


def _product_view(row: Product) -> ProductView:
    scope = sorted(row.services, key=lambda s: s.name)
    return ProductView(
        id=row.id,
        name=row.name,
        kind=row.kind,
        sessions=row.sessions,
        valid_days=row.valid_days,
        weekly_cap=row.weekly_cap,
        price_minor=row.price_minor,
        currency=row.currency,
        service_ids=tuple(s.id for s in scope),
        service_names=tuple(s.name for s in scope),
        activation_on_first_visit=row.activation_on_first_visit,
        active=row.active,
    )


def _scope(session: Session, service_ids: Iterable[int], keep: set[int]) -> list[Service]:
    """The services a product covers; one no longer offered may only stay, not be added."""
    ids = list(dict.fromkeys(service_ids))
    if not ids:
        raise InvalidInput("Choose at least one service the product can be used for.")
    rows = {s.id: s for s in session.scalars(select(Service).where(Service.id.in_(ids)))}
    for service_id in ids:
        if service_id not in rows:
            raise NotFound(f"Unknown service #{service_id}.")
        if not rows[service_id].active and service_id not in keep:
            raise InvalidInput(f"{rows[service_id].name} is no longer offered.")
    return [rows[i] for i in ids]


def _product_terms(terms: dict[str, Any]) -> dict[str, Any]:
    """Check a product's terms as a whole (package vs membership rules)."""
    kind = terms["kind"]
    if kind not in set(ProductKind):
        raise InvalidInput(f"A product is a package or a membership, not {kind!r}.")
    kind = ProductKind(kind)
    cleaned = dict(terms, kind=kind, name=clean_name(terms["name"], "product", 120))
    if isinstance(terms["price_minor"], bool) or not isinstance(terms["price_minor"], int):
        raise InvalidInput("The price must be a whole number of minor units (kuruş, cents).")
    if terms["price_minor"] < 0:
        raise InvalidInput("A price cannot be negative.")
    code = str(terms["currency"]).upper()
    Money(0, code)  # refuses a malformed currency code
    cleaned["currency"] = code
    if terms["valid_days"] is not None:
        whole_number(terms["valid_days"], "Validity (days)", most=3660)
    if kind is ProductKind.PACKAGE:
        if terms["sessions"] is None:
            raise InvalidInput("A package needs a number of sessions.")
        whole_number(terms["sessions"], "Sessions", most=1000)
        if terms["weekly_cap"] is not None:
            raise InvalidInput("A weekly limit applies to memberships, not packages.")
    else:
        if terms["sessions"] is not None:
            raise InvalidInput("A membership has no session count; use a package for that.")
        if terms["valid_days"] is None:
            raise InvalidInput("A membership needs a length in days (e.g. 30).")
        if terms["weekly_cap"] is not None:
            whole_number(terms["weekly_cap"], "Weekly limit", most=50)
    cleaned["activation_on_first_visit"] = bool(terms["activation_on_first_visit"])
    return cleaned


def _apply_product(session: Session, row: Product, terms: dict[str, Any]) -> None:
    services = _scope(session, terms["service_ids"], {s.id for s in row.services})
    unique_name(session, Product, terms["name"], row.id if row.id else None)
    for key in _PRODUCT_FIELDS:
        if key != "service_ids":
            setattr(row, key, terms[key])
    row.services = services


def create_product(
    session: Session,
    *,
    name: str,
    kind: ProductKind,
    service_ids: Iterable[int],
    price_minor: int,
    actor: Actor,
    sessions: int | None = None,
    valid_days: int | None = None,
    weekly_cap: int | None = None,
    currency: str | None = None,
    activation_on_first_visit: bool = False,
) -> ProductView:
    """A package ("10 Reformer, 90 days") or membership ("unlimited yoga, 30 days")."""
    actor.require(StaffRole.OWNER, doing="change products and prices")
    terms = _product_terms(
        {
            "name": name,
            "kind": kind,
            "sessions": sessions,
            "valid_days": valid_days,
            "weekly_cap": weekly_cap,
            "price_minor": price_minor,
            "currency": currency or get_policy(session).currency,
            "service_ids": list(service_ids),
            "activation_on_first_visit": activation_on_first_visit,
        }
    )
    row = Product()
    _apply_product(session, row, terms)
    session.add(row)
    session.flush()
    audit.record(session, actor, "product.create", "product", row.id, **terms)
    return _product_view(row)


def update_product(
    session: Session, *, product_id: int, actor: Actor, **changes: Any
) -> ProductView:
    """Change any term of a product for future sales. Sales already made keep their terms."""
    actor.require(StaffRole.OWNER, doing="change products and prices")
    row = load(session, Product, product_id, "product")
    unknown = set(changes) - set(_PRODUCT_FIELDS)
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))} on a product.")
    current = {key: getattr(row, key) for key in _PRODUCT_FIELDS if key != "service_ids"}
    current["service_ids"] = [s.id for s in row.services]
    terms = _product_terms({**current, **changes})
    _apply_product(session, row, terms)
    audit.record(session, actor, "product.update", "product", row.id, **changes)
    session.flush()
    return _product_view(row)


def set_product_active(
    session: Session, *, product_id: int, active: bool, actor: Actor
) -> ProductView:
    """Take a product off sale (or back on). Sales already made are untouched."""
    actor.require(StaffRole.OWNER, doing="change products and prices")
    row = load(session, Product, product_id, "product")
    switch_active(session, row, active=active, actor=actor, what="product")
    return _product_view(row)


def delete_product(session: Session, *, product_id: int, actor: Actor) -> None:
    """Remove a product for good. Its sales keep every term (their product link becomes empty)."""
    actor.require(StaffRole.OWNER, doing="change products and prices")
    row = load(session, Product, product_id, "product")
    audit.record(session, actor, "product.delete", "product", row.id, name=row.name)
    session.delete(row)
    session.flush()


def get_product(session: Session, *, product_id: int) -> ProductView:
    return _product_view(load(session, Product, product_id, "product"))


def list_products(
    session: Session, *, include_inactive: bool = False, service_id: int | None = None
) -> list[ProductView]:
    """Products on sale, optionally only those covering one service."""
    query = select(Product).order_by(Product.kind, Product.name)
    if not include_inactive:
        query = query.where(Product.active.is_(True))
    if service_id is not None:
        query = query.where(Product.services.any(Service.id == service_id))
    return [_product_view(r) for r in session.scalars(query)]
