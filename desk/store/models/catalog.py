"""What the studio offers: services, rooms, trainers and their hours, products for sale."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.domain.enums import ExceptionKind, ProductKind, ServiceKind
from desk.store.models.base import Base, CreatedAt
from desk.store.types import value_enum


class Service(CreatedAt, Base):
    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("default_capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[ServiceKind] = mapped_column(value_enum(ServiceKind, "service_kind"))
    duration_minutes: Mapped[int]
    default_capacity: Mapped[int]
    colour: Mapped[str] = mapped_column(String(9), default="#4F7CAC")
    description: Mapped[str] = mapped_column(String(400), default="")
    active: Mapped[bool] = mapped_column(default=True)


class Room(CreatedAt, Base):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    active: Mapped[bool] = mapped_column(default=True)


class Trainer(CreatedAt, Base):
    __tablename__ = "trainers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), unique=True)
    colour: Mapped[str] = mapped_column(String(9), default="#6B8F71")
    active: Mapped[bool] = mapped_column(default=True)

    availability: Mapped[list[TrainerAvailability]] = relationship(
        back_populates="trainer",
        cascade="all, delete-orphan",
        order_by="TrainerAvailability.weekday",
    )


class TrainerAvailability(Base):
    """A weekly working window in the studio's local time (weekday 0 = Monday)."""

    __tablename__ = "trainer_availability"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_time < end_time", name="window_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainers.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]

    trainer: Mapped[Trainer] = relationship(back_populates="availability")


class TrainerException(CreatedAt, Base):
    """Time off or extra hours over an absolute interval."""

    __tablename__ = "trainer_exceptions"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="interval_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(
        ForeignKey("trainers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ExceptionKind] = mapped_column(value_enum(ExceptionKind, "exception_kind"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(String(200), default="")


product_services = Table(
    "product_services",
    Base.metadata,
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id"), primary_key=True),
)


class Product(CreatedAt, Base):
    """A package ("10 sessions, 90 days") or a membership ("unlimited, 30 days") for sale.

    Editing a product never changes a sale: sales copy the terms when they are made.
    """

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("sessions IS NULL OR sessions > 0", name="sessions_positive"),
        CheckConstraint("valid_days IS NULL OR valid_days > 0", name="valid_days_positive"),
        CheckConstraint("weekly_cap IS NULL OR weekly_cap > 0", name="weekly_cap_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[ProductKind] = mapped_column(value_enum(ProductKind, "product_kind"))
    #: Sessions in a package; None for a membership.
    sessions: Mapped[int | None]
    #: Days of validity from sale (or first visit); None is open-ended.
    valid_days: Mapped[int | None]
    #: Memberships: at most this many visits per studio week; None is unlimited.
    weekly_cap: Mapped[int | None]
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    activation_on_first_visit: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    services: Mapped[list[Service]] = relationship(secondary=product_services)
