"""A small studio on a real SQLite file, and a WhatsApp chat driven through `handle_inbound`.

The clock is Thursday 26 November 2026, 10:00 in Istanbul: tomorrow is Friday 27, Saturday is
28 and Monday is 30 November. Every message goes through the sync worker's own logic (check
`already_processed`, then handle, in one write transaction), and every reply the assistant
queues must pass the relay's validation of outbound messages.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import factories as f
from pydantic import TypeAdapter
from sqlalchemy import select

from desk.assistant.conversation import handle_inbound
from desk.domain.enums import BookingStatus, ProductKind, ServiceKind, StaffRole
from desk.services import booking, messaging, settings
from desk.services.actor import Actor
from desk.services.messaging import InboundPayload
from desk.store.db import Database
from desk.store.models import Booking, InboundEvent, OutboxMessage, WaitlistEntry
from relay import limits

NOW = f.local(2026, 11, 26, 10)  # Thursday
RELAY = TypeAdapter(limits.OutboundRequest)
_wamids = itertools.count(1)

ELIF, MERT, ZEYNEP, DENIZ, BURAK = (
    "905321110001",
    "905321110002",
    "905321110003",
    "905321110004",
    "905321110005",
)
STRANGER = "905559998877"


@dataclass
class Studio:
    db: Database
    desk: Actor
    owner: Actor
    reformer: int
    spinning: int
    pt: int
    sessions: dict[str, int] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)
    trainers: dict[str, int] = field(default_factory=dict)

    def chat(self, wa_id: str) -> Chat:
        return Chat(self.db, wa_id)

    def desk_book(
        self, member_id: int, session_key: str, *, drop_in: bool = False, now: datetime = NOW
    ) -> int:
        with self.db.write() as s:
            result = booking.book(
                s,
                class_session_id=self.sessions[session_key],
                member_id=member_id,
                actor=self.desk,
                drop_in=drop_in,
                now=now,
            )
            return result.booking_id

    def fill(self, session_key: str, seats: int) -> list[int]:
        """Book `seats` walk-in members into a class from the desk."""
        with self.db.write() as s:
            ids = [f.member(s).id for _ in range(seats)]
        return [self.desk_book(m, session_key, drop_in=True) for m in ids]

    def policy(self, **changes: Any) -> None:
        with self.db.write() as s:
            settings.update_policy(s, actor=self.owner, **changes)

    def bookings(self, member_key: str) -> list[tuple[int, BookingStatus, int]]:
        """(class session id, status, seat) of a member's bookings, oldest first."""
        with self.db.read() as s:
            rows = s.execute(
                select(Booking.class_session_id, Booking.status, Booking.seat_no)
                .where(Booking.member_id == self.members[member_key])
                .order_by(Booking.id)
            ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    def waitlist(self, member_key: str) -> list[tuple[int, str, int]]:
        """(class session id, status, entry id) of a member's waitlist entries."""
        with self.db.read() as s:
            rows = s.execute(
                select(WaitlistEntry.class_session_id, WaitlistEntry.status, WaitlistEntry.id)
                .where(WaitlistEntry.member_id == self.members[member_key])
                .order_by(WaitlistEntry.id)
            ).all()
        return [(r[0], r[1].value, r[2]) for r in rows]


def build_studio(db: Database) -> Studio:
    with db.write() as s:
        desk = f.staff_actor(s)
        owner = f.staff_actor(s, role=StaffRole.OWNER)
        reformer = f.service(s, name="Reformer Pilates", capacity=4)
        spinning = f.service(s, name="Spinning", capacity=10, duration_minutes=45)
        pt = f.service(s, name="PT 1:1", kind=ServiceKind.PRIVATE)
        ayse, can = f.trainer(s, name="Ayşe"), f.trainer(s, name="Can")
        room = f.room(s, name="Studio A")
        bike_room = f.room(s, name="Bike room")
        plan = {
            "fri09": (reformer, ayse, room, (27, 9)),
            "fri18": (reformer, ayse, room, (27, 18)),
            "fri19": (reformer, ayse, room, (27, 19)),
            "sat10": (reformer, ayse, room, (28, 10)),
            "mon18": (reformer, ayse, room, (30, 18)),
            "mon19": (reformer, can, room, (30, 19)),
            "spin_fri18": (spinning, can, bike_room, (27, 18)),
            "spin_sat11": (spinning, can, bike_room, (28, 11)),
        }
        sessions = {
            key: f.class_session(
                s, service=svc, trainer=tr, room=rm, starts_at=f.local(2026, 11, day, hour)
            ).id
            for key, (svc, tr, rm, (day, hour)) in plan.items()
        }
        reformer10 = f.product(s, name="Reformer 10", services=[reformer])
        f.product(s, name="Spinning 8", sessions=8, services=[spinning])
        pt5 = f.product(s, name="PT 5", sessions=5, services=[pt])
        f.product(
            s, name="Unlimited Month", kind=ProductKind.MEMBERSHIP, services=[reformer, spinning]
        )
        people = {
            "elif": f.member(s, name="Elif Kaya", whatsapp_id=ELIF),
            "mert": f.member(s, name="Mert Demir", whatsapp_id=MERT),
            "zeynep": f.member(s, name="Zeynep Ak", whatsapp_id=ZEYNEP),
            "deniz": f.member(s, name="Deniz Yıldız", whatsapp_id=DENIZ),
            "burak": f.member(s, name="Burak Şen", phone="+" + BURAK),
        }
        for key in ("elif", "zeynep", "burak"):
            f.sell(s, member=people[key], product=reformer10, actor=desk, now=NOW)
        f.sell(s, member=people["mert"], product=pt5, actor=desk, now=NOW)
        f.sell(s, member=people["deniz"], product=reformer10, actor=desk, now=NOW - timedelta(100))
        member_ids = {key: m.id for key, m in people.items()}
        trainer_ids = {"ayse": ayse.id, "can": can.id}
    return Studio(
        db=db,
        desk=desk,
        owner=owner,
        reformer=reformer.id,
        spinning=spinning.id,
        pt=pt.id,
        sessions=sessions,
        members=member_ids,
        trainers=trainer_ids,
    )


@dataclass
class Reply:
    """What the member received for one message, and how the event was recorded."""

    bodies: list[dict[str, Any]]
    keys: list[str]
    intent: str
    needs_staff: bool
    member_id: int | None

    @property
    def body(self) -> dict[str, Any]:
        assert len(self.bodies) == 1, self.bodies
        return self.bodies[0]

    @property
    def text(self) -> str:
        """The words of the single reply, whatever its kind."""
        body = self.body
        return str(body.get("text") or body.get("body") or "")

    @property
    def choice_ids(self) -> list[str]:
        body = self.body
        if body["kind"] == "buttons":
            return [b["id"] for b in body["buttons"]]
        if body["kind"] == "list":
            return [r["id"] for sec in body["sections"] for r in sec["rows"]]
        return []

    @property
    def titles(self) -> list[str]:
        body = self.body
        if body["kind"] == "buttons":
            return [b["title"] for b in body["buttons"]]
        return [r["title"] for sec in body["sections"] for r in sec["rows"]]


@dataclass
class Chat:
    db: Database
    wa_id: str
    last_wamid: str = ""

    def send(
        self,
        text: str = "",
        *,
        reply_id: str = "",
        message_type: str | None = None,
        at: datetime = NOW,
        wamid: str | None = None,
    ) -> Reply:
        kind = message_type or ("button_reply" if reply_id else "text")
        wamid = wamid or f"wamid.HBgM{next(_wamids):06d}"
        payload = InboundPayload(
            wamid=wamid, wa_id=self.wa_id, message_type=kind, text=text, reply_id=reply_id
        )
        self.last_wamid = wamid
        deliver(self.db, payload, at)
        return replies_to(self.db, wamid)

    def tap(self, reply_id: str, *, at: datetime = NOW, title: str = "") -> Reply:
        return self.send(title, reply_id=reply_id, at=at)


def deliver(db: Database, payload: InboundPayload, at: datetime) -> None:
    """What the sync worker does with one event: skip it if processed, else handle it."""
    with db.write() as s:
        if not messaging.already_processed(s, payload.wamid):
            handle_inbound(s, payload, now=at)


def replies_to(db: Database, wamid: str) -> Reply:
    with db.read() as s:
        event = s.scalar(select(InboundEvent).where(InboundEvent.wamid == wamid))
        assert event is not None
        rows = s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.inbound_event_id == event.id)
            .order_by(OutboxMessage.id)
        ).all()
        bodies = [json.loads(r.body) for r in rows]
        for row, body in zip(rows, bodies, strict=True):
            RELAY.validate_python({"key": row.key, "to": row.to_wa_id, **body})
        return Reply(
            bodies=bodies,
            keys=[r.key for r in rows],
            intent=event.intent,
            needs_staff=event.needs_staff,
            member_id=event.member_id,
        )
