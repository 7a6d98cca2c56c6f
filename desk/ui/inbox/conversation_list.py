"""The left column: one row per conversation (name, time, last words, unread, needs staff)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout

from desk.domain.timeutil import day_month
from desk.services.inbox import Conversation
from desk.ui.inbox.look import row_style, unread_style
from desk.ui.widgets.common import Badge, label

ROW_HEIGHT = 68


def when_text(instant: datetime, now: datetime, tz: ZoneInfo) -> str:
    """14:02 today, "Yesterday", a weekday this week, else the date."""
    local, today = instant.astimezone(tz), now.astimezone(tz).date()
    days = (today - local.date()).days
    if days <= 0:
        return f"{local:%H:%M}"
    if days == 1:
        return "Yesterday"
    if days < 7:
        return f"{local:%a}"
    return day_month(local)


class ConversationRow(QFrame):
    def __init__(self, conversation: Conversation, when: str) -> None:
        super().__init__()
        self.setObjectName("ConversationRow")
        self.conversation = conversation
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 8)
        column.setSpacing(3)
        top = QHBoxLayout()
        top.setSpacing(6)
        self.name = label(conversation.name)
        self.name.setStyleSheet("font-weight: 600;" if conversation.unread else "")
        top.addWidget(self.name, 1)
        self.flag = Badge("needs staff" if conversation.needs_staff else "", "warn")
        self.flag.setObjectName("NeedsStaffBadge")
        top.addWidget(self.flag)
        top.addWidget(label(when, role="muted"))
        column.addLayout(top)
        bottom = QHBoxLayout()
        prefix = "" if conversation.last_from_member else "You: "
        self.preview = label(prefix + conversation.last_text, role="muted")
        self.preview.setMinimumWidth(10)
        bottom.addWidget(self.preview, 1)
        self.unread = label(str(conversation.unread) if conversation.unread else "")
        self.unread.setObjectName("UnreadCount")
        self.unread.setStyleSheet(unread_style())
        self.unread.setVisible(conversation.unread > 0)
        bottom.addWidget(self.unread)
        column.addLayout(bottom)
        self.set_selected(False)

    def set_selected(self, selected: bool) -> None:
        self.setStyleSheet(row_style(selected=selected))

    def resizeEvent(self, event) -> None:
        # Elide the last message to the row's width instead of widening the column.
        text = ("" if self.conversation.last_from_member else "You: ") + self.conversation.last_text
        metrics = self.preview.fontMetrics()
        room = max(40, self.width() - 70)
        self.preview.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, room))
        super().resizeEvent(event)


class ConversationList(QListWidget):
    """Keeps the selection on the same number across refreshes."""

    picked = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("ConversationList")
        self.setStyleSheet(
            "QListWidget#ConversationList { border: none; }"
            " QListWidget#ConversationList::item { padding: 0; margin: 0; border: none; }"
            " QListWidget#ConversationList::item:selected { background: transparent; }"
        )
        self.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.currentItemChanged.connect(self._current_changed)
        self.rows: dict[str, ConversationRow] = {}
        self._filling = False

    def show_conversations(
        self, conversations: list[Conversation], now: datetime, tz: ZoneInfo, keep: str | None
    ) -> None:
        self._filling = True
        try:
            self.clear()
            self.rows = {}
            for conversation in conversations:
                item = QListWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, conversation.wa_id)
                item.setSizeHint(QSize(100, ROW_HEIGHT))
                row = ConversationRow(conversation, when_text(conversation.last_at, now, tz))
                self.addItem(item)
                self.setItemWidget(item, row)
                self.rows[conversation.wa_id] = row
                if conversation.wa_id == keep:
                    self.setCurrentItem(item)
                    row.set_selected(True)
        finally:
            self._filling = False

    def select(self, wa_id: str) -> bool:
        for index in range(self.count()):
            item = self.item(index)
            if item.data(Qt.ItemDataRole.UserRole) == wa_id:
                self.setCurrentItem(item)
                return True
        return False

    def _current_changed(self, current: QListWidgetItem | None, previous) -> None:
        for wa_id, row in self.rows.items():
            row.set_selected(
                current is not None and current.data(Qt.ItemDataRole.UserRole) == wa_id
            )
        if current is not None and not self._filling:
            self.picked.emit(str(current.data(Qt.ItemDataRole.UserRole)))
