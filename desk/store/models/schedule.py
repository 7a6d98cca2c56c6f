"""The calendar: weekly timetable, dated sessions, bookings, waitlists and no-shows."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.domain.enums import (
    BookingStatus,
    Channel,
    NoShowReason,
    ServiceKind,
    SessionKind,
    SessionStatus,
    WaitlistMode,
    WaitlistStatus,
)
from desk.store.models.base import Base, CreatedAt
from desk.store.models.catalog import Room, Service, Trainer
from desk.store.models.people import Member
from desk.store.types import value_enum

# Partial-index predicates. Spelled as SQL so SQLite and PostgreSQL both enforce them.
LIVE_BOOKING = text("status IN ('booked', 'completed')")
OPEN_WAITLIST = text("status IN ('waiting', 'offered')")


class TimetableEntry(CreatedAt, Base):
    """A weekly recurring class: "Reformer, Mondays 18:00, Ayşe, Studio A, 8 seats"."""

    __tablename__ = "timetable_entries"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainers.id"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    weekday: Mapped[int]
    #: Local wall-clock time in the studio's timezone; DST is resolved per date.
    start_time: Mapped[time]
    duration_minutes: Mapped[int]
    capacity: Mapped[int]
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)

    service: Mapped[Service] = relationship()
    trainer: Mapped[Trainer] = relationship()
    room: Mapped[Room] = relationship()


class ClassSession(CreatedAt, Base):
    """One dated occurrence: a group class, or a private appointment (capacity 1)."""

    __tablename__ = "class_sessions"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("starts_at < ends_at", name="interval_order"),
        # Generating the timetable twice must never create a second copy of a session.
        UniqueConstraint("timetable_entry_id", "starts_at"),
        Index("ix_class_sessions_trainer_starts", "trainer_id", "starts_at"),
        Index("ix_class_sessions_room_starts", "room_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SessionKind] = mapped_column(value_enum(SessionKind, "session_kind"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    trainer_id: Mapped[int] = mapped_column(ForeignKey("trainers.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    timetable_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("timetable_entries.id", ondelete="SET NULL")
    )
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    status: Mapped[SessionStatus] = mapped_column(
        value_enum(SessionStatus, "session_status"), default=SessionStatus.SCHEDULED
    )
    #: None follows the studio's default waitlist mode.
    waitlist_mode: Mapped[WaitlistMode | None] = mapped_column(
        value_enum(WaitlistMode, "waitlist_mode")
    )
    note: Mapped[str] = mapped_column(String(200), default="")

    service: Mapped[Service] = relationship()
    trainer: Mapped[Trainer] = relationship()
    room: Mapped[Room | None] = relationship()


class Booking(CreatedAt, Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("seat_no >= 1", name="seat_positive"),
        # The database itself refuses a second holder of a seat, whatever the code does.
        Index(
            "uq_bookings_live_seat",
            "class_session_id",
            "seat_no",
            unique=True,
            sqlite_where=LIVE_BOOKING,
            postgresql_where=LIVE_BOOKING,
        ),
        Index(
            "uq_bookings_live_member",
            "class_session_id",
            "member_id",
            unique=True,
            sqlite_where=LIVE_BOOKING,
            postgresql_where=LIVE_BOOKING,
        ),
        Index("ix_bookings_member_status", "member_id", "status"),
        Index("ix_bookings_session_status", "class_session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    class_session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id"))
    seat_no: Mapped[int]
    status: Mapped[BookingStatus] = mapped_column(
        value_enum(BookingStatus, "booking_status"), default=BookingStatus.BOOKED
    )
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "booking_channel"))
    #: Booked by staff without an entitlement; pays at the desk.
    is_drop_in: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    status_changed_at: Mapped[datetime | None]
    #: Bumped by each reverted completion, so a later completion is a new, distinct consumption
    #: while each one is still consumed and restored at most once (see ledger indexes).
    completion_round: Mapped[int] = mapped_column(default=0)
    rescheduled_from_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))

    member: Mapped[Member] = relationship()
    class_session: Mapped[ClassSession] = relationship()


class WaitlistEntry(CreatedAt, Base):
    __tablename__ = "waitlist_entries"
    __table_args__ = (
        Index(
            "uq_waitlist_open_member",
            "class_session_id",
            "member_id",
            unique=True,
            sqlite_where=OPEN_WAITLIST,
            postgresql_where=OPEN_WAITLIST,
        ),
        Index("ix_waitlist_session_status", "class_session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[WaitlistStatus] = mapped_column(
        value_enum(WaitlistStatus, "waitlist_status"), default=WaitlistStatus.WAITING
    )
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "waitlist_channel"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    offered_at: Mapped[datetime | None]
    offer_expires_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    #: The booking a promotion created, so the messaging layer can tell the member.
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    #: Set once the member has been told about an offer/promotion.
    notified_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship()
    class_session: Mapped[ClassSession] = relationship()


class NoShowRecord(CreatedAt, Base):
    """A missed booking (or a late cancel the policy counts as one), kept on the member."""

    __tablename__ = "noshow_records"
    __table_args__ = (Index("ix_noshow_member_occurred", "member_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    service_kind: Mapped[ServiceKind] = mapped_column(value_enum(ServiceKind, "noshow_kind"))
    reason: Mapped[NoShowReason] = mapped_column(value_enum(NoShowReason, "noshow_reason"))
    occurred_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
