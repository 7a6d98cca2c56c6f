"""How what the owner types into the catalog is checked: names, whole numbers, colours, unique
names; and loading a catalog row by id with a readable refusal."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.errors import Duplicate, InvalidInput, NotFound
from desk.services import audit
from desk.services.actor import Actor
from desk.store.models import Product, Room, Service, Trainer

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
#: Longest bookable thing: a 5-hour workshop. Beyond that a typo is likelier than a class.
MAX_DURATION_MINUTES = 300
#: A class bigger than this is a typing mistake, not a studio.
MAX_CAPACITY = 500

RowT = TypeVar("RowT", Service, Room, Product, Trainer)


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


def unique_name(
    session: Session, model: type[Service | Room | Product], name: str, me: int | None
) -> None:
    """Refuse a name another row already has, whatever its case ("reformer" vs "Reformer")."""
    query = select(model.id).where(func.lower(model.name) == name.lower())
    if me is not None:
        query = query.where(model.id != me)
    if session.scalar(query) is not None:
        raise Duplicate(f"There is already one called {name}.")


def load(session: Session, model: type[RowT], row_id: int, what: str) -> RowT:
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"Unknown {what} #{row_id}.")
    return row


def switch_active(
    session: Session, row: Service | Room | Product, *, active: bool, actor: Actor, what: str
) -> None:
    """Stop (or resume) offering a catalog row; everything that used it is kept."""
    row.active = active
    audit.record(session, actor, f"{what}.active", what, row.id, active=active)
    session.flush()
