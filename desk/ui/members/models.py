"""Table models of the members screens: the list, entitlements, ledger, bookings, no-shows."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from desk.services.history import LedgerLine, MemberBooking
from desk.services.members import MemberProfile, search_key
from desk.services.noshows import NoShowEntry
from desk.services.sales import EntitlementView
from desk.ui import formatting as fmt
from desk.ui.table_model import Column, RowsModel

_UTC = ZoneInfo("UTC")


def member_list_model(tz: ZoneInfo = _UTC, parent=None) -> RowsModel[MemberProfile]:
    """The member list; dates are the studio's days (`tz`), not UTC ones."""
    return RowsModel(
        [
            Column("Name", lambda m: m.full_name, sort=lambda m: search_key(m.full_name)),
            Column("Phone", lambda m: m.phone_display),
            Column("Email", lambda m: m.email or ""),
            Column(
                "WhatsApp",
                lambda m: "Yes" if m.whatsapp_consent else "No",
                tone=lambda m: None if m.whatsapp_consent else "muted",
            ),
            Column(
                "Member since",
                lambda m: fmt.day(m.created_at.astimezone(tz).date()),
                sort=lambda m: m.created_at.isoformat(),
            ),
        ],
        parent,
    )


def _paused(view: EntitlementView) -> str:
    return f"until {fmt.day(view.paused_until)}" if view.paused_until else ""


def entitlements_model(tz: ZoneInfo = _UTC, parent=None) -> RowsModel[EntitlementView]:
    """A member's packages and memberships; "Sold" is the studio's day of the sale (`tz`)."""
    return RowsModel(
        [
            Column("Product", lambda v: v.name),
            Column(
                "Remaining",
                fmt.remaining_text,
                sort=lambda v: -1 if v.remaining is None else v.remaining,
                align_right=True,
            ),
            Column(
                "Expires",
                lambda v: fmt.day(v.expires_on, empty="Open-ended"),
                sort=lambda v: v.expires_on.isoformat() if v.expires_on else "9999",
            ),
            Column("Covers", lambda v: ", ".join(v.scope)),
            Column(
                "Status",
                lambda v: fmt.STATUS_WORDS[v.status],
                tone=lambda v: fmt.STATUS_TONES[v.status],
            ),
            Column("Paused", _paused, tone=lambda v: "warn" if v.paused_until else None),
            Column(
                "Sold",
                lambda v: fmt.day(v.sold_at.astimezone(tz).date()),
                sort=lambda v: v.sold_at.isoformat(),
                tooltip=lambda v: (
                    f"Sold by {v.seller or v.channel.value}, {fmt.money(v.price_minor, v.currency)}"
                ),
            ),
        ],
        parent,
    )


def noshow_model(tz: ZoneInfo, parent=None) -> RowsModel[NoShowEntry]:
    return RowsModel(
        [
            Column(
                "When",
                lambda e: fmt.when(e.occurred_at, tz),
                sort=lambda e: e.occurred_at.isoformat(),
            ),
            Column("Kind", lambda e: "Group class" if e.kind.value == "group" else "Private"),
            Column(
                "Reason",
                lambda e: "Late cancel" if e.reason.value == "late_cancel" else "No-show",
            ),
        ],
        parent,
    )


BOOKING_WORDS = {
    "booked": "Booked",
    "completed": "Attended",
    "no_show": "No-show",
    "cancelled": "Cancelled",
    "late_cancelled": "Late cancel",
}
BOOKING_TONES = {"completed": "good", "no_show": "bad", "late_cancelled": "warn"}


def bookings_model(tz: ZoneInfo, parent=None) -> RowsModel[MemberBooking]:
    """A member's bookings, newest first."""
    return RowsModel(
        [
            Column(
                "When", lambda b: fmt.when(b.starts_at, tz), sort=lambda b: b.starts_at.isoformat()
            ),
            Column("Class", lambda b: b.service_name),
            Column("Trainer", lambda b: b.trainer_name),
            Column("Seat", lambda b: str(b.seat_no), sort=lambda b: b.seat_no, align_right=True),
            Column(
                "Status",
                lambda b: (
                    BOOKING_WORDS.get(b.status.value, b.status.value)
                    + (" · drop-in" if b.is_drop_in else "")
                ),
                tone=lambda b: BOOKING_TONES.get(b.status.value),
            ),
            Column("Booked via", lambda b: "WhatsApp" if b.channel.value == "whatsapp" else "Desk"),
        ],
        parent,
    )


LEDGER_WORDS = {
    "sale": "Sold",
    "consume": "Attended",
    "restore": "Given back",
    "adjust": "Adjusted",
    "expire": "Expired",
}


def ledger_model(tz: ZoneInfo, parent=None) -> RowsModel[LedgerLine]:
    """Every change to a member's balances, newest first."""
    return RowsModel(
        [
            Column("When", lambda e: fmt.when(e.at, tz), sort=lambda e: e.at.isoformat()),
            Column("Package", lambda e: e.product_name),
            Column("What", lambda e: LEDGER_WORDS.get(e.kind.value, e.kind.value)),
            Column(
                "Sessions",
                lambda e: f"{e.delta:+d}" if e.delta else "0",
                sort=lambda e: e.delta,
                align_right=True,
                tone=lambda e: "good" if e.delta > 0 else ("bad" if e.delta < 0 else "muted"),
            ),
            Column("Why", lambda e: e.reason),
            Column("By", lambda e: e.staff_name or "WhatsApp / system"),
        ],
        parent,
    )
