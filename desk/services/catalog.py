"""What the studio offers: services, rooms, and the packages and memberships it sells.

Changing the catalog is the owner's job. Editing, deactivating or deleting a product never
changes a sale: a sale copied its terms when it was made (see `desk.services.sales.sell`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.enums import ProductKind, ServiceKind, StaffRole
from desk.domain.errors import Duplicate, InvalidInput, NotFound
from desk.domain.money import Money
from desk.services import audit
from desk.services.actor import Actor
from desk.services.settings import get_policy
from desk.store.models import Product, Room, Service

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
#: Longest bookable thing: a 5-hour workshop. Beyond that a typo is likelier than a class.
MAX_DURATION_MINUTES = 300
MAX_CAPACITY = 500


@dataclass(frozen=True)
class ServiceView:
    id: int
    name: str
    kind: ServiceKind
    duration_minutes: int
    default_capacity: int
    colour: str
    description: str
    active: bool


@dataclass(frozen=True)
class RoomView:
    id: int
    name: str
    active: bool


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


# --- validation -----------------------------------------------------------------------------


def clean_name(value: str, what: str, longest: int) -> str:
    cleaned = " ".join(str(value).split())
    if not cleaned:
        raise InvalidInput(f"Enter the {what}'s name.")
    if len(cleaned) > longest:
        raise InvalidInput(f"That {what} name is too long ({longest} characters at most).")
    return cleaned


def whole_number(value: Any, what: str, *, least: int = 1, most: int | None = None) -> int:
    """`value` as an int within bounds, or a readable refusal ("Capacity must be at least 1.")."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what} must be a whole number.")
    if value < least:
        raise InvalidInput(f"{what} must be at least {least}.")
    if most is not None and value > most:
        raise InvalidInput(f"{what} can be at most {most}.")
    return value


def clean_colour(value: str) -> str:
    if not _COLOUR.match(value):
        raise InvalidInput(f"{value!r} is not a colour like #4F7CAC.")
    return value.upper()


def _unique(
    session: Session, model: type[Service | Room | Product], name: str, me: int | None
) -> None:
    query = select(model.id).where(func.lower(model.name) == name.lower())
    if me is not None:
        query = query.where(model.id != me)
    if session.scalar(query) is not None:
        raise Duplicate(f"There is already one called {name}.")


# --- services -------------------------------------------------------------------------------


def _service_view(row: Service) -> ServiceView:
    return ServiceView(
        id=row.id,
        name=row.name,
        kind=row.kind,
        duration_minutes=row.duration_minutes,
        default_capacity=row.default_capacity,
        colour=row.colour,
        description=row.description,
        active=row.active,
    )


def _service_fields(kind: ServiceKind, fields: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "name" in fields:
        cleaned["name"] = clean_name(fields["name"], "service", 80)
    if "duration_minutes" in fields:
        cleaned["duration_minutes"] = whole_number(
            fields["duration_minutes"], "Duration", most=MAX_DURATION_MINUTES
        )
    if fields.get("default_capacity") is not None:
        capacity = whole_number(fields["default_capacity"], "Capacity", most=MAX_CAPACITY)
        if kind is ServiceKind.PRIVATE and capacity != 1:
            raise InvalidInput("A private service is one member at a time (capacity 1).")
        cleaned["default_capacity"] = capacity
    if "colour" in fields:
        cleaned["colour"] = clean_colour(fields["colour"])
    if "description" in fields:
        cleaned["description"] = str(fields["description"]).strip()[:400]
    return cleaned


def create_service(
    session: Session,
    *,
    name: str,
    kind: ServiceKind,
    duration_minutes: int,
    actor: Actor,
    default_capacity: int | None = None,
    colour: str = "#4F7CAC",
    description: str = "",
) -> ServiceView:
    """A group class type (capacity per class) or a private service (always capacity 1)."""
    actor.require(StaffRole.OWNER, doing="change the services")
    try:
        kind = ServiceKind(kind)
    except ValueError as exc:
        raise InvalidInput(f"A service is 'group' or 'private', not {kind!r}.") from exc
    if default_capacity is None and kind is ServiceKind.GROUP:
        raise InvalidInput("Give the class's capacity.")
    fields = _service_fields(
        kind,
        {
            "name": name,
            "duration_minutes": duration_minutes,
            "default_capacity": 1 if default_capacity is None else default_capacity,
            "colour": colour,
            "description": description,
        },
    )
    _unique(session, Service, fields["name"], None)
    row = Service(kind=kind, **fields)
    session.add(row)
    session.flush()
    audit.record(session, actor, "service.create", "service", row.id, kind=kind, **fields)
    return _service_view(row)


def _service(session: Session, service_id: int) -> Service:
    row = session.get(Service, service_id)
    if row is None:
        raise NotFound(f"Unknown service #{service_id}.")
    return row


def update_service(
    session: Session, *, service_id: int, actor: Actor, **changes: Any
) -> ServiceView:
    """Change name, duration_minutes, default_capacity, colour or description.

    Sessions already on the calendar keep their times and capacity; new ones use the change.
    """
    actor.require(StaffRole.OWNER, doing="change the services")
    row = _service(session, service_id)
    allowed = {"name", "duration_minutes", "default_capacity", "colour", "description"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))} on a service.")
    fields = _service_fields(row.kind, changes)
    if "name" in fields:
        _unique(session, Service, fields["name"], row.id)
    for key, value in fields.items():
        setattr(row, key, value)
    audit.record(session, actor, "service.update", "service", row.id, **fields)
    session.flush()
    return _service_view(row)


