"""A small studio on a real SQLite file, and short helpers for the booking-engine tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import factories as f
import pytest
from sqlalchemy import event, func, select

from desk.domain.enums import ProductKind, ServiceKind, StaffRole, WaitlistMode
from desk.services import booking, sales
from desk.services.actor import Actor
from desk.services.seats import BookingResult
from desk.store.db import Database
from desk.store.models import Base, Product, Service

#: "Now" in most tests: Saturday 1 March 2025, 09:00 in the studio (Europe/Istanbul, UTC+3).
NOW = f.local(2025, 3, 1, 9)
#: Monday 3 March 2025, 18:00 studio time: the usual class.
MONDAY_18 = f.local(2025, 3, 3, 18)


def table_counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {
            table.name: s.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


@dataclass
class Scene:
    db: Database
    desk: Actor
    owner: Actor
    coach: Actor
    reformer: int
    spinning: int
    pt: int
    room_a: int
    room_b: int
    ayse: int
    mert: int
    members: list[int] = field(default_factory=list)

    def member(self, name: str = "", whatsapp_id: str | None = None) -> int:
        with self.db.write() as s:
            return f.member(s, name=name, whatsapp_id=whatsapp_id).id

    def class_at(
        self,
        starts_at: datetime,
        *,
        service: int | None = None,
        capacity: int | None = None,
        waitlist_mode: WaitlistMode | None = None,
        trainer: int | None = None,
        room: int | None = None,
    ) -> int:
        from desk.store.models import Room, Trainer

        with self.db.write() as s:
            svc = s.get(Service, service or self.reformer)
            return f.class_session(
                s,
                starts_at=starts_at,
                service=svc,
                trainer=s.get(Trainer, trainer or self.ayse),
                room=s.get(Room, room or self.room_a),
                capacity=capacity,
                waitlist_mode=waitlist_mode,
            ).id

    def product(
        self,
        *,
        services: list[int] | None = None,
        kind: ProductKind = ProductKind.PACKAGE,
        **terms: Any,
    ) -> int:
        with self.db.write() as s:
            rows = [s.get(Service, sid) for sid in (services or [self.reformer])]
            return f.product(s, services=[r for r in rows if r], kind=kind, **terms).id

    def sell(self, member_id: int, product_id: int, now: datetime = NOW, **kw: Any) -> int:
        with self.db.write() as s:
            product = s.get(Product, product_id)
            assert product is not None
            view = sales.sell(
                s, member_id=member_id, product_id=product_id, actor=self.desk, now=now, **kw
            )
            return view.sale_id

    def member_with(self, product_id: int, now: datetime = NOW) -> tuple[int, int]:
        """A new member who bought `product_id`: (member id, sale id)."""
        member_id = self.member()
        return member_id, self.sell(member_id, product_id, now=now)

    def book(self, cs_id: int, member_id: int, now: datetime = NOW, **kw: Any) -> BookingResult:
        kw.setdefault("actor", self.desk)
        with self.db.write() as s:
            return booking.book(s, class_session_id=cs_id, member_id=member_id, now=now, **kw)

    def run(self, work: Callable[..., Any], **kw: Any) -> Any:
        """Call a service in its own write transaction."""
        with self.db.write() as s:
            return work(s, **kw)

    def balance(self, sale_id: int) -> int:
        with self.db.read() as s:
            return sales.ledger_balances(s, [sale_id])[sale_id]

    def counts(self) -> dict[str, int]:
        return table_counts(self.db)


@pytest.fixture
def scene(db: Database) -> Scene:
    with db.write() as s:
        desk = f.staff_actor(s, role=StaffRole.RECEPTION, name="Front Desk")
        owner = f.staff_actor(s, role=StaffRole.OWNER, name="Owner")
        coach = f.staff_actor(s, role=StaffRole.TRAINER, name="Coach")
        reformer = f.service(s, name="Reformer", capacity=4, duration_minutes=50)
        spinning = f.service(s, name="Spinning", capacity=3, duration_minutes=45)
        pt = f.service(s, name="PT 1:1", kind=ServiceKind.PRIVATE, duration_minutes=60)
        room_a, room_b = f.room(s, name="Studio A"), f.room(s, name="Studio B")
        ayse, mert = f.trainer(s, name="Ayşe Kaya"), f.trainer(s, name="Mert Demir")
        return Scene(
            db=db,
            desk=desk,
            owner=owner,
            coach=coach,
            reformer=reformer.id,
            spinning=spinning.id,
            pt=pt.id,
            room_a=room_a.id,
            room_b=room_b.id,
            ayse=ayse.id,
            mert=mert.id,
        )


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


@contextmanager
def sqlite_statements(db: Database) -> Iterator[list[str]]:
    """Every statement SQLite runs for `db`'s sessions opened inside the block (its trace
    callback): those the desk runs straight on the DBAPI cursor count too."""
    sent: list[str] = []

    def trace(dbapi_conn: sqlite3.Connection, *_args: Any) -> None:
        dbapi_conn.set_trace_callback(sent.append)

    def untrace(dbapi_conn: sqlite3.Connection, *_args: Any) -> None:
        dbapi_conn.set_trace_callback(None)

    event.listen(db.engine, "checkout", trace)
    event.listen(db.engine, "checkin", untrace)
    try:
        yield sent
    finally:
        event.remove(db.engine, "checkout", trace)
        event.remove(db.engine, "checkin", untrace)
