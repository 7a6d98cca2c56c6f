"""The studio's own settings (one row) and the audit trail of every write."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desk.domain.enums import LateCancelPolicy, WaitlistMode
from desk.store.models.base import Base
from desk.store.types import utcnow, value_enum


class StudioSettings(Base):
    __tablename__ = "studio_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    studio_name: Mapped[str] = mapped_column(String(120), default="My Studio")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Istanbul")
    currency: Mapped[str] = mapped_column(String(3), default="TRY")
    #: Default region for phone numbers typed without a country code.
    phone_region: Mapped[str] = mapped_column(String(2), default="TR")
    late_cancel_hours: Mapped[int] = mapped_column(default=12)
    group_late_cancel_policy: Mapped[LateCancelPolicy] = mapped_column(
        value_enum(LateCancelPolicy, "group_late_cancel_policy"), default=LateCancelPolicy.NOTHING
    )
    private_late_cancel_policy: Mapped[LateCancelPolicy] = mapped_column(
        value_enum(LateCancelPolicy, "private_late_cancel_policy"), default=LateCancelPolicy.DEDUCT
    )
    group_noshow_deducts: Mapped[bool] = mapped_column(default=False)
    private_noshow_deducts: Mapped[bool] = mapped_column(default=True)
    group_noshow_threshold: Mapped[int] = mapped_column(default=3)
    group_noshow_window_days: Mapped[int] = mapped_column(default=60)
    private_noshow_threshold: Mapped[int] = mapped_column(default=2)
    private_noshow_window_days: Mapped[int] = mapped_column(default=60)
    waitlist_mode: Mapped[WaitlistMode] = mapped_column(
        value_enum(WaitlistMode, "studio_waitlist_mode"), default=WaitlistMode.AUTO
    )
    waitlist_hold_minutes: Mapped[int] = mapped_column(default=30)
    #: The waitlist closes (and auto-promotion stops) this long before the start.
    waitlist_cutoff_minutes: Mapped[int] = mapped_column(default=120)
    #: None disables automatic no-shows for bookings not checked in after the class ends.
    auto_noshow_after_hours: Mapped[int | None]
    relay_url: Mapped[str] = mapped_column(String(300), default="")
    relay_token: Mapped[str] = mapped_column(String(300), default="")


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    #: Who acted when it was not staff: "whatsapp:<wa_id>", "system".
    actor: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    #: JSON with the action's particulars.
    detail: Mapped[str] = mapped_column(Text, default="{}")
