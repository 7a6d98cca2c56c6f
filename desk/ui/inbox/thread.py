"""The middle and right of the Inbox: the messages as bubbles, a reply box, and the member."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk.domain.enums import EntitlementStatus
from desk.services.inbox import TEXT_MAX, ConversationThread, ThreadMessage
from desk.ui.formatting import STATUS_WORDS, balance_badge, day, day_time, remaining_text
from desk.ui.inbox.look import bubble_style
from desk.ui.widgets.common import Badge, Card, InlineMessage, button, clear_layout, label

BUBBLE_MAX = 460
#: How staff read an outbound message's delivery state.
DELIVERY_WORDS = {
    "pending": "waiting to send",
    "queued": "sending",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "not delivered",
    "needs_template": "not sent (24-hour window closed)",
    "unknown": "may not have arrived",
}


class Bubble(QFrame):
    def __init__(self, message: ThreadMessage, tz: ZoneInfo) -> None:
        super().__init__()
        self.setObjectName("Bubble")
        self.message = message
        failed = message.status in ("failed", "needs_template", "unknown")
        self.setStyleSheet(
            bubble_style(
                from_member=message.from_member, flagged=message.needs_staff, failed=failed
            )
        )
        self.setMaximumWidth(BUBBLE_MAX)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 6)
        column.setSpacing(3)
        self.text = label(message.text, wrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.text)
        self.meta = label(self._meta(tz, failed), role="muted")
        self.meta.setStyleSheet("font-size: 8.5pt;")
        column.addWidget(self.meta)
        # A wrapping label shrinks to its narrowest; give short messages their natural width.
        self.text.ensurePolished()
        self.meta.ensurePolished()
        widest = max(
            self.text.fontMetrics().horizontalAdvance(line) for line in message.text.split("\n")
        )
        meta_width = self.meta.fontMetrics().horizontalAdvance(self.meta.text())
        self.text.setMinimumWidth(min(max(widest, meta_width) + 8, BUBBLE_MAX - 24))

    def _meta(self, tz: ZoneInfo, failed: bool) -> str:
        m = self.message
        parts = [f"{m.at.astimezone(tz):%a %H:%M}"]
        if m.from_member:
            if m.needs_staff:
                parts.append("needs staff")
        else:
            parts.append(m.staff_name or "Assistant")
            parts.append(DELIVERY_WORDS.get(m.status, m.status))
            if failed and m.error:
                parts.append(m.error)
        return " · ".join(parts)


class MessagesArea(QScrollArea):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("Messages")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.inner = QWidget()
        self.inner.setObjectName("MessagesInner")
        self.column = QVBoxLayout(self.inner)
        self.column.setContentsMargins(16, 12, 16, 12)
        self.column.setSpacing(8)
        self.setWidget(self.inner)
        self.bubbles: list[Bubble] = []

    def show_messages(self, messages: list[ThreadMessage], tz: ZoneInfo) -> None:
        clear_layout(self.column)
        self.bubbles = []
        self.column.addStretch(1)
        for message in messages:
            bubble = Bubble(message, tz)
            row = QHBoxLayout()
            if message.from_member:
                row.addWidget(bubble)
                row.addStretch(1)
            else:
                row.addStretch(1)
                row.addWidget(bubble)
            self.column.addLayout(row)
            self.bubbles.append(bubble)
        QTimer.singleShot(0, self._to_bottom)

    def _to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())


class ReplyBox(QWidget):
    """Type, Ctrl+Enter or Send; the text goes to the outbox, the sync worker sends it."""

    send = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 6, 16, 12)
        column.setSpacing(6)
        self.closed = label("", role="notice", wrap=True)
        self.closed.hide()
        column.addWidget(self.closed)
        row = QHBoxLayout()
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("ReplyEditor")
        self.editor.setPlaceholderText("Write a reply… (Ctrl+Enter sends)")
        self.editor.setFixedHeight(64)
        row.addWidget(self.editor, 1)
        self.send_button = button("Send", kind="primary", on_click=self._send)
        self.send_button.setObjectName("SendReply")
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        column.addLayout(row)
        self.counter = label("", role="muted")
        column.addWidget(self.counter)
        self.editor.textChanged.connect(self._count)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self.editor, activated=self._send)
        self._count()

    def set_window(self, closes_at: datetime | None, tz: ZoneInfo, sendable: bool) -> None:
        if not sendable:
            why = "This sender has no phone number WhatsApp can reply to; contact them another way."
        elif closes_at is None:
            why = (
                "More than 24 hours since they last wrote: WhatsApp only allows approved "
                "templates now. Call the member instead."
            )
        else:
            why = ""
        self.closed.setText(why)
        self.closed.setVisible(bool(why))
        self.editor.setEnabled(not why)
        self.send_button.setEnabled(not why)
        if closes_at is not None and sendable:
            self.editor.setPlaceholderText(
                f"Write a reply… (Ctrl+Enter sends; you can write until "
                f"{closes_at.astimezone(tz):%a %H:%M})"
            )

    def _count(self) -> None:
        length = len(self.editor.toPlainText().strip())
        self.counter.setText(f"{length} / {TEXT_MAX}" if length > TEXT_MAX * 0.8 else "")

    def _send(self) -> None:
        text = self.editor.toPlainText().strip()
        if text and self.send_button.isEnabled():
            self.send.emit(text)

    def sent(self) -> None:
        self.editor.clear()


class MemberPanel(Card):
    """Who is writing, what they can pay with, what they have booked, and the quick actions."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("MemberPanel")
        self.setFixedWidth(270)
        self.name = label("", role="h2", wrap=True)
        self.phone = label("", role="muted")
        self.phone.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge = Badge()
        self.badge.setObjectName("InboxBalanceBadge")
        self.body.addWidget(self.name)
        self.body.addWidget(self.phone)
        self.body.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addSpacing(4)
        self.body.addWidget(label("Packages", role="muted"))
        self.packages = QVBoxLayout()
        self.packages.setSpacing(2)
        self.body.addLayout(self.packages)
        self.body.addSpacing(4)
        self.body.addWidget(label("Upcoming", role="muted"))
        self.bookings = QVBoxLayout()
        self.bookings.setSpacing(2)
        self.body.addLayout(self.bookings)
        self.body.addStretch(1)
        self.book_button = button("Book a class…")
        self.book_button.setObjectName("QuickBook")
        self.cancel_button = button("Cancel a booking…")
        self.cancel_button.setObjectName("QuickCancel")
        self.body.addWidget(self.book_button)
        self.body.addWidget(self.cancel_button)
        self.lead_hint = label(
            "Not a member yet: add them on the Members page to book for them.",
            role="muted",
            wrap=True,
        )
        self.body.addWidget(self.lead_hint)

    def show_thread(self, thread: ConversationThread, now: datetime, tz: ZoneInfo) -> None:
        conversation = thread.conversation
        self.name.setText(conversation.name)
        self.phone.setText(conversation.phone)
        is_member = conversation.member_id is not None
        today = now.astimezone(tz).date()
        text, tone = balance_badge(thread.balance, today) if is_member else ("new lead", "info")
        self.badge.set(text, tone)
        clear_layout(self.packages)
        clear_layout(self.bookings)
        shown = [e for e in thread.balance if e.status is not EntitlementStatus.VOIDED]
        for view in shown[:4]:
            until = f", until {day(view.expires_on)}" if view.expires_on else ""
            state = (
                "" if view.status is EntitlementStatus.ACTIVE else f" ({STATUS_WORDS[view.status]})"
            )
            self.packages.addWidget(
                label(f"{view.name}: {remaining_text(view)}{until}{state}", wrap=True)
            )
        if not shown:
            self.packages.addWidget(label("none" if is_member else "—", role="muted"))
        for booking in thread.upcoming[:5]:
            when = booking.starts_at.astimezone(tz)
            self.bookings.addWidget(label(f"{day_time(when)} · {booking.service_name}", wrap=True))
        if not thread.upcoming:
            self.bookings.addWidget(label("nothing booked" if is_member else "—", role="muted"))
        self.book_button.setVisible(is_member)
        self.cancel_button.setVisible(is_member)
        self.cancel_button.setEnabled(bool(thread.upcoming))
        self.lead_hint.setVisible(not is_member)


class ThreadHeader(QWidget):
    handled = Signal()

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 10, 16, 6)
        self.title = label("", role="h2")
        self.flag = Badge("", "warn")
        self.flag.setObjectName("ThreadNeedsStaff")
        row.addWidget(self.title)
        row.addWidget(self.flag)
        row.addStretch(1)
        self.handled_button = button("Mark handled", on_click=self.handled.emit)
        self.handled_button.setObjectName("MarkHandled")
        row.addWidget(self.handled_button)
        self.message = InlineMessage()

    def show_thread(self, thread: ConversationThread) -> None:
        conversation = thread.conversation
        self.title.setText(conversation.name)
        self.flag.set("needs staff" if conversation.needs_staff else "", "warn")
        self.handled_button.setVisible(conversation.needs_staff)
