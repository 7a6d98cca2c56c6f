"""Quick actions from a conversation: book the member into a class, cancel one of their bookings.

Both act as the signed-in staff user through the booking services (the same rules as the
schedule), then hand the Inbox a suggested reply for the member, which staff may send or edit.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from desk.services import booking, cancellation, inbox
from desk.services.inbox import BookableClass, UpcomingBooking
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.formatting import day_time
from desk.ui.widgets.common import InlineMessage, button, label

CHANGES = (worker.SCHEDULE, worker.MEMBERS, worker.SALES, "inbox")


class _ListDialog(QDialog):
    #: The suggested reply to the member ("You're booked: …").
    done = Signal(str)

    def __init__(self, ctx: DeskContext, title: str, action: str, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        self.heading = label(title, role="h2")
        layout.addWidget(self.heading)
        self.choices = QListWidget()
        self.choices.setMinimumHeight(220)
        layout.addWidget(self.choices, 1)
        self.extra = QVBoxLayout()
        layout.addLayout(self.extra)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button("Close", on_click=self.reject))
        self.ok = button(action, kind="primary", on_click=self._submit)
        self.ok.setEnabled(False)
        row.addWidget(self.ok)
        layout.addLayout(row)
        self.choices.currentRowChanged.connect(self._chosen)

    def add_choice(self, text: str, value: object, enabled: bool = True) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, value)
        if not enabled:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        self.choices.addItem(item)

    def chosen(self) -> object | None:
        item = self.choices.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _chosen(self, _row: int) -> None:
        self.message.clear_message()
        self.ok.setEnabled(self.chosen() is not None)

    def _submit(self) -> None:
        raise NotImplementedError

    def _refused(self, error: BaseException) -> None:
        self.ok.setEnabled(True)
        self.message.show_error(error)


class BookDialog(_ListDialog):
    def __init__(self, ctx: DeskContext, member_id: int, name: str, tz: ZoneInfo, parent=None):
        super().__init__(ctx, f"Book {name} into a class", "Book", parent)
        self.member_id = member_id
        self.tz = tz
        self.drop_in = QCheckBox("Drop-in (pays at the desk, no package needed)")
        self.extra.addWidget(self.drop_in)
        self.classes: list[BookableClass] = []
        ctx.background.read(lambda s: inbox.bookable_classes(s, now=ctx.now()), owner=self).success(
            self._show
        ).run()

    def _show(self, classes: list[BookableClass]) -> None:
        self.classes = classes
        for c in classes:
            when = c.starts_at.astimezone(self.tz)
            spots = f"{c.free} free" if c.free else "full"
            text = f"{day_time(when)} · {c.service_name} · {c.trainer_name} · {spots}"
            self.add_choice(text, c.class_session_id, enabled=c.free > 0)
        if not classes:
            self.message.show_notice("No classes in the coming week.")

    def _submit(self) -> None:
        class_session_id = self.chosen()
        if not isinstance(class_session_id, int):
            return
        self.ok.setEnabled(False)
        actor, now, member_id, drop_in = (
            self.ctx.who.actor,
            self.ctx.now(),
            self.member_id,
            self.drop_in.isChecked(),
        )
        self.ctx.background.write(
            lambda s: booking.book(
                s,
                class_session_id=class_session_id,
                member_id=member_id,
                actor=actor,
                drop_in=drop_in,
                now=now,
            ),
            changes=CHANGES,
            owner=self,
        ).success(self._booked).failure(self._refused).run()

    def _booked(self, result: booking.BookingResult) -> None:
        when = result.starts_at.astimezone(self.tz)
        self.done.emit(f"You're booked: {result.service_name}, {day_time(when)}. See you!")
        self.accept()


class CancelDialog(_ListDialog):
    def __init__(
        self,
        ctx: DeskContext,
        name: str,
        upcoming: list[UpcomingBooking],
        tz: ZoneInfo,
        parent=None,
    ):
        super().__init__(ctx, f"Cancel a booking for {name}", "Cancel booking", parent)
        self.ok.setProperty("kind", "danger")
        self.tz = tz
        self.upcoming = {b.booking_id: b for b in upcoming}
        for b in upcoming:
            when = b.starts_at.astimezone(tz)
            self.add_choice(f"{day_time(when)} · {b.service_name} · {b.trainer_name}", b.booking_id)
        self.consequence = label("", role="muted", wrap=True)
        self.extra.addWidget(self.consequence)

    def _chosen(self, row: int) -> None:
        super()._chosen(row)
        booking_id = self.chosen()
        if not isinstance(booking_id, int):
            return
        now = self.ctx.now()
        self.ctx.background.read(
            lambda s: cancellation.cancellation_preview(s, booking_id=booking_id, now=now),
            owner=self,
        ).success(lambda preview: self.consequence.setText(preview.message)).run()

    def _submit(self) -> None:
        booking_id = self.chosen()
        if not isinstance(booking_id, int):
            return
        self.ok.setEnabled(False)
        actor, now = self.ctx.who.actor, self.ctx.now()
        self.ctx.background.write(
            lambda s: cancellation.cancel(
                s, booking_id=booking_id, actor=actor, reason="from the WhatsApp inbox", now=now
            ),
            changes=CHANGES,
            owner=self,
        ).success(lambda _result: self._cancelled(booking_id)).failure(self._refused).run()

    def _cancelled(self, booking_id: int) -> None:
        b = self.upcoming[booking_id]
        when = b.starts_at.astimezone(self.tz)
        self.done.emit(f"Your {b.service_name} booking on {day_time(when)} is cancelled.")
        self.accept()
