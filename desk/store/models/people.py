"""Staff users who sign in, and the studio's members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desk.domain.enums import StaffRole
from desk.store.models.base import Base, CreatedAt
from desk.store.types import value_enum


class StaffUser(CreatedAt, Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[StaffRole] = mapped_column(value_enum(StaffRole, "staff_role"))
    pin_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class Member(CreatedAt, Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(160), index=True)
    #: E.164 with the leading "+", normalised with `phonenumbers`.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    #: WhatsApp's id for the member: digits without "+"; may differ from the phone.
    whatsapp_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    whatsapp_consent: Mapped[bool] = mapped_column(default=False)
    #: Lower-cased, accent-folded name for fast prefix search.
    search_name: Mapped[str] = mapped_column(String(160), index=True, default="")
    #: No-shows before this instant no longer count towards the online-booking restriction.
    restriction_lifted_at: Mapped[datetime | None]
    restriction_lifted_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    archived: Mapped[bool] = mapped_column(default=False)
