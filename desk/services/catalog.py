"""What the studio offers: services, rooms, and the packages and memberships it sells.

Changing the catalog is the owner's job. Products live in `desk.services.products` and are
importable from here too (`catalog.create_product`), as the screens know them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.enums import ServiceKind, StaffRole
from desk.domain.errors import InvalidInput
from desk.services import audit
from desk.services.actor import Actor
from desk.services.products import (
    ProductView,
    create_product,
    delete_product,
    get_product,
    list_products,
    set_product_active,
    update_product,
)
from desk.services.validation import (
    MAX_CAPACITY,
    MAX_DURATION_MINUTES,
    clean_colour,
    clean_name,
    load,
    switch_active,
    unique_name,
    whole_number,
)
from desk.store.models import Room, Service

__all__ = [
    "ProductView",
    "RoomView",
    "ServiceView",
    "create_product",
    "create_room",
    "create_service",
    "delete_product",
    "get_product",
    "get_service",
    "list_products",
    "list_rooms",
    "list_services",
    "rename_room",
    "set_product_active",
    "set_room_active",
    "set_service_active",
    "update_product",
    "update_service",
]


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
    unique_name(session, Service, fields["name"], None)
    row = Service(kind=kind, **fields)
    session.add(row)
    session.flush()
    audit.record(session, actor, "service.create", "service", row.id, kind=kind, **fields)
    return _service_view(row)


def update_service(
    session: Session, *, service_id: int, actor: Actor, **changes: Any
) -> ServiceView:
    """Change name, duration_minutes, default_capacity, colour or description.

    Sessions already on the calendar keep their times and capacity; new ones use the change.
    """
    actor.require(StaffRole.OWNER, doing="change the services")
    row = load(session, Service, service_id, "service")
    allowed = {"name", "duration_minutes", "default_capacity", "colour", "description"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))} on a service.")
    fields = _service_fields(row.kind, changes)
    if "name" in fields:
        unique_name(session, Service, fields["name"], row.id)
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
    row = load(session, Service, service_id, "service")
    switch_active(session, row, active=active, actor=actor, what="service")
    return _service_view(row)


def get_service(session: Session, *, service_id: int) -> ServiceView:
    return _service_view(load(session, Service, service_id, "service"))


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


def create_room(session: Session, *, name: str, actor: Actor) -> RoomView:
    actor.require(StaffRole.OWNER, doing="change the rooms")
    cleaned = clean_name(name, "room", 80)
    unique_name(session, Room, cleaned, None)
    row = Room(name=cleaned)
    session.add(row)
    session.flush()
    audit.record(session, actor, "room.create", "room", row.id, name=cleaned)
    return _room_view(row)


def rename_room(session: Session, *, room_id: int, name: str, actor: Actor) -> RoomView:
    actor.require(StaffRole.OWNER, doing="change the rooms")
    row = load(session, Room, room_id, "room")
    cleaned = clean_name(name, "room", 80)
    unique_name(session, Room, cleaned, row.id)
    row.name = cleaned
    audit.record(session, actor, "room.rename", "room", row.id, name=cleaned)
    session.flush()
    return _room_view(row)


def set_room_active(session: Session, *, room_id: int, active: bool, actor: Actor) -> RoomView:
    actor.require(StaffRole.OWNER, doing="change the rooms")
    row = load(session, Room, room_id, "room")
    switch_active(session, row, active=active, actor=actor, what="room")
    return _room_view(row)


def list_rooms(session: Session, *, include_inactive: bool = False) -> list[RoomView]:
    query = select(Room).order_by(Room.name)
    if not include_inactive:
        query = query.where(Room.active.is_(True))
    return [_room_view(r) for r in session.scalars(query)]