def set_service_active(
    session: Session, *, service_id: int, active: bool, actor: Actor
) -> ServiceView:
    """Stop (or resume) offering a service; history and sold packages are kept."""
    actor.require(StaffRole.OWNER, doing="change the services")
    row = _service(session, service_id)
    row.active = active
    audit.record(session, actor, "service.active", "service", row.id, active=active)
    session.flush()
    return _service_view(row)


def get_service(session: Session, *, service_id: int) -> ServiceView:
    return _service_view(_service(session, service_id))


def list_services(
    session: Session, *, include_inactive: bool = False, kind: ServiceKind | None = None
) -> list[ServiceView]:
    query = select(Service).order_by(Service.name)
    if not include_inactive:
        query = query.where(Service.active.is_(True))
    if kind is not None:
        query = query.where(Service.kind == kind)
    return [_service_view(r) for r in session.scalars(query)]


# --- rooms ----------------------------------------------------------------------------------


def _room_view(row: Room) -> RoomView:
    return RoomView(id=row.id, name=row.name, active=row.active)


def _room(session: Session, room_id: int) -> Room:
    row = session.get(Room, room_id)
    if row is None:
        raise NotFound(f"Unknown room #{room_id}.")
    return row


def create_room(session: Session, *, name: str, actor: Actor) -> RoomView:
    actor.require(StaffRole.OWNER, doing="change the rooms")
    cleaned = clean_name(name, "room", 80)
    _unique(session, Room, cleaned, None)
    row = Room(name=cleaned)
    session.add(row)
    session.flush()
    audit.record(session, actor, "room.create", "room", row.id, name=cleaned)
    return _room_view(row)


def rename_room(session: Session, *, room_id: int, name: str, actor: Actor) -> RoomView:
    actor.require(StaffRole.OWNER, doing="change the rooms")
    row = _room(session, room_id)
    cleaned = clean_name(name, "room", 80)
    _unique(session, Room, cleaned, row.id)
    row.name = cleaned
    audit.record(session, actor, "room.rename", "room", row.id, name=cleaned)
    session.flush()
    return _room_view(row)


def set_room_active(session: Session, *, room_id: int, active: bool, actor: Actor) -> RoomView:
    actor.require(StaffRole.OWNER, doing="change the rooms")
    row = _room(session, room_id)
    row.active = active
    audit.record(session, actor, "room.active", "room", row.id, active=active)
    session.flush()
    return _room_view(row)


def list_rooms(session: Session, *, include_inactive: bool = False) -> list[RoomView]:
    query = select(Room).order_by(Room.name)
    if not include_inactive:
        query = query.where(Room.active.is_(True))
    return [_room_view(r) for r in session.scalars(query)]


# --- products -------------------------------------------------------------------------------

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
    _unique(session, Product, terms["name"], row.id if row.id else None)
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


def _product(session: Session, product_id: int) -> Product:
    row = session.get(Product, product_id)
    if row is None:
        raise NotFound(f"Unknown product #{product_id}.")
    return row


def update_product(
    session: Session, *, product_id: int, actor: Actor, **changes: Any
) -> ProductView:
    """Change any term of a product for future sales. Sales already made keep their terms."""
    actor.require(StaffRole.OWNER, doing="change products and prices")
    row = _product(session, product_id)
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
    row = _product(session, product_id)
    row.active = active
    audit.record(session, actor, "product.active", "product", row.id, active=active)
    session.flush()
    return _product_view(row)


def delete_product(session: Session, *, product_id: int, actor: Actor) -> None:
    """Remove a product for good. Its sales keep every term (their product link becomes empty)."""
    actor.require(StaffRole.OWNER, doing="change products and prices")
    row = _product(session, product_id)
    audit.record(session, actor, "product.delete", "product", row.id, name=row.name)
    session.delete(row)
    session.flush()


def get_product(session: Session, *, product_id: int) -> ProductView:
    return _product_view(_product(session, product_id))


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
