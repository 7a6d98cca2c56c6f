"""The lower half of the roster: book a member (any seat or a chosen one) and the waitlist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desk.domain.enums import WaitlistMode, WaitlistStatus
from desk.domain.errors import ClassFull, NoEntitlement
from desk.services import booking, waitlist, waitlist_desk
from desk.services.members import MemberProfile
from desk.ui.context import DeskContext
from desk.ui.schedule.roster_data import RosterData, WaitLine
from desk.ui.widgets.common import InlineMessage, button, label
from desk.ui.widgets.member_picker import MemberPicker

Act = Callable[[Callable[[Session], Any], Callable[[Any], None] | None], None]


class BookingBox(QWidget):
    """Calls back into the panel's `act` so every write reports in the same place."""

    def __init__(self, ctx: DeskContext, act: Act, message: InlineMessage, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.act = act
        self.message = message
        self.data: RosterData | None = None
        self.member: MemberProfile | None = None
        body = QVBoxLayout(self)
        body.setContentsMargins(0, 6, 0, 0)
        body.setSpacing(8)
        body.addWidget(label("Add a member", role="h2"))
        self.picker = MemberPicker(ctx.background, placeholder="Find a member to book…")
        self.picker.results.setMaximumHeight(110)
        self.picker.picked.connect(self._picked)
        body.addWidget(self.picker)
        row = QHBoxLayout()
        self.chosen = label("", role="muted")
        self.seat_choice = QComboBox()
        self.seat_choice.setObjectName("SeatChoice")
        self.seat_choice.setMinimumWidth(130)
        self.book_button = button("Book", kind="primary", on_click=lambda: self.book())
        self.book_button.setEnabled(False)
        row.addWidget(self.chosen, 1)
        row.addWidget(self.seat_choice)
        row.addWidget(self.book_button)
        body.addLayout(row)
        offers = QHBoxLayout()
        self.join_button = button("Join the waitlist", kind="primary", on_click=self.join)
        self.drop_in_button = button(
            "Book as drop-in (pays at the desk)", on_click=lambda: self.book(drop_in=True)
        )
        for offer in (self.join_button, self.drop_in_button):
            offer.hide()
            offers.addWidget(offer)
        offers.addStretch(1)
        body.addLayout(offers)
        body.addSpacing(6)
        self.waitlist_title = label("Waitlist", role="h2")
        body.addWidget(self.waitlist_title)
        self.waiting = QListWidget()
        self.waiting.setObjectName("Waitlist")
        self.waiting.setMaximumHeight(120)
        self.waiting.currentItemChanged.connect(lambda *_: self.enable())
        body.addWidget(self.waiting)
        self.waitlist_hint = label("Nobody waiting.", role="muted")
        body.addWidget(self.waitlist_hint)
        actions = QHBoxLayout()
        self.promote_button = button("Book into a free seat", on_click=self.promote)
        self.offer_button = button("Send offer now", on_click=self.send_offer)
        self.offer_button.setToolTip(
            "Hold a free seat for the chosen member (or the next in line when nobody is chosen) "
            "and send them the WhatsApp offer now."
        )
        self.offer_button.hide()  # only for classes whose waitlist works by offers
        self.accept_button = button("Accept offer", on_click=self.accept_offer)
        self.leave_button = button("Remove", on_click=self.remove)
        for action in (
            self.promote_button,
            self.offer_button,
            self.accept_button,
            self.leave_button,
        ):
            actions.addWidget(action)
        actions.addStretch(1)
        body.addLayout(actions)

    # -- state --------------------------------------------------------------------------------

    def reset(self) -> None:
        self.picker.reset()
        self.member = None
        self.chosen.setText("")
        self.hide_offers()
        self.enable()

    def hide_offers(self) -> None:
        self.join_button.hide()
        self.drop_in_button.hide()

    def refused(self, error: BaseException) -> None:
        self.join_button.setVisible(isinstance(error, ClassFull) and self.member is not None)
        self.drop_in_button.setVisible(isinstance(error, NoEntitlement) and self.member is not None)

    def show_data(self, data: RosterData) -> None:
        self.data = data
        self.seat_choice.clear()
        self.seat_choice.addItem("Any free seat", 0)
        for seat_no in data.free_seats:
            self.seat_choice.addItem(f"Seat {seat_no}", seat_no)
        tz = ZoneInfo(data.timezone)
        self.waiting.clear()
        now = self.ctx.now()
        for line in data.waitlist:
            offer = ""
            if line.status is WaitlistStatus.OFFERED and line.offer_expires_at:
                until = line.offer_expires_at
                word = "offered until" if until > now else "offer ran out at"
                offer = f"  · {word} {until.astimezone(tz):%H:%M}"
            item = QListWidgetItem(f"#{line.position}  {line.member_name}  · {line.badge}{offer}")
            item.setData(Qt.ItemDataRole.UserRole, line)
            self.waiting.addItem(item)
        self.waitlist_title.setText(f"Waitlist ({len(data.waitlist)})")
        self.waiting.setVisible(bool(data.waitlist))
        self.waitlist_hint.setVisible(not data.waitlist)
        self.enable()

    def enable(self) -> None:
        line = self._current()
        free = bool(self.data and self.data.free_seats)
        self.promote_button.setEnabled(line is not None and free)
        by_message = self.data is not None and self.data.waitlist_mode is WaitlistMode.OFFER
        self.offer_button.setVisible(by_message)
        someone_waits = self.data is not None and any(
            w.status is WaitlistStatus.WAITING for w in self.data.waitlist
        )
        self.offer_button.setEnabled(
            by_message
            and someone_waits
            and (line is None or line.status is WaitlistStatus.WAITING)
            and self.data is not None
            and self.data.seats_to_offer > 0
        )
        self.accept_button.setEnabled(line is not None and line.status is WaitlistStatus.OFFERED)
        self.leave_button.setEnabled(line is not None)
        self.book_button.setEnabled(self.member is not None and self.data is not None)

    def _current(self) -> WaitLine | None:
        item = self.waiting.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _picked(self, member: MemberProfile) -> None:
        self.member = member
        self.chosen.setText(member.full_name)
        self.hide_offers()
        self.enable()

    def choose_seat(self, seat_no: int) -> None:
        self.seat_choice.setCurrentIndex(self.seat_choice.findData(seat_no))

    # -- actions ------------------------------------------------------------------------------

    def book(self, *, drop_in: bool = False) -> None:
        if self.member is None or self.data is None:
            return
        member_id, cs_id = self.member.id, self.data.row.id
        seat_no = self.seat_choice.currentData() or None
        actor, now = self.ctx.who.actor, self.ctx.now()
        self.act(
            lambda s: booking.book(
                s,
                class_session_id=cs_id,
                member_id=member_id,
                actor=actor,
                seat_no=seat_no,
                drop_in=drop_in,
                now=now,
            ),
            lambda _r: self.reset(),
        )

    def join(self) -> None:
        if self.member is None or self.data is None:
            return
        member_id, cs_id = self.member.id, self.data.row.id
        actor, now = self.ctx.who.actor, self.ctx.now()

        def joined(place: waitlist.WaitlistPlace) -> None:
            self.reset()
            self.message.show_ok(f"On the waitlist: {place.label}.")

        self.act(
            lambda s: waitlist.join(
                s, class_session_id=cs_id, member_id=member_id, actor=actor, now=now
            ),
            joined,
        )

    def _line(self) -> WaitLine | None:
        line = self._current()
        if line is None:
            self.message.show_error("Pick someone on the waitlist first.")
        return line

    def promote(self) -> None:
        line = self._line()
        if line is None or self.data is None:
            return
        cs_id, actor, now = self.data.row.id, self.ctx.who.actor, self.ctx.now()
        self.act(
            lambda s: booking.book(
                s, class_session_id=cs_id, member_id=line.member_id, actor=actor, now=now
            ),
            None,
        )

    def send_offer(self) -> None:
        """To the chosen member, or to the next one waiting when nobody is chosen."""
        if self.data is None:
            return
        line = self._current()
        entry_id = line.entry_id if line is not None else None
        cs_id, actor, now = self.data.row.id, self.ctx.who.actor, self.ctx.now()
        tz, names = (
            ZoneInfo(self.data.timezone),
            {w.entry_id: w.member_name for w in self.data.waitlist},
        )

        def sent(offer: waitlist_desk.OfferSent) -> None:
            self.ctx.send_queued_messages()  # the offer is time-limited: send it right away
            until = offer.offer_expires_at.astimezone(tz)
            who = names.get(offer.entry_id, "the member")
            self.message.show_ok(
                f"Seat held for {who} until {until:%H:%M}; the WhatsApp offer goes out with "
                "the next sync."
            )

        self.act(
            lambda s: waitlist_desk.offer_now(
                s, class_session_id=cs_id, entry_id=entry_id, actor=actor, now=now
            ),
            sent,
        )

    def accept_offer(self) -> None:
        line = self._line()
        if line is not None:
            actor, now = self.ctx.who.actor, self.ctx.now()
            self.act(
                lambda s: waitlist.accept_offer(s, entry_id=line.entry_id, actor=actor, now=now),
                None,
            )

    def remove(self) -> None:
        line = self._line()
        if line is None or self.data is None:
            return
        cs_id, actor, now = self.data.row.id, self.ctx.who.actor, self.ctx.now()
        self.act(
            lambda s: waitlist.leave(
                s, class_session_id=cs_id, member_id=line.member_id, actor=actor, now=now
            ),
            None,
        )
