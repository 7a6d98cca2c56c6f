"""A small studio with WhatsApp conversations, for the Inbox service and screen tests.

Ayşe has a 10-session Reformer package, a booking tomorrow, asked her balance (answered by the
assistant) and then asked for a person (flagged for staff). Bora wrote yesterday and was answered.
An unknown number asked about prices (a new lead, flagged). Times are relative to `now`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import factories as f

from desk.domain.enums import OutboxStatus, StaffRole
from desk.services import booking, messaging
from desk.services.messaging import DeliveryUpdate, InboundPayload
from desk.store.db import Database

AYSE_WA = "905321112233"
BORA_WA = "905324445566"
LEAD_WA = "905551234567"


@dataclass(frozen=True)
class InboxStudio:
    now: datetime
    owner: int
    reception: int
    trainer_user: int
    ayse: int
    bora: int
    class_tomorrow: int
    class_later: int
    booking: int


def _inbound(s, wamid, wa_id, text, at, *, member_id, intent="", needs_staff=False, name=""):
    payload = InboundPayload(
        wamid=wamid, wa_id=wa_id, message_type="text", text=text, profile_name=name, received_at=at
    )
    return messaging.record_inbound(
        s, payload, member_id=member_id, now=at, intent=intent, needs_staff=needs_staff
    )


def _reply(s, wa_id, text, at, *, member_id, event_id=None, status=OutboxStatus.READ, by=None):
    key = messaging.enqueue(
        s,
        to_wa_id=wa_id,
        body={"kind": "text", "text": text},
        preview=text,
        member_id=member_id,
        inbound_event_id=event_id,
        created_by=by,
        now=at,
    )
    if status is not OutboxStatus.PENDING:
        messaging.apply_delivery(s, [DeliveryUpdate(key, status, wamid=f"wamid.out.{key}")])
    return key


def build_inbox(db: Database, now: datetime) -> InboxStudio:
    with db.write() as s:
        owner = f.staff(s, role=StaffRole.OWNER, name="Olivia Owner")
        reception = f.staff(s, role=StaffRole.RECEPTION, name="Rita Reception")
        coach = f.staff(s, role=StaffRole.TRAINER, name="Tom Trainer")
        desk = f.staff_actor(s, role=StaffRole.RECEPTION, name="Sales Desk")
        ayse = f.member(s, name="Ayşe Yılmaz", phone="+" + AYSE_WA)
        bora = f.member(s, name="Bora Demir", phone="+" + BORA_WA)
        reformer = f.service(s, name="Reformer Pilates", capacity=8)
        marta = f.trainer(s, name="Marta")
        tomorrow = f.class_session(
            s, service=reformer, trainer=marta, starts_at=now + timedelta(days=1, hours=2)
        )
        later = f.class_session(
            s, service=reformer, trainer=marta, starts_at=now + timedelta(days=2, hours=3)
        )
        pack = f.product(s, services=[reformer], sessions=10, name="Reformer 10")
        f.sell(s, member=ayse, product=pack, actor=desk, now=now - timedelta(days=5))
        booked = booking.book(
            s, class_session_id=tomorrow.id, member_id=ayse.id, actor=desk, now=now
        )

        yesterday = now - timedelta(hours=20)
        bora_q = _inbound(
            s,
            "wamid.b1",
            BORA_WA,
            "Is there spinning on Saturday?",
            yesterday,
            member_id=bora.id,
            intent="availability",
        )
        _reply(
            s,
            BORA_WA,
            "Spinning on Saturday: 10:00 with Marta (5 spots).",
            yesterday + timedelta(seconds=3),
            member_id=bora.id,
            event_id=bora_q.id,
        )
        messaging_read(s, BORA_WA, yesterday + timedelta(minutes=5))

        asked = now - timedelta(minutes=42)
        q1 = _inbound(
            s,
            "wamid.a1",
            AYSE_WA,
            "how many sessions do I have left?",
            asked,
            member_id=ayse.id,
            intent="balance",
        )
        _reply(
            s,
            AYSE_WA,
            "You have 10 of 10 sessions left on Reformer 10 (until 28 Feb).",
            asked + timedelta(seconds=2),
            member_id=ayse.id,
            event_id=q1.id,
        )
        q2 = _inbound(
            s,
            "wamid.a2",
            AYSE_WA,
            "Can I bring a friend tomorrow? 🙂",
            now - timedelta(minutes=7),
            member_id=ayse.id,
            intent="human",
            needs_staff=True,
        )
        _reply(
            s,
            AYSE_WA,
            "I've passed this to the front desk; someone will answer soon.",
            now - timedelta(minutes=7) + timedelta(seconds=2),
            member_id=ayse.id,
            event_id=q2.id,
            status=OutboxStatus.DELIVERED,
        )

        _inbound(
            s,
            "wamid.l1",
            LEAD_WA,
            "Hi! How much is a month of pilates?",
            now - timedelta(minutes=3),
            member_id=None,
            intent="lead",
            needs_staff=True,
            name="Deniz",
        )
    return InboxStudio(
        now=now,
        owner=owner.id,
        reception=reception.id,
        trainer_user=coach.id,
        ayse=ayse.id,
        bora=bora.id,
        class_tomorrow=tomorrow.id,
        class_later=later.id,
        booking=booked.booking_id,
    )


def messaging_read(s, wa_id: str, at: datetime) -> None:
    from sqlalchemy import update

    from desk.store.models import InboundEvent

    s.execute(update(InboundEvent).where(InboundEvent.wa_id == wa_id).values(staff_read_at=at))
