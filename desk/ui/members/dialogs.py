"""Small member dialogs: add/edit a member, adjust a balance, pause a package."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desk.services import members, pauses, sales
from desk.services.members import MemberProfile
from desk.services.sales import EntitlementView
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.widgets.common import InlineMessage, button, label


class _FormDialog(QDialog):
    """Title, a form, an inline message and Cancel / <action> buttons."""

    done = Signal(object)

    def __init__(self, ctx: DeskContext, title: str, action: str, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result_value: Any = None
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        self.heading = label(title, role="h2")
        layout.addWidget(self.heading)
        self.form = QFormLayout()
        self.form.setVerticalSpacing(10)
        layout.addLayout(self.form)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button("Cancel", on_click=self.reject))
        self.ok = button(action, kind="primary", on_click=self._submit)
        self.ok.setDefault(True)
        row.addWidget(self.ok)
        layout.addLayout(row)

    def work(self) -> Callable[[Session], Any]:
        raise NotImplementedError

    def _submit(self) -> None:
        self.message.clear_message()
        try:
            unit = self.work()
        except ValueError as error:
            self.message.show_error(str(error))
            return
        self.ok.setEnabled(False)
        self.ctx.background.write(
            unit, changes=[worker.MEMBERS, worker.SALES, worker.SCHEDULE], owner=self
        ).success(self._finished).failure(self._refused).run()

    def _refused(self, error: BaseException) -> None:
        self.ok.setEnabled(True)
        self.message.show_error(error)

    def _finished(self, value: Any) -> None:
        self.result_value = value
        self.done.emit(value)
        self.accept()


class MemberDialog(_FormDialog):
    """Add a new member, or edit one when `member` is given."""

    def __init__(self, ctx: DeskContext, member: MemberProfile | None = None, parent=None):
        super().__init__(
            ctx, "Edit member" if member else "New member", "Save" if member else "Add", parent
        )
        self.member = member
        self.full_name = QLineEdit(member.full_name if member else "")
        self.full_name.setObjectName("FullName")
        self.phone = QLineEdit(member.phone_display if member else "")
        self.phone.setPlaceholderText("e.g. 0532 111 22 33 or +90 532 111 22 33")
        self.email = QLineEdit((member.email or "") if member else "")
        self.consent = QCheckBox("Agrees to WhatsApp messages")
        self.consent.setChecked(bool(member and member.whatsapp_consent))
        self.form.addRow("Full name", self.full_name)
        self.form.addRow("Phone", self.phone)
        self.form.addRow("Email", self.email)
        self.form.addRow("", self.consent)

    def work(self) -> Callable[[Session], MemberProfile]:
        actor, now = self.ctx.who.actor, self.ctx.now()
        fields = {
            "full_name": self.full_name.text(),
            "phone": self.phone.text() or None,
            "email": self.email.text() or None,
            "whatsapp_consent": self.consent.isChecked(),
        }
        if self.member is None:
            return lambda s: members.add_member(s, actor=actor, now=now, **fields)
        member_id = self.member.id
        return lambda s: members.edit_member(s, member_id=member_id, actor=actor, now=now, **fields)


class AdjustDialog(_FormDialog):
    """Correct a package balance by hand, always with a reason (it goes in the ledger)."""

    def __init__(self, ctx: DeskContext, entitlement: EntitlementView, parent=None) -> None:
        super().__init__(ctx, "Adjust balance", "Adjust", parent)
        self.entitlement = entitlement
        self.heading.setText(
            f"{entitlement.name}: {entitlement.remaining} of {entitlement.sessions} left"
        )
        self.delta = QSpinBox()
        self.delta.setRange(-100, 100)
        self.delta.setValue(1)
        self.delta.setSuffix(" session(s)")
        self.reason = QLineEdit()
        self.reason.setObjectName("Reason")
        self.reason.setPlaceholderText("Why? e.g. 'class cancelled by studio', 'goodwill'")
        self.form.addRow("Add (−remove)", self.delta)
        self.form.addRow("Reason", self.reason)

    def work(self) -> Callable[[Session], EntitlementView]:
        actor, now = self.ctx.who.actor, self.ctx.now()
        sale_id, delta, reason = self.entitlement.sale_id, self.delta.value(), self.reason.text()
        return lambda s: sales.adjust(
            s, sale_id=sale_id, delta=delta, reason=reason, actor=actor, now=now
        )


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class PauseDialog(_FormDialog):
    """Freeze a package or membership for a holiday or an injury; the expiry moves out."""

    def __init__(
        self, ctx: DeskContext, entitlement: EntitlementView, today: date, parent=None
    ) -> None:
        super().__init__(ctx, "Pause (freeze)", "Pause", parent)
        self.entitlement = entitlement
        self.heading.setText(f"Pause {entitlement.name}")
        self.starts = QDateEdit(_qdate(today))
        self.ends = QDateEdit(_qdate(today + timedelta(days=13)))
        for field in (self.starts, self.ends):
            field.setCalendarPopup(True)
            field.setDisplayFormat("d MMM yyyy")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. holiday, injury")
        self.form.addRow("From", self.starts)
        self.form.addRow("Until (included)", self.ends)
        self.form.addRow("Reason", self.reason)
        self.form.addRow("", label("Bookings inside the pause are not paid by it.", role="muted"))

    def work(self) -> Callable[[Session], Any]:
        actor, now = self.ctx.who.actor, self.ctx.now()
        sale_id = self.entitlement.sale_id
        first, last = _pydate(self.starts.date()), _pydate(self.ends.date())
        reason = self.reason.text()
        return lambda s: pauses.pause_sale(
            s, sale_id=sale_id, starts_on=first, ends_on=last, actor=actor, reason=reason, now=now
        )


def open_dialog(dialog: QWidget) -> QWidget:
    """Show a dialog without blocking the event loop (tests and the app both use this)."""
    dialog.setModal(True)
    dialog.show()
    return dialog
