"""Sales with frozen terms, pauses, and the append-only ledger of balance changes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.domain.enums import LedgerKind, ProductKind, SaleChannel
from desk.store.models.base import Base, CreatedAt
from desk.store.models.catalog import Service
from desk.store.models.people import Member
from desk.store.types import utcnow, value_enum

sale_services = Table(
    "sale_services",
    Base.metadata,
    Column("sale_id", ForeignKey("sales.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id"), primary_key=True),
)


class Sale(Base):
    """A package or membership sold to a member. Its terms never change after the sale."""

    __tablename__ = "sales"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("sessions IS NULL OR sessions > 0", name="sessions_positive"),
        Index("ix_sales_member", "member_id"),
        # Sales-in-period reports.
        Index("ix_sales_sold_at", "sold_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    #: Kept for reports only; the terms below are the truth. Deleting a product keeps the sale.
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    product_name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[ProductKind] = mapped_column(value_enum(ProductKind, "sale_kind"))
    sessions: Mapped[int | None]
    valid_days: Mapped[int | None]
    weekly_cap: Mapped[int | None]
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    channel: Mapped[SaleChannel] = mapped_column(value_enum(SaleChannel, "sale_channel"))
    sold_at: Mapped[datetime] = mapped_column(default=utcnow)
    activation_on_first_visit: Mapped[bool] = mapped_column(default=False)
    #: First valid day (studio-local). None until the first visit for "activate on first visit".
    starts_on: Mapped[date | None]
    #: Last valid day before pauses extend it. None is open-ended.
    expires_on: Mapped[date | None]
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str] = mapped_column(String(200), default="")

    member: Mapped[Member] = relationship()
    services: Mapped[list[Service]] = relationship(secondary=sale_services)
    pauses: Mapped[list[SalePause]] = relationship(
        back_populates="sale", order_by="SalePause.starts_on"
    )


class SalePause(CreatedAt, Base):
    """A freeze: bookings inside it are refused and the expiry moves out by its length."""

    __tablename__ = "sale_pauses"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="range_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    sale: Mapped[Sale] = relationship(back_populates="pauses")


_CONSUME = text("kind = 'consume'")
_RESTORE = text("kind = 'restore'")
_SALE = text("kind = 'sale'")
_EXPIRE = text("kind = 'expire'")


class LedgerEntry(CreatedAt, Base):
    """One change to a balance. Never updated, never deleted.

    The partial unique indexes are the guarantee that a booking's completion is consumed once
    and restored once, even when two desks or a retried message race past the code's checks.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index(
            "uq_ledger_consume_once",
            "booking_id",
            "completion_round",
            unique=True,
            sqlite_where=_CONSUME,
            postgresql_where=_CONSUME,
        ),
        Index(
            "uq_ledger_restore_once",
            "booking_id",
            "completion_round",
            unique=True,
            sqlite_where=_RESTORE,
            postgresql_where=_RESTORE,
        ),
        Index(
            "uq_ledger_sale_once",
            "sale_id",
            unique=True,
            sqlite_where=_SALE,
            postgresql_where=_SALE,
        ),
        Index(
            "uq_ledger_expire_once",
            "sale_id",
            unique=True,
            sqlite_where=_EXPIRE,
            postgresql_where=_EXPIRE,
        ),
        Index("ix_ledger_sale", "sale_id"),
        # "Sessions used in the period" and weekly usage would otherwise scan the whole ledger.
        Index("ix_ledger_created_kind", "created_at", "kind", "sale_id"),
        Index("ix_ledger_member", "member_id"),
        CheckConstraint(
            "(kind IN ('consume', 'restore')) = (booking_id IS NOT NULL)",
            name="booking_iff_consumption",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[LedgerKind] = mapped_column(value_enum(LedgerKind, "ledger_kind"))
    #: Change in remaining sessions (0 for membership visits, which cost nothing extra).
    delta: Mapped[int]
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    completion_round: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
