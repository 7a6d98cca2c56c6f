"""Row factories for tests: the rows a scenario needs, with sensible defaults.

Use them inside a write transaction and keep the returned ORM objects only for their ids and
plain attributes (sessions are made with `expire_on_commit=False`, so that works after commit):

    with db.write() as s:
        desk = factories.staff_actor(s)
        ayse = factories.member(s, name="Ayşe")
        reformer = factories.service(s, name="Reformer", capacity=8)
        at = factories.local(2025, 3, 3, 18)
        monday = factories.class_session(s, service=reformer, starts_at=at)
        pack = factories.product(s, sessions=10, services=[reformer])
        factories.sell(s, member=ayse, product=pack, actor=desk, now=...)

Names are made unique with a counter, so a test can create as many rows as it likes. Times are
aware UTC instants; `local()` turns a studio wall-clock time (default Europe/Istanbul, the
settings' default zone) into one.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from desk.domain.enums import (
    LedgerKind,
    ProductKind,
    SaleChannel,
    ServiceKind,
    SessionKind,
    StaffRole,
    WaitlistMode,
)
from desk.services import sales
from desk.services.actor import Actor
from desk.services.sales import EntitlementView
from desk.store.models import (
    ClassSession,
    LedgerEntry,
    Member,
    Product,
    Room,
    Sale,
    Service,
    StaffUser,
    Trainer,
    TrainerAvailability,
)

STUDIO_TZ = ZoneInfo("Europe/Istanbul")
_serial = itertools.count(1)


def _next(prefix: str) -> str:
    return f"{prefix} {next(_serial)}"


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: ZoneInfo = STUDIO_TZ
) -> datetime:
    """A studio wall-clock time as an aware UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


def staff(session: Session, *, role: StaffRole = StaffRole.RECEPTION, name: str = "") -> StaffUser:
    user = StaffUser(name=name or _next("Staff"), role=role, pin_hash="not-a-real-hash")
    session.add(user)
    session.flush()
    return user


def staff_actor(
    session: Session, *, role: StaffRole = StaffRole.RECEPTION, name: str = ""
) -> Actor:
    """A staff user row and the `Actor` that acts as them."""
    user = staff(session, role=role, name=name)
    return Actor.staff(user.id, role, user.name)


def member(
    session: Session,
    *,
    name: str = "",
    phone: str | None = None,
    whatsapp_id: str | None = None,
) -> Member:
    row = Member(full_name=name or _next("Member"), phone=phone, whatsapp_id=whatsapp_id)
    row.search_name = row.full_name.lower()
    session.add(row)
    session.flush()
    return row


def service(
    session: Session,
    *,
    name: str = "",
    kind: ServiceKind = ServiceKind.GROUP,
    duration_minutes: int = 60,
    capacity: int | None = None,
) -> Service:
    if capacity is None:
        capacity = 1 if kind is ServiceKind.PRIVATE else 8
    row = Service(
        name=name or _next("Service"),
        kind=kind,
        duration_minutes=duration_minutes,
        default_capacity=capacity,
    )
    session.add(row)
    session.flush()
    return row


def room(session: Session, *, name: str = "") -> Room:
    row = Room(name=name or _next("Room"))
    session.add(row)
    session.flush()
    return row


def trainer(
    session: Session,
    *,
    name: str = "",
    hours: Iterable[tuple[int, time, time]] | None = None,
) -> Trainer:
    """A trainer; `hours` are (weekday, start, end) local windows, default every day 06-22."""
    row = Trainer(name=name or _next("Trainer"))
    session.add(row)
    session.flush()
    windows = hours if hours is not None else [(d, time(6), time(22)) for d in range(7)]
    for weekday, start, end in windows:
        session.add(
            TrainerAvailability(trainer_id=row.id, weekday=weekday, start_time=start, end_time=end)
        )
    session.flush()
    return row


# The keyword arguments below shadow these names.
_new_service, _new_trainer, _new_room = service, trainer, room


def class_session(
    session: Session,
    *,
    starts_at: datetime,
    service: Service | None = None,
    trainer: Trainer | None = None,
    room: Room | None = None,
    capacity: int | None = None,
    duration_minutes: int | None = None,
    waitlist_mode: WaitlistMode | None = None,
) -> ClassSession:
    """A dated group class; missing service/trainer/room rows are created."""
    service = service or _new_service(session)
    trainer = trainer or _new_trainer(session)
    room = room or _new_room(session)
    minutes = duration_minutes or service.duration_minutes
    row = ClassSession(
        kind=SessionKind.CLASS,
        service_id=service.id,
        trainer_id=trainer.id,
        room_id=room.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        capacity=capacity or service.default_capacity,
        waitlist_mode=waitlist_mode,
    )
    session.add(row)
    session.flush()
    return row


def product(
    session: Session,
    *,
    services: Sequence[Service],
    kind: ProductKind = ProductKind.PACKAGE,
    sessions: int | None = 10,
    valid_days: int | None = 90,
    weekly_cap: int | None = None,
    price_minor: int = 100_000,
    currency: str = "TRY",
    activation_on_first_visit: bool = False,
    name: str = "",
) -> Product:
    """A package (default: 10 sessions, 90 days) or a membership (`sessions` is then ignored)."""
    row = Product(
        name=name or _next("Product"),
        kind=kind,
        sessions=sessions if kind is ProductKind.PACKAGE else None,
        valid_days=valid_days,
        weekly_cap=weekly_cap if kind is ProductKind.MEMBERSHIP else None,
        price_minor=price_minor,
        currency=currency,
        activation_on_first_visit=activation_on_first_visit,
    )
    row.services = list(services)
    session.add(row)
    session.flush()
    return row


def sell(
    session: Session,
    *,
    member: Member,
    product: Product,
    actor: Actor,
    now: datetime,
) -> EntitlementView:
    """Sell through the real service, so the sale row and its ledger row are what the app writes."""
    return sales.sell(session, member_id=member.id, product_id=product.id, actor=actor, now=now)


def quick_sales(
    session: Session,
    *,
    members: Sequence[Member],
    product: Product,
    now: datetime,
    seller: Actor | None = None,
) -> list[int]:
    """Bulk setup for big scenarios (races, benchmarks): one sale per member with the same rows
    `sales.sell` writes (frozen terms, scope, the `sale` ledger row), minus the audit rows and the
    per-sale read-back that make `sell` slow in the thousands. Returns the sale ids."""
    starts_on = None if product.activation_on_first_visit else now.astimezone(STUDIO_TZ).date()
    expires_on = None
    if starts_on is not None and product.valid_days is not None:
        expires_on = starts_on + timedelta(days=product.valid_days - 1)
    rows = [
        Sale(
            member_id=m.id,
            product_id=product.id,
            product_name=product.name,
            kind=product.kind,
            sessions=product.sessions,
            valid_days=product.valid_days,
            weekly_cap=product.weekly_cap,
            price_minor=product.price_minor,
            currency=product.currency,
            seller_id=seller.staff_user_id if seller else None,
            channel=SaleChannel.DESK,
            sold_at=now,
            activation_on_first_visit=product.activation_on_first_visit,
            starts_on=starts_on,
            expires_on=expires_on,
            services=list(product.services),
        )
        for m in members
    ]
    session.add_all(rows)
    session.flush()
    session.add_all(
        LedgerEntry(
            sale_id=sale.id,
            member_id=sale.member_id,
            kind=LedgerKind.SALE,
            delta=sale.sessions or 0,
            created_at=now,
            reason=f"sold {product.name}",
        )
        for sale in rows
    )
    session.flush()
    return [sale.id for sale in rows]
