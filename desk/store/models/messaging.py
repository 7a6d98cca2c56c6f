"""Local side of the WhatsApp sync: processed inbound events, the outbox, dialog state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desk.domain.enums import MessageKind, OutboxStatus
from desk.store.models.base import Base, CreatedAt
from desk.store.types import value_enum


class InboundEvent(CreatedAt, Base):
    """A member's message, stored in the same transaction as everything it caused.

    The unique wamid is the "processed" mark: a redelivered message cannot act twice.
    """

    __tablename__ = "inbound_events"
    __table_args__ = (Index("ix_inbound_member_received", "member_id", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wamid: Mapped[str] = mapped_column(String(128), unique=True)
    relay_cursor: Mapped[int | None]
    wa_id: Mapped[str] = mapped_column(String(64), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    profile_name: Mapped[str] = mapped_column(String(120), default="")
    message_type: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    reply_id: Mapped[str] = mapped_column(String(256), default="")
    payload: Mapped[str] = mapped_column(Text, default="{}")
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    intent: Mapped[str] = mapped_column(String(40), default="")
    needs_staff: Mapped[bool] = mapped_column(default=False)
    staff_read_at: Mapped[datetime | None]


class OutboxMessage(CreatedAt, Base):
    """A reply or notification waiting to go to the relay, keyed for idempotent delivery."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    to_wa_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[MessageKind] = mapped_column(value_enum(MessageKind, "message_kind"))
    #: JSON body in the relay's outbox shape.
    body: Mapped[str] = mapped_column(Text)
    #: Plain text for the inbox screen.
    preview: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[OutboxStatus] = mapped_column(
        value_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    wamid: Mapped[str | None] = mapped_column(String(128))
    error_code: Mapped[int | None]
    error_reason: Mapped[str] = mapped_column(String(300), default="")
    inbound_event_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_events.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    pushed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]


class DialogState(Base):
    """Where a member's conversation stands ("picking one of three options"), with an expiry."""

    __tablename__ = "dialog_states"

    wa_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    state: Mapped[str] = mapped_column(Text, default="{}")
    language: Mapped[str] = mapped_column(String(5), default="en")
    expires_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SyncState(Base):
    """The relay cursor and last sync outcome, kept in the database (one row)."""

    __tablename__ = "sync_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    inbox_cursor: Mapped[int] = mapped_column(default=0)
    #: The relay database's identity (its `epoch`): when it changes, its cursors started again.
    relay_epoch: Mapped[int | None] = mapped_column(BigInteger)
    last_sync_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(300), default="")
