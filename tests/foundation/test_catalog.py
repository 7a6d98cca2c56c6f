"""Catalog: services, rooms and products; bad input refused with nothing written; sales frozen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from desk.domain.entitlements import status_of
from desk.domain.enums import EntitlementStatus, ProductKind, ServiceKind
from desk.domain.errors import DomainError, Duplicate, InvalidInput, NotAllowed, NotFound
from desk.services import catalog, members, sales
from desk.services.actor import Actor
from desk.store.db import Database
from desk.store.models import AuditEntry, Sale

Unchanged = Callable[[], Callable[[], None]]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_services(db: Database, owner: Actor) -> tuple[int, int]:
    with db.write() as s:
        reformer = catalog.create_service(
            s,
            name="Reformer Pilates",
            kind=ServiceKind.GROUP,
            duration_minutes=50,
            default_capacity=8,
            actor=owner,
        )
        pt = catalog.create_service(
            s, name="PT 1:1", kind=ServiceKind.PRIVATE, duration_minutes=60, actor=owner
        )
    return reformer.id, pt.id


def test_create_and_list_services_and_rooms(db: Database, owner: Actor) -> None:
    _, pt_id = make_services(db, owner)
    with db.write() as s:
        catalog.create_room(s, name="Studio A", actor=owner)
        room = catalog.create_room(s, name="Reformer Room", actor=owner)
        catalog.set_room_active(s, room_id=room.id, active=False, actor=owner)
        catalog.set_service_active(s, service_id=pt_id, active=False, actor=owner)
    with db.read() as s:
        assert [v.name for v in catalog.list_services(s)] == ["Reformer Pilates"]
        services = catalog.list_services(s, include_inactive=True)
        assert [(v.name, v.default_capacity) for v in services] == [
            ("PT 1:1", 1),
            ("Reformer Pilates", 8),
        ]
        assert [r.name for r in catalog.list_rooms(s)] == ["Studio A"]
        assert len(catalog.list_rooms(s, include_inactive=True)) == 2
        actions = set(s.scalars(select(AuditEntry.action)))
    assert {"service.create", "service.active", "room.create", "room.active"} <= actions


BAD_SERVICES: list[tuple[dict[str, object], type[DomainError], str]] = [
    ({"default_capacity": 0}, InvalidInput, "at least 1"),
    ({"default_capacity": -3}, InvalidInput, "at least 1"),
    ({"duration_minutes": 0}, InvalidInput, "at least 1"),
    ({"duration_minutes": -10}, InvalidInput, "at least 1"),
    ({"duration_minutes": 50.5}, InvalidInput, "whole number"),
    ({"default_capacity": None}, InvalidInput, "capacity"),
    ({"name": "  "}, InvalidInput, "name"),
    ({"name": "reformer pilates"}, Duplicate, "already"),
    ({"colour": "blue"}, InvalidInput, "colour"),
    ({"kind": "zumba"}, InvalidInput, "group"),
    ({"kind": ServiceKind.PRIVATE, "default_capacity": 2}, InvalidInput, "capacity 1"),
]


@pytest.mark.parametrize(("override", "error", "message"), BAD_SERVICES)
def test_bad_service_input_writes_nothing(
    db: Database,
    owner: Actor,
    unchanged: Unchanged,
    override: dict[str, object],
    error: type[DomainError],
    message: str,
) -> None:
    make_services(db, owner)
    fields: dict[str, object] = {
        "name": "Spinning",
        "kind": ServiceKind.GROUP,
        "duration_minutes": 45,
        "default_capacity": 14,
    }
    fields.update(override)
    check = unchanged()
    with pytest.raises(error, match=message), db.write() as s:
        catalog.create_service(s, actor=owner, **fields)  # type: ignore[arg-type]
    check()


def test_only_the_owner_changes_the_catalog(
    db: Database, owner: Actor, reception: Actor, unchanged: Unchanged
) -> None:
    reformer_id, _ = make_services(db, owner)
    check = unchanged()
    with pytest.raises(NotAllowed), db.write() as s:
        catalog.create_room(s, name="Studio B", actor=reception)
    with pytest.raises(NotAllowed), db.write() as s:
        catalog.update_service(s, service_id=reformer_id, actor=reception, default_capacity=9)
    check()


def test_update_service(db: Database, owner: Actor, unchanged: Unchanged) -> None:
    reformer_id, pt_id = make_services(db, owner)
    with db.write() as s:
        view = catalog.update_service(
            s, service_id=reformer_id, actor=owner, default_capacity=10, colour="#aabbcc"
        )
    assert (view.default_capacity, view.colour) == (10, "#AABBCC")
    check = unchanged()
    with pytest.raises(InvalidInput, match="capacity 1"), db.write() as s:
        catalog.update_service(s, service_id=pt_id, actor=owner, default_capacity=3)
    with pytest.raises(InvalidInput, match="Cannot change kind"), db.write() as s:
        catalog.update_service(s, service_id=pt_id, actor=owner, kind=ServiceKind.GROUP)
    with pytest.raises(Duplicate), db.write() as s:
        catalog.update_service(s, service_id=pt_id, actor=owner, name="REFORMER PILATES")
    with pytest.raises(NotFound, match="Unknown service"), db.write() as s:
        catalog.update_service(s, service_id=999, actor=owner, name="X")
    check()
    with db.read() as s:
        assert catalog.get_service(s, service_id=reformer_id).default_capacity == 10


def make_package(db: Database, owner: Actor, service_ids: list[int]) -> int:
    with db.write() as s:
        return catalog.create_product(
            s,
            name="10 Reformer",
            kind=ProductKind.PACKAGE,
            sessions=10,
            valid_days=90,
            service_ids=service_ids,
            price_minor=450_000,
            actor=owner,
        ).id


def test_products_package_and_membership(db: Database, owner: Actor) -> None:
    reformer_id, pt_id = make_services(db, owner)
    package_id = make_package(db, owner, [reformer_id])
    with db.write() as s:
        membership = catalog.create_product(
            s,
            name="Unlimited monthly",
            kind=ProductKind.MEMBERSHIP,
            valid_days=30,
            weekly_cap=3,
            service_ids=[reformer_id, pt_id, reformer_id],
            price_minor=300_000,
            currency="eur",
            actor=owner,
        )
    assert membership.service_names == ("PT 1:1", "Reformer Pilates")
    assert membership.currency == "EUR" and membership.sessions is None
    with db.read() as s:
        package = catalog.get_product(s, product_id=package_id)
        assert package.currency == "TRY"  # the studio's currency by default
        assert str(package.price) == "4,500.00 TRY"
        assert [p.id for p in catalog.list_products(s, service_id=pt_id)] == [membership.id]
        assert len(catalog.list_products(s)) == 2


BAD_PRODUCTS: list[tuple[dict[str, object], type[DomainError], str]] = [
    ({"price_minor": -1}, InvalidInput, "negative"),
    ({"price_minor": 10.5}, InvalidInput, "whole number"),
    ({"sessions": 0}, InvalidInput, "at least 1"),
    ({"sessions": None}, InvalidInput, "number of sessions"),
    ({"valid_days": 0}, InvalidInput, "at least 1"),
    ({"weekly_cap": 2}, InvalidInput, "memberships"),
    ({"service_ids": []}, InvalidInput, "at least one service"),
    ({"service_ids": [4242]}, NotFound, "Unknown service #4242"),
    ({"name": "10 reformer"}, Duplicate, "already"),
    ({"name": ""}, InvalidInput, "name"),
    ({"currency": "LIRA"}, InvalidInput, "3-letter"),
    ({"kind": "voucher"}, InvalidInput, "package or a membership"),
    ({"kind": ProductKind.MEMBERSHIP}, InvalidInput, "no session count"),
    ({"kind": ProductKind.MEMBERSHIP, "sessions": None, "valid_days": None}, InvalidInput, "days"),
]


@pytest.mark.parametrize(("override", "error", "message"), BAD_PRODUCTS)
def test_bad_product_input_writes_nothing(
    db: Database,
    owner: Actor,
    unchanged: Unchanged,
    override: dict[str, object],
    error: type[DomainError],
    message: str,
) -> None:
    reformer_id, _ = make_services(db, owner)
    make_package(db, owner, [reformer_id])
    fields: dict[str, object] = {
        "name": "5 Reformer",
        "kind": ProductKind.PACKAGE,
        "sessions": 5,
        "valid_days": 60,
        "service_ids": [reformer_id],
        "price_minor": 250_000,
    }
    fields.update(override)
    check = unchanged()
    with pytest.raises(error, match=message), db.write() as s:
        catalog.create_product(s, actor=owner, **fields)  # type: ignore[arg-type]
    check()


def test_inactive_service_cannot_join_a_product_but_may_stay(
    db: Database, owner: Actor, unchanged: Unchanged
) -> None:
    reformer_id, pt_id = make_services(db, owner)
    package_id = make_package(db, owner, [reformer_id])
    with db.write() as s:
        catalog.set_service_active(s, service_id=pt_id, active=False, actor=owner)
        catalog.set_service_active(s, service_id=reformer_id, active=False, actor=owner)
        # the retired Reformer stays in scope while the price changes
        view = catalog.update_product(s, product_id=package_id, actor=owner, price_minor=1)
    assert view.service_ids == (reformer_id,)
    check = unchanged()
    with pytest.raises(InvalidInput, match="no longer offered"), db.write() as s:
        catalog.update_product(
            s, product_id=package_id, actor=owner, service_ids=[reformer_id, pt_id]
        )
    check()


def sell_package(db: Database, owner: Actor, product_id: int) -> int:
    with db.write() as s:
        member = members.add_member(s, full_name="Ayşe Yılmaz", phone="05321234567", actor=owner)
        sales.sell(s, member_id=member.id, product_id=product_id, actor=owner, now=NOW)
        return s.scalars(select(Sale.id)).one()


def frozen_terms(db: Database, sale_id: int) -> tuple[object, ...]:
    with db.read() as s:
        sale = s.get(Sale, sale_id)
        assert sale is not None
        # Balance and status straight from the ledger and the frozen terms.
        remaining = sales.ledger_balances(s, [sale_id])[sale_id]
        status = status_of(sales.terms_of(sale), remaining, NOW.date())
        return (
            sale.product_name,
            sale.sessions,
            sale.valid_days,
            sale.price_minor,
            sale.currency,
            sale.expires_on,
            tuple(sorted(x.id for x in sale.services)),
            remaining,
            status,
        )


def test_editing_a_product_never_changes_a_sale(db: Database, owner: Actor) -> None:
    reformer_id, pt_id = make_services(db, owner)
    package_id = make_package(db, owner, [reformer_id])
    sale_id = sell_package(db, owner, package_id)
    before = frozen_terms(db, sale_id)
    assert before[-2:] == (10, EntitlementStatus.ACTIVE)
    with db.write() as s:
        catalog.update_product(
            s,
            product_id=package_id,
            actor=owner,
            name="8 Reformer",
            price_minor=999_900,
            sessions=8,
            valid_days=30,
            service_ids=[pt_id],
        )
        catalog.set_product_active(s, product_id=package_id, active=False, actor=owner)
    assert frozen_terms(db, sale_id) == before


def test_deleting_a_product_keeps_its_sales(db: Database, owner: Actor) -> None:
    reformer_id, _ = make_services(db, owner)
    package_id = make_package(db, owner, [reformer_id])
    sale_id = sell_package(db, owner, package_id)
    before = frozen_terms(db, sale_id)
    with db.write() as s:
        catalog.delete_product(s, product_id=package_id, actor=owner)
    assert frozen_terms(db, sale_id) == before
    with db.read() as s:
        sale = s.get(Sale, sale_id)
        assert sale is not None and sale.product_id is None
        assert catalog.list_products(s, include_inactive=True) == []
