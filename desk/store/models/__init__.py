"""All tables of the desk database. Import from here so the metadata is complete."""

from desk.store.models.base import Base
from desk.store.models.catalog import (
    Product,
    Room,
    Service,
    Trainer,
    TrainerAvailability,
    TrainerException,
    product_services,
)
from desk.store.models.messaging import DialogState, InboundEvent, OutboxMessage, SyncState
from desk.store.models.people import Member, StaffUser
from desk.store.models.sales import LedgerEntry, Sale, SalePause, sale_services
from desk.store.models.schedule import (
    Booking,
    ClassSession,
    NoShowRecord,
    TimetableEntry,
    WaitlistEntry,
)
from desk.store.models.studio import AuditEntry, StudioSettings

__all__ = [
    "AuditEntry",
    "Base",
    "Booking",
    "ClassSession",
    "DialogState",
    "InboundEvent",
    "LedgerEntry",
    "Member",
    "NoShowRecord",
    "OutboxMessage",
    "Product",
    "Room",
    "Sale",
    "SalePause",
    "Service",
    "StaffUser",
    "StudioSettings",
    "SyncState",
    "TimetableEntry",
    "Trainer",
    "TrainerAvailability",
    "TrainerException",
    "WaitlistEntry",
    "product_services",
    "sale_services",
]
