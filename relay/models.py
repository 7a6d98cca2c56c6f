"""Tables of the relay's own database: messages in transit, nothing more.

Times are Unix seconds (float, UTC by definition), which compares the same way on SQLite and
PostgreSQL and matches the string timestamps Meta sends.
"""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class WebhookDelivery(Base):
    """A raw POST body from Meta, kept until processed and for the retention period."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[float] = mapped_column(Float, index=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    processed: Mapped[bool] = mapped_column(default=False, index=True)
    failed_items: Mapped[int] = mapped_column(Integer, default=0)


class Counter(Base):
    """Named monotonic counters; the inbox cursor is taken from here under a row lock so that
    cursor order equals commit order (a plain sequence does not guarantee that on PostgreSQL)."""

    __tablename__ = "relay_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class InboundEvent(Base):
    __tablename__ = "inbound_events"

    cursor: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    wamid: Mapped[str] = mapped_column(String(256), unique=True)
    wa_from: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(160))
    profile_name: Mapped[str | None] = mapped_column(String(256))
    wa_timestamp: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    original_type: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    reply_id: Mapped[str | None] = mapped_column(String(512))
    reply_title: Mapped[str | None] = mapped_column(Text)
    reply_description: Mapped[str | None] = mapped_column(Text)
    context_id: Mapped[str | None] = mapped_column(String(256))
    raw_json: Mapped[str] = mapped_column(Text)
    received_at: Mapped[float] = mapped_column(Float, index=True)


class Member(Base):
    """Last time a member wrote to us: the start of their 24-hour customer-service window."""

    __tablename__ = "members"

    # wa_id digits when Meta gives them, else "user:<business-scoped user id>".
    member_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(160))
    last_inbound_at: Mapped[float] = mapped_column(Float, index=True)


class StatusEvent(Base):
    """A delivery status from a webhook, deduplicated by (wamid, status).

    Kept even when no outbound row matches yet: the POST that produced the wamid may still be in
    flight, and its result is merged with what is recorded here."""

    __tablename__ = "status_events"
    __table_args__ = (UniqueConstraint("wamid", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wamid: Mapped[str] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[str | None] = mapped_column(String(160))
    callback_data: Mapped[str | None] = mapped_column(String(512))
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_reason: Mapped[str | None] = mapped_column(Text)
    wa_timestamp: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[float] = mapped_column(Float, index=True)


class OutboundMessage(Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbound_status_due", "status", "next_attempt_at"),)

    # Integer id gives a stable FIFO order per recipient; key is the desk's idempotency key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    to_digits: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    payload_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    wamid: Mapped[str | None] = mapped_column(String(256), unique=True)
    wa_id: Mapped[str | None] = mapped_column(String(32))
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float, index=True)
