"""The Inbox page: conversations on the left, the open one in the middle, the member on the right.

Everything is read and written through desk/services/inbox.py on the background worker. New
messages arrive through the sync worker on its own threads, so the page re-reads while it is
shown (every few seconds, and whenever `refresh()` is called, e.g. from SyncBridge.synced).
A staff reply goes into the outbox; `reply_queued` lets the window nudge the sync worker.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desk.services import inbox
from desk.services.inbox import Conversation, ConversationThread
from desk.services.settings import get_policy
from desk.ui.context import DeskContext
from desk.ui.inbox.conversation_list import ConversationList
from desk.ui.inbox.dialogs import BookDialog, CancelDialog
from desk.ui.inbox.thread import MemberPanel, MessagesArea, ReplyBox, ThreadHeader
from desk.ui.widgets.common import EmptyState, InlineMessage, button, label

REFRESH_MS = 4000
#: Write areas (Background.changed) that can change what the Inbox shows.
INBOX = "inbox"


def _list_read(session: Session) -> tuple[list[Conversation], ZoneInfo]:
    return inbox.conversations(session, limit=200), get_policy(session).tz


class InboxView(QWidget):
    #: A staff reply is in the outbox (its key): the sync worker can send it now.
    reply_queued = Signal(str)
    #: The conversation list was shown (how many conversations).
    listed = Signal(int)
    #: A thread was shown (its wa_id).
    opened = Signal(str)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tz: ZoneInfo | None = None
        self.current: str | None = None
        self.thread: ConversationThread | None = None
        self.conversations: list[Conversation] = []
        self.dialog: QWidget | None = None
        self._loading_list = False
        self._filter_flagged = False
        self._fingerprint: tuple[object, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)
        layout.addLayout(self._head())
        splitter = QSplitter()
        splitter.addWidget(self._left())
        splitter.addWidget(self._right())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 900])
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        ctx.background.changed.connect(self._changed)
        self.refresh()

    # -- building -----------------------------------------------------------------------------

    def _head(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(label("Inbox", role="h1"))
        self.summary = label("", role="muted")
        row.addSpacing(8)
        row.addWidget(self.summary)
        row.addStretch(1)
        self.filter_button = button("Needs staff only", on_click=self._toggle_filter)
        self.filter_button.setObjectName("NeedsStaffFilter")
        self.filter_button.setCheckable(True)
        row.addWidget(self.filter_button)
        return row

    def _left(self) -> QWidget:
        self.list = ConversationList()
        self.list.picked.connect(self.open_conversation)
        self.list_empty = EmptyState(
            "No messages yet",
            "When members write to the studio's WhatsApp number, their conversations appear here.",
        )
        self.left = QStackedWidget()
        self.left.addWidget(self.list_empty)
        self.left.addWidget(self.list)
        self.left.setMinimumWidth(280)
        return self.left

    def _right(self) -> QWidget:
        self.header = ThreadHeader()
        self.header.handled.connect(self.mark_handled)
        self.messages = MessagesArea()
        self.reply = ReplyBox()
        self.reply.send.connect(self.send_reply)
        self.notice = InlineMessage()
        middle = QWidget()
        column = QVBoxLayout(middle)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        column.addWidget(self.messages, 1)
        notice_row = QHBoxLayout()
        notice_row.setContentsMargins(16, 4, 16, 0)
        notice_row.addWidget(self.notice)
        column.addLayout(notice_row)
        column.addWidget(self.reply)
        self.member = MemberPanel()
        self.member.book_button.clicked.connect(lambda _c=False: self.open_book())
        self.member.cancel_button.clicked.connect(lambda _c=False: self.open_cancel())
        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        row.addWidget(middle, 1)
        row.addWidget(self.member)
        self.nothing = EmptyState("Pick a conversation", "Messages that need staff are flagged.")
        self.right = QStackedWidget()
        self.right.addWidget(self.nothing)
        self.right.addWidget(body)
        return self.right

    # -- reading ------------------------------------------------------------------------------

    def activate(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Re-read the list, and the open thread if there is one."""
        if self._loading_list:
            return
        self._loading_list = True
        self.ctx.background.read(_list_read, owner=self).success(self._show_list).failure(
            self._list_failed
        ).run()

    def _tick(self) -> None:
        """While shown: a cheap look for news, and a full re-read only when there is some."""
        if self.isVisible() and not self._loading_list:
            self.ctx.background.read(inbox.fingerprint, owner=self).success(self._news).run()

    def _news(self, mark: tuple[object, ...]) -> None:
        if mark != self._fingerprint:
            self._fingerprint = mark
            self.refresh()

    def _changed(self, areas: frozenset[str]) -> None:
        if INBOX in areas or "schedule" in areas or "sales" in areas:
            self.refresh()

    def _list_failed(self, error: BaseException) -> None:
        self._loading_list = False
        self.notice.show_error(error)

    def _show_list(self, result: tuple[list[Conversation], ZoneInfo]) -> None:
        self._loading_list = False
        everything, self.tz = result
        shown = [c for c in everything if c.needs_staff or not self._filter_flagged]
        self.conversations = shown
        self.list.show_conversations(shown, self.ctx.now(), self.tz, keep=self.current)
        self.left.setCurrentWidget(self.list if shown else self.list_empty)
        flagged = sum(1 for c in everything if c.needs_staff)
        unread = sum(c.unread for c in everything)
        self.summary.setText(f"{unread} unread · {flagged} need staff")
        self.listed.emit(len(shown))
        if self.current is not None and any(c.wa_id == self.current for c in everything):
            self._load_thread(self.current)
            self._read_open_conversation()

    def open_conversation(self, wa_id: str) -> None:
        if wa_id != self.current:
            self.reply.sent()
            self.notice.clear_message()
        self.current = wa_id
        self.list.select(wa_id)
        self._load_thread(wa_id)
        self._read_open_conversation()

    def _read_open_conversation(self) -> None:
        """What staff have on screen is read, including messages arriving while it is open."""
        wa_id = self.current
        summary = next((c for c in self.conversations if c.wa_id == wa_id), None)
        if wa_id is None or summary is None or not summary.unread or not self.isVisible():
            return
        actor, now = self.ctx.who.actor, self.ctx.now()
        self.ctx.background.write(
            lambda s: inbox.mark_read(s, wa_id=wa_id, actor=actor, now=now),
            changes=[INBOX],
            owner=self,
        ).run()

    def _load_thread(self, wa_id: str) -> None:
        now = self.ctx.now()
        self.ctx.background.read(
            lambda s: inbox.thread(s, wa_id=wa_id, now=now), owner=self
        ).success(self._show_thread).run()

    def _show_thread(self, thread: ConversationThread) -> None:
        if thread.conversation.wa_id != self.current or self.tz is None:
            return
        unchanged = self.thread is not None and self.thread == thread
        self.thread = thread
        self.right.setCurrentIndex(1)
        if not unchanged:
            self.header.show_thread(thread)
            self.messages.show_messages(thread.messages, self.tz)
            self.member.show_thread(thread, self.ctx.now(), self.tz)
            self.reply.set_window(
                thread.window_closes_at, self.tz, thread.conversation.wa_id.isdigit()
            )
        self.opened.emit(thread.conversation.wa_id)

    # -- doing --------------------------------------------------------------------------------

    def send_reply(self, text: str) -> None:
        wa_id = self.current
        if wa_id is None:
            return
        actor, now = self.ctx.who.actor, self.ctx.now()
        self.reply.send_button.setEnabled(False)
        self.ctx.background.write(
            lambda s: inbox.staff_reply(s, wa_id=wa_id, text=text, actor=actor, now=now),
            changes=[INBOX],
            owner=self,
        ).success(self._reply_queued).failure(self._reply_refused).run()

    def _reply_queued(self, key: str) -> None:
        self.reply.send_button.setEnabled(True)
        self.reply.sent()
        self.notice.clear_message()
        self.reply_queued.emit(key)

    def _reply_refused(self, error: BaseException) -> None:
        self.reply.send_button.setEnabled(True)
        self.notice.show_error(error)

    def mark_handled(self) -> None:
        wa_id = self.current
        if wa_id is None:
            return
        actor, now = self.ctx.who.actor, self.ctx.now()
        self.ctx.background.write(
            lambda s: inbox.clear_needs_staff(s, wa_id=wa_id, actor=actor, now=now),
            changes=[INBOX],
            owner=self,
        ).failure(self.notice.show_error).run()

    def _toggle_filter(self) -> None:
        self._filter_flagged = self.filter_button.isChecked()
        self.refresh()

    def open_book(self) -> BookDialog | None:
        thread = self.thread
        if thread is None or thread.conversation.member_id is None or self.tz is None:
            return None
        conversation = thread.conversation
        dialog = BookDialog(self.ctx, conversation.member_id, conversation.name, self.tz, self)
        return self._open(dialog)

    def open_cancel(self) -> CancelDialog | None:
        thread = self.thread
        if thread is None or not thread.upcoming or self.tz is None:
            return None
        dialog = CancelDialog(self.ctx, thread.conversation.name, thread.upcoming, self.tz, self)
        return self._open(dialog)

    def _open(self, dialog):  # type: ignore[no-untyped-def]
        dialog.done.connect(self._suggest)
        dialog.setModal(True)
        dialog.show()
        self.dialog = dialog
        return dialog

    def _suggest(self, text: str) -> None:
        """After a quick action: tell staff it worked and offer the member a line about it."""
        self.notice.show_ok("Done. A message for the member is ready below; edit it or send it.")
        if self.reply.editor.isEnabled():
            self.reply.editor.setPlainText(text)
