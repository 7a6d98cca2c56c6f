"""A member's profile: contact, balances, no-show standing, notes, and what staff can do."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk.services import members, noshows
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.formatting import balance_badge
from desk.ui.members.data import ProfileData, load_profile
from desk.ui.members.dialogs import AdjustDialog, MemberDialog, PauseDialog, open_dialog
from desk.ui.members.models import (
    bookings_model,
    entitlements_model,
    ledger_model,
    noshow_model,
)
from desk.ui.members.sell_dialog import SellDialog
from desk.ui.widgets.common import Badge, Card, InlineMessage, button, confirm, label
from desk.ui.widgets.tables import selected_row, table


class ProfileView(QWidget):
    loaded = Signal(object)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: ProfileData | None = None
        self.member_id: int | None = None
        self.dialog: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self._header())
        self.message = InlineMessage()
        layout.addWidget(self.message)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._packages_tab(), "Packages")
        self.bookings_rows = bookings_model(ZoneInfo("UTC"), self)
        self.bookings_table = table(self.bookings_rows, sort_by=None)
        self.tabs.addTab(self._history_tab(self.bookings_table), "Bookings")
        self.ledger_rows = ledger_model(ZoneInfo("UTC"), self)
        self.ledger_table = table(self.ledger_rows, sort_by=None)
        self.tabs.addTab(self._history_tab(self.ledger_table), "Ledger")
        self.tabs.addTab(self._noshows_tab(), "No-shows")
        self.tabs.addTab(self._notes_tab(), "Notes")
        layout.addWidget(self.tabs, 1)
        ctx.background.changed.connect(self._changed)

    # -- building -----------------------------------------------------------------------------

    def _header(self) -> Card:
        card = Card()
        top = QHBoxLayout()
        self.name = label("", role="h1")
        self.balance = Badge()
        self.balance.setObjectName("BalanceBadge")
        self.restriction = Badge()
        self.restriction.setObjectName("RestrictionBadge")
        top.addWidget(self.name)
        top.addSpacing(8)
        top.addWidget(self.balance)
        top.addWidget(self.restriction)
        top.addStretch(1)
        self.edit_button = button("Edit", on_click=self.edit_member)
        self.sell_button = button("Sell package", kind="primary", on_click=self.open_sell)
        self.sell_button.setObjectName("SellButton")
        top.addWidget(self.edit_button)
        top.addWidget(self.sell_button)
        card.body.addLayout(top)
        contact = QHBoxLayout()
        self.contact = label("", role="muted")
        self.contact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.consent = QCheckBox("WhatsApp messages allowed")
        self.consent.clicked.connect(self._consent_clicked)
        contact.addWidget(self.contact)
        contact.addStretch(1)
        contact.addWidget(self.consent)
        card.body.addLayout(contact)
        may = self.ctx.who.may_manage_members
        self.edit_button.setVisible(may)
        self.sell_button.setVisible(self.ctx.who.may_sell)
        self.consent.setEnabled(may)
        return card

    def _packages_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 12, 12, 12)
        actions = QHBoxLayout()
        self.adjust_button = button("Adjust balance…", on_click=self.open_adjust)
        self.pause_button = button("Pause / freeze…", on_click=self.open_pause)
        actions.addWidget(self.adjust_button)
        actions.addWidget(self.pause_button)
        actions.addStretch(1)
        for action in (self.adjust_button, self.pause_button):
            action.setVisible(self.ctx.who.may_manage_members)
        layout.addLayout(actions)
        self.entitlements = entitlements_model(self.ctx.studio_tz, self)
        self.entitlement_table = table(self.entitlements, sort_by=None)
        self.entitlement_table.setObjectName("Entitlements")
        header = self.entitlement_table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.entitlement_table, 1)
        self.packages_hint = label("", role="muted")
        layout.addWidget(self.packages_hint)
        return page

    def _history_tab(self, view: QTableView) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(view)
        return page

    def _noshows_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 12, 12, 12)
        row = QHBoxLayout()
        self.standing_text = label("", wrap=True)
        self.lift_button = button("Lift restriction", kind="danger", on_click=self.lift)
        self.lift_button.setObjectName("LiftRestriction")
        row.addWidget(self.standing_text, 1)
        row.addWidget(self.lift_button)
        layout.addLayout(row)
        self.noshow_rows = noshow_model(ZoneInfo("UTC"), self)
        self.noshow_table = table(self.noshow_rows, sort_by=None)
        layout.addWidget(self.noshow_table, 1)
        return page

    def _notes_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 12, 12, 12)
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.notes.setPlaceholderText("No notes yet.")
        add = QHBoxLayout()
        self.note_input = QLineEdit()
        self.note_input.setPlaceholderText("Add a note, e.g. 'knee injury — no jumps'")
        self.note_input.returnPressed.connect(self.add_note)
        add.addWidget(self.note_input, 1)
        add.addWidget(button("Add note", on_click=self.add_note))
        layout.addWidget(self.notes, 1)
        layout.addLayout(add)
        return page

    # -- loading ------------------------------------------------------------------------------

    def show_member(self, member_id: int) -> None:
        self.member_id = member_id
        self.message.clear_message()
        self.refresh()

    def refresh(self) -> None:
        if self.member_id is None:
            return
        member_id, now = self.member_id, self.ctx.now()
        self.ctx.background.read(
            lambda s: load_profile(s, member_id=member_id, now=now),
            owner=self,
        ).success(self._show).failure(self.message.show_error).run()

    def _changed(self, areas: frozenset[str]) -> None:
        if areas & {worker.MEMBERS, worker.SALES, worker.SCHEDULE}:
            self.refresh()

    def _show(self, data: ProfileData) -> None:
        if data.member.id != self.member_id:
            return
        self.data = data
        member = data.member
        self.name.setText(member.full_name + (" (archived)" if member.archived else ""))
        contact = [member.phone_display or "no phone", member.email or "no email"]
        self.contact.setText("   ·   ".join(contact))
        self.consent.setChecked(member.whatsapp_consent)
        self.balance.set(*balance_badge(list(data.entitlements), data.today))
        restricted = data.restricted
        if restricted:
            self.restriction.set("online booking restricted", "bad")
        else:
            self.restriction.set("")
        # Newest first: what the member bought last is what staff ask about.
        self.entitlements.set_rows(data.entitlements[::-1])
        self.packages_hint.setText(
            "" if data.entitlements else "No packages yet — use “Sell package” to sell one."
        )
        self._show_standing(data)
        self._show_history(data)
        self.notes.setPlainText(member.notes)
        self.loaded.emit(data)

    def _show_standing(self, data: ProfileData) -> None:
        lines = []
        for standing in data.standings:
            kind = "Group classes" if standing.kind.value == "group" else "Private sessions"
            lines.append(f"{kind}: {standing.label}")
        warnings = [s.warning for s in data.restricted if s.warning]
        text = "   ·   ".join(lines)
        if warnings:
            text += "\n" + "\n".join(warnings)
        self.standing_text.setText(f"{data.noshow_count} no-show(s) on record.   {text}")
        self.lift_button.setVisible(bool(data.restricted) and self.ctx.who.may_manage_members)
        self.noshow_rows = noshow_model(ZoneInfo(data.timezone), self)
        self.noshow_rows.set_rows(data.noshows)
        proxy = self.noshow_table.model()
        assert isinstance(proxy, QSortFilterProxyModel)
        proxy.setSourceModel(self.noshow_rows)

    def _show_history(self, data: ProfileData) -> None:
        tz = ZoneInfo(data.timezone)
        for view, rows, build in (
            (self.bookings_table, data.bookings, bookings_model),
            (self.ledger_table, data.ledger, ledger_model),
        ):
            model = build(tz, self)
            model.set_rows(rows)
            proxy = view.model()
            assert isinstance(proxy, QSortFilterProxyModel)
            proxy.setSourceModel(model)
        self.bookings_rows = self.bookings_table.model().sourceModel()
        self.ledger_rows = self.ledger_table.model().sourceModel()

    # -- actions ------------------------------------------------------------------------------

    def open_sell(self) -> SellDialog | None:
        if self.data is None:
            return None
        dialog = SellDialog(self.ctx, self.data.member, self)
        self.dialog = open_dialog(dialog)
        return dialog

    def edit_member(self) -> None:
        if self.data is not None:
            self.dialog = open_dialog(MemberDialog(self.ctx, self.data.member, self))

    def _selected_entitlement(self):
        chosen = selected_row(self.entitlement_table)
        if chosen is None and self.data and len(self.data.entitlements) == 1:
            chosen = self.data.entitlements[0]
        if chosen is None:
            self.message.show_error("Pick a package in the table first.")
        return chosen

    def open_adjust(self) -> AdjustDialog | None:
        chosen = self._selected_entitlement()
        if chosen is None:
            return None
        dialog = AdjustDialog(self.ctx, chosen, self)
        self.dialog = open_dialog(dialog)
        return dialog

    def open_pause(self) -> PauseDialog | None:
        chosen = self._selected_entitlement()
        if chosen is None or self.data is None:
            return None
        dialog = PauseDialog(self.ctx, chosen, self.data.today, self)
        self.dialog = open_dialog(dialog)
        return dialog

    def _consent_clicked(self, checked: bool) -> None:
        if self.member_id is None:
            return
        member_id, actor, now = self.member_id, self.ctx.who.actor, self.ctx.now()
        self.ctx.background.write(
            lambda s: members.set_whatsapp_consent(
                s, member_id=member_id, consent=checked, actor=actor, now=now
            ),
            changes=[worker.MEMBERS],
            owner=self,
        ).failure(self.message.show_error).run()

    def add_note(self) -> None:
        text = self.note_input.text()
        if not text.strip() or self.member_id is None:
            return
        member_id, actor, now = self.member_id, self.ctx.who.actor, self.ctx.now()
        self.ctx.background.write(
            lambda s: members.add_note(s, member_id=member_id, text=text, actor=actor, now=now),
            changes=[worker.MEMBERS],
            owner=self,
        ).success(lambda _m: self.note_input.clear()).failure(self.message.show_error).run()

    def lift(self) -> None:
        if self.data is None or not confirm(
            self,
            "Lift restriction",
            f"Let {self.data.member.full_name} book online again? "
            "Their no-shows stay on record but stop counting.",
            action="Lift restriction",
        ):
            return
        member_id, actor, now = self.data.member.id, self.ctx.who.actor, self.ctx.now()
        self.ctx.background.write(
            lambda s: noshows.lift_restriction(s, member_id=member_id, actor=actor, now=now),
            changes=[worker.MEMBERS],
            owner=self,
        ).failure(self.message.show_error).run()
