"""The studio itself: name, timezone, currency, and the booking policies (owner only)."""

from __future__ import annotations

from zoneinfo import available_timezones

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from desk.domain.enums import LateCancelPolicy, WaitlistMode
from desk.services.settings import StudioPolicy, get_policy, update_policy
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.widgets.common import Card, InlineMessage, button, label

LATE_CANCEL_WORDS = {
    LateCancelPolicy.NOTHING: "Costs nothing",
    LateCancelPolicy.DEDUCT: "Deducts the session",
    LateCancelPolicy.NO_SHOW: "Deducts and counts as a no-show",
}
WAITLIST_WORDS = {
    WaitlistMode.AUTO: "Book the next person automatically",
    WaitlistMode.OFFER: "Offer the seat on WhatsApp (they confirm)",
}


def _spin(low: int, high: int, suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    return spin


def _combo(words: dict) -> QComboBox:
    combo = QComboBox()
    for value, text in words.items():
        combo.addItem(text, value.value)
    return combo


class StudioTab(QWidget):
    """One form for the studio row; saved as a whole, refused as a whole."""

    loaded = Signal(object)
    saved = Signal(object)

    def __init__(self, ctx: DeskContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.policy: StudioPolicy | None = None
        self.studio_name = QLineEdit()
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItems(sorted(available_timezones()))
        self.currency = QLineEdit()
        self.currency.setMaxLength(3)
        self.phone_region = QLineEdit()
        self.phone_region.setMaxLength(2)
        self.relay_url = QLineEdit()
        self.relay_url.setPlaceholderText("https://relay.example.com")
        self.relay_token = QLineEdit()
        self.relay_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.late_hours = _spin(0, 72, " hours before")
        self.group_late, self.private_late = _combo(LATE_CANCEL_WORDS), _combo(LATE_CANCEL_WORDS)
        self.group_deducts = QCheckBox("A group no-show deducts the session")
        self.private_deducts = QCheckBox("A private no-show deducts the session")
        self.group_threshold, self.private_threshold = _spin(1, 50, ""), _spin(1, 50, "")
        self.group_window, self.private_window = _spin(1, 365, " days"), _spin(1, 365, " days")
        self.waitlist_mode = _combo(WAITLIST_WORDS)
        self.hold = _spin(0, 24 * 60, " min to answer")
        self.cutoff = _spin(0, 48 * 60, " min before start")
        self.auto_noshow = _spin(0, 72, " h after the end")
        self.auto_noshow.setSpecialValueText("Off")
        self.message = InlineMessage()
        self.save_button = button("Save settings", kind="primary", on_click=self.save)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(12)
        layout.addWidget(self._studio_card(), 1)
        layout.addWidget(self._policy_card(), 1)
        ctx.background.changed.connect(
            lambda areas: self.refresh() if worker.SETTINGS in areas else None
        )

    def _studio_card(self) -> Card:
        card = Card()
        card.body.addWidget(label("Studio", role="h2"))
        form = QFormLayout()
        form.addRow("Name", self.studio_name)
        form.addRow("Timezone", self.timezone)
        form.addRow("Currency", self.currency)
        form.addRow("Phone country", self.phone_region)
        form.addRow("WhatsApp relay", self.relay_url)
        form.addRow("Relay token", self.relay_token)
        card.body.addLayout(form)
        card.body.addWidget(
            label(
                "Days, weeks and class times follow the timezone, daylight saving included. "
                "New prices use the currency; sales already made keep theirs.",
                role="muted",
                wrap=True,
            )
        )
        card.body.addStretch(1)
        card.body.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        card.body.addLayout(row)
        return card

    def _policy_card(self) -> Card:
        card = Card()
        card.body.addWidget(label("Booking policies", role="h2"))
        form = QFormLayout()
        form.addRow("Late cancel is", self.late_hours)
        form.addRow("Late cancel, group", self.group_late)
        form.addRow("Late cancel, private", self.private_late)
        form.addRow("", self.group_deducts)
        form.addRow("", self.private_deducts)
        form.addRow("Group restriction after", self._pair(self.group_threshold, self.group_window))
        form.addRow(
            "Private restriction after", self._pair(self.private_threshold, self.private_window)
        )
        form.addRow("When a seat frees", self.waitlist_mode)
        form.addRow("Offer hold", self.hold)
        form.addRow("Waitlist closes", self.cutoff)
        form.addRow("Automatic no-show", self.auto_noshow)
        card.body.addLayout(form)
        card.body.addStretch(1)
        return card

    @staticmethod
    def _pair(count: QSpinBox, window: QSpinBox) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(count)
        row.addWidget(label("no-shows in"))
        row.addWidget(window)
        return box

    def refresh(self) -> None:
        self.ctx.background.read(get_policy, owner=self).success(self._show).failure(
            self.message.show_error
        ).run()

    def _show(self, policy: StudioPolicy) -> None:
        self.policy = policy
        self.studio_name.setText(policy.studio_name)
        self.timezone.setCurrentText(policy.timezone)
        self.currency.setText(policy.currency)
        self.phone_region.setText(policy.phone_region)
        self.relay_url.setText(policy.relay_url)
        self.relay_token.clear()
        self.relay_token.setPlaceholderText(
            "set — type a new one to replace it" if policy.relay_token else "from the relay's admin"
        )
        self.late_hours.setValue(policy.late_cancel_hours)
        for combo, value in (
            (self.group_late, policy.group_late_cancel_policy),
            (self.private_late, policy.private_late_cancel_policy),
            (self.waitlist_mode, policy.waitlist_mode),
        ):
            combo.setCurrentIndex(combo.findData(value.value))
        self.group_deducts.setChecked(policy.group_noshow_deducts)
        self.private_deducts.setChecked(policy.private_noshow_deducts)
        self.group_threshold.setValue(policy.group_noshow_threshold)
        self.private_threshold.setValue(policy.private_noshow_threshold)
        self.group_window.setValue(policy.group_noshow_window_days)
        self.private_window.setValue(policy.private_noshow_window_days)
        self.hold.setValue(policy.waitlist_hold_minutes)
        self.cutoff.setValue(policy.waitlist_cutoff_minutes)
        self.auto_noshow.setValue(policy.auto_noshow_after_hours or 0)
        self.loaded.emit(policy)

    def changes(self) -> dict[str, object]:
        # The token is never shown back; it only changes when a new one is typed.
        token = {"relay_token": self.relay_token.text().strip()} if self.relay_token.text() else {}
        return token | {
            "relay_url": self.relay_url.text().strip(),
            "studio_name": self.studio_name.text().strip(),
            "timezone": self.timezone.currentText().strip(),
            "currency": self.currency.text().strip(),
            "phone_region": self.phone_region.text().strip().upper(),
            "late_cancel_hours": self.late_hours.value(),
            "group_late_cancel_policy": LateCancelPolicy(self.group_late.currentData()),
            "private_late_cancel_policy": LateCancelPolicy(self.private_late.currentData()),
            "group_noshow_deducts": self.group_deducts.isChecked(),
            "private_noshow_deducts": self.private_deducts.isChecked(),
            "group_noshow_threshold": self.group_threshold.value(),
            "private_noshow_threshold": self.private_threshold.value(),
            "group_noshow_window_days": self.group_window.value(),
            "private_noshow_window_days": self.private_window.value(),
            "waitlist_mode": WaitlistMode(self.waitlist_mode.currentData()),
            "waitlist_hold_minutes": self.hold.value(),
            "waitlist_cutoff_minutes": self.cutoff.value(),
            "auto_noshow_after_hours": self.auto_noshow.value() or None,
        }

    def save(self) -> None:
        changes, actor = self.changes(), self.ctx.who.actor
        self.message.clear_message()
        self.ctx.background.write(
            lambda s: update_policy(s, actor=actor, **changes),
            changes=[worker.SETTINGS, worker.SCHEDULE],
            owner=self,
        ).success(self._saved).failure(self.message.show_error).run()

    def _saved(self, policy: StudioPolicy) -> None:
        self.message.show_ok("Settings saved.")
        self.saved.emit(policy)
