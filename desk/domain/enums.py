"""The studio's vocabulary as enums; stored in the database by value."""

from __future__ import annotations

from enum import StrEnum


class StaffRole(StrEnum):
    OWNER = "owner"
    RECEPTION = "reception"
    TRAINER = "trainer"


class ServiceKind(StrEnum):
    GROUP = "group"
    PRIVATE = "private"


class SessionKind(StrEnum):
    """A class session is a timetabled group class; an appointment is a private booking slot."""

    CLASS = "class"
    APPOINTMENT = "appointment"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class BookingStatus(StrEnum):
    BOOKED = "booked"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    LATE_CANCELLED = "late_cancelled"


#: Statuses that hold a seat. A no-show or a cancellation frees it.
SEAT_HOLDING_STATUSES = (BookingStatus.BOOKED, BookingStatus.COMPLETED)


class Channel(StrEnum):
    DESK = "desk"
    WHATSAPP = "whatsapp"


class SaleChannel(StrEnum):
    DESK = "desk"
    ONLINE = "online"


class ProductKind(StrEnum):
    PACKAGE = "package"
    MEMBERSHIP = "membership"


class LedgerKind(StrEnum):
    SALE = "sale"
    CONSUME = "consume"
    RESTORE = "restore"
    ADJUST = "adjust"
    EXPIRE = "expire"


class EntitlementStatus(StrEnum):
    ACTIVE = "active"
    NOT_STARTED = "not_started"
    PAUSED = "paused"
    USED_UP = "used_up"
    EXPIRED = "expired"
    VOIDED = "voided"


class ExceptionKind(StrEnum):
    TIME_OFF = "time_off"
    EXTRA_HOURS = "extra_hours"


class LateCancelPolicy(StrEnum):
    NOTHING = "nothing"
    DEDUCT = "deduct"
    NO_SHOW = "no_show"


class WaitlistMode(StrEnum):
    AUTO = "auto"
    OFFER = "offer"


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    PROMOTED = "promoted"
    DECLINED = "declined"
    EXPIRED = "expired"
    LEFT = "left"
    CLOSED = "closed"


#: Entries that still stand in the queue (their order gives the visible position).
WAITLIST_OPEN_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class NoShowReason(StrEnum):
    NO_SHOW = "no_show"
    LATE_CANCEL = "late_cancel"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    NEEDS_TEMPLATE = "needs_template"
    UNKNOWN = "unknown"


class MessageKind(StrEnum):
    TEXT = "text"
    BUTTONS = "buttons"
    LIST = "list"
    TEMPLATE = "template"
