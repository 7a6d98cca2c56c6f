"""Table models of the members screens: the list, entitlements, ledger, bookings, no-shows."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from desk.services.members import MemberProfile, search_key
from desk.services.noshows import NoShowEntry
from desk.services.sales import EntitlementView
from desk.ui import formatting as fmt
from desk.ui.table_model import Column, RowsModel


def member_list_model(parent=None) -> RowsModel[MemberProfile]:
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
                lambda m: fmt.day(m.created_at.date()),
                sort=lambda m: m.created_at.isoformat(),
            ),
        ],
        parent,
    )


def _paused(view: EntitlementView) -> str:
    return f"until {fmt.day(view.paused_until)}" if view.paused_until else ""


def entitlements_model(parent=None) -> RowsModel[EntitlementView]:
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
                lambda v: fmt.day(v.sold_at.date()),
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
