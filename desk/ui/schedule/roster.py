"""The class roster: who sits where, check-in / no-show / cancel / undo (a check-in or a
no-show) / move, add a member, and the waitlist. Every action is one service call on the
worker; errors show right here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desk.domain.enums import BookingStatus
from desk.services import attendance, cancellation, noshow_undo
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.formatting import day_time
from desk.ui.schedule.roster_booking import BookingBox
from desk.ui.schedule.roster_data import RosterData, SeatLine, load_roster
from desk.ui.schedule.roster_dialogs import (
    UNDO_AND_CHECK_IN,
    WAIVE,
    MoveDialog,
    ask_cancel,
    ask_undo_noshow,
    checked_in_words,
    noshow_undone_words,
)
from desk.ui.table_model import Column, RowsModel
from desk.ui.widgets.common import Badge, InlineMessage, button, confirm, label
from desk.ui.widgets.tables import selected_row, table

UNDO_SECONDS = 12

STATUS_WORDS = {
    BookingStatus.BOOKED: "Booked",
    BookingStatus.COMPLETED: "Checked in",
    BookingStatus.NO_SHOW: "No-show",
    BookingStatus.CANCELLED: "Cancelled",
    BookingStatus.LATE_CANCELLED: "Late cancel",
}
STATUS_TONES = {BookingStatus.COMPLETED: "good", BookingStatus.NO_SHOW: "bad"}

SEAT_COLUMNS: list[Column[SeatLine]] = [
    Column("Seat", lambda s: str(s.seat_no), sort=lambda s: s.seat_no, align_right=True),
    Column("Member", lambda s: s.member_name),
    Column("Balance", lambda s: s.badge, tone=lambda s: s.tone if s.tone != "info" else None),
    Column(
        "Status",
        lambda s: STATUS_WORDS[s.status],
        tone=lambda s: STATUS_TONES.get(s.status, None if s.holds_seat else "muted"),
    ),
]


class RosterPanel(QWidget):
    loaded = Signal(object)
    #: An action finished (its result), for the undo banner and for tests.
    acted = Signal(object)

    def __init__(self, ctx: DeskContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: RosterData | None = None
        self.class_session_id: int | None = None
        self.dialog: QWidget | None = None
        self._undo: Callable[[], None] | None = None
        self.setMinimumWidth(440)
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(16, 4, 8, 8)
        body.setSpacing(8)
        self._header(body)
        self._seats(body)
        self.booking = BookingBox(ctx, self._act, self.message)
        body.addWidget(self.booking)
        body.addStretch(1)
        self.scroll = scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        # Never narrower than its content (the action buttons): the scroll area only scrolls
        # vertically, so anything wider would be cut off at the right edge.
        bar = scroll.verticalScrollBar().sizeHint().width() + 2 * scroll.frameWidth()
        self.setMinimumWidth(max(440, content.minimumSizeHint().width() + bar))
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.timeout.connect(self._hide_undo)
        ctx.background.changed.connect(self._changed)

    # -- layout -------------------------------------------------------------------------------

    def _header(self, body: QVBoxLayout) -> None:
        top = QHBoxLayout()
        self.title = label("", role="h2")
        self.occupancy = Badge()
        self.occupancy.setObjectName("Occupancy")
        top.addWidget(self.title, 1)
        top.addWidget(self.occupancy)
        body.addLayout(top)
        self.when = label("", role="muted", wrap=True)
        body.addWidget(self.when)
        self.message = InlineMessage()
        body.addWidget(self.message)
        self.undo_row = QWidget()
        row = QHBoxLayout(self.undo_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.undo_text = label("", role="ok", wrap=True)
        self.undo_button = button("Undo", on_click=self.undo)
        row.addWidget(self.undo_text, 1)
        row.addWidget(self.undo_button)
        self.undo_row.hide()
        body.addWidget(self.undo_row)

    def _seats(self, body: QVBoxLayout) -> None:
        self.seat_rows = RowsModel(SEAT_COLUMNS, self)
        self.seat_table = table(self.seat_rows)
        self.seat_table.setObjectName("Seats")
        self.seat_table.setMinimumHeight(310)
        self.seat_table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        body.addWidget(self.seat_table)
        self.seat_hint = label("", role="muted", wrap=True)
        body.addWidget(self.seat_hint)
        actions = QHBoxLayout()
        actions.setSpacing(6)
        self.check_in_button = button("Check in", kind="primary", on_click=self.check_in)
        self.noshow_button = button("No-show", on_click=self.no_show)
        self.cancel_button = button("Cancel…", kind="danger", on_click=self.cancel)
        self.revert_button = button("Undo check-in", on_click=self.revert)
        # Shares the undo slot: a seat is either checked in or a no-show, never both.
        self.undo_noshow_button = button("Undo no-show…", on_click=self.undo_noshow)
        self.undo_noshow_button.hide()
        # One width for both, so swapping them never widens the row past the panel.
        wide = max(
            self.revert_button.sizeHint().width(), self.undo_noshow_button.sizeHint().width()
        )
        for undo in (self.revert_button, self.undo_noshow_button):
            undo.setMinimumWidth(wide)
        self.move_button = button("Move…", on_click=self.move_booking)
        for action in (
            self.check_in_button,
            self.noshow_button,
            self.cancel_button,
            self.revert_button,
            self.undo_noshow_button,
            self.move_button,
        ):
            actions.addWidget(action)
        actions.addStretch(1)
        body.addLayout(actions)

    # -- loading ------------------------------------------------------------------------------

    def show_session(self, class_session_id: int) -> None:
        if class_session_id != self.class_session_id:
            self.message.clear_message()
            self._hide_undo()
            self.booking.reset()
        self.class_session_id = class_session_id
        self.refresh()

    def refresh(self) -> None:
        if self.class_session_id is None:
            return
        cs_id, now = self.class_session_id, self.ctx.now()
        self.ctx.background.read(
            lambda s: load_roster(s, class_session_id=cs_id, now=now),
            owner=self,
        ).success(self._show).failure(self.message.show_error).run()

    def _changed(self, areas: frozenset[str]) -> None:
        if worker.SCHEDULE in areas or worker.SALES in areas:
            self.refresh()

    def _show(self, data: RosterData) -> None:
        if data.row.id != self.class_session_id:
            return
        self.data = data
        tz = ZoneInfo(data.timezone)
        s = data.row.session
        start, end = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
        state = "Cancelled · " if data.row.cancelled else ""
        self.title.setText(s.service_name)
        self.when.setText(
            f"{state}{day_time(start, sep=', ')}–{end:%H:%M} · {s.trainer_name} · "
            f"{s.room_name or 'no room'}"
        )
        self.occupancy.set(data.row.label, data.row.tone)
        chosen = selected_row(self.seat_table)
        self.seat_rows.set_rows(data.seats)
        if chosen is not None and any(x.booking_id == chosen.booking_id for x in data.seats):
            self.select_seat(lambda line: line.booking_id == chosen.booking_id)
        self.seat_hint.setText(self._seat_hint(data))
        self.booking.show_data(data)
        self._enable()
        self._fit_width()
        self.loaded.emit(data)

    def _fit_width(self) -> None:
        """Never narrower than the widest row of buttons plus a scrollbar: with no sideways
        scrolling, anything wider would be cut off at the right edge."""
        content = self.scroll.widget().minimumSizeHint().width()
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(max(440, content + bar + 2 * self.scroll.frameWidth()))

    def _seat_hint(self, data: RosterData) -> str:
        if not data.seats:
            return "Nobody booked yet — add a member below."
        return f"{len(data.free_seats)} free seat(s)."

    def select_seat(self, predicate: Callable[[SeatLine], bool]) -> None:
        proxy = self.seat_table.model()
        for row in range(proxy.rowCount()):
            line = self.seat_rows.row(proxy.mapToSource(proxy.index(row, 0)).row())
            if predicate(line):
                self.seat_table.selectRow(row)
                return
        raise LookupError("no such seat")

    def _enable(self) -> None:
        seat = selected_row(self.seat_table)
        status = seat.status if seat else None
        self.check_in_button.setEnabled(status is BookingStatus.BOOKED)
        self.noshow_button.setEnabled(status is BookingStatus.BOOKED)
        self.cancel_button.setEnabled(status is BookingStatus.BOOKED)
        self.move_button.setEnabled(status is BookingStatus.BOOKED)
        self.revert_button.setEnabled(status is BookingStatus.COMPLETED)
        noshow = status is BookingStatus.NO_SHOW
        self.revert_button.setVisible(not noshow)
        self.undo_noshow_button.setVisible(noshow)
        self.undo_noshow_button.setEnabled(noshow)

    # -- running actions ----------------------------------------------------------------------

    def _act(self, work: Callable[[Session], Any], done: Callable[[Any], None] | None = None):
        self.message.clear_message()
        self.booking.hide_offers()

        def finished(result: Any) -> None:
            if done is not None:
                done(result)
            self.acted.emit(result)

        self.ctx.background.write(
            work, changes=[worker.SCHEDULE, worker.MEMBERS, worker.SALES], owner=self
        ).success(finished).failure(self._refused).run()

    def _refused(self, error: BaseException) -> None:
        self.message.show_error(error)
        self.booking.refused(error)
        self.acted.emit(error)

    def _seat(self) -> SeatLine | None:
        seat = selected_row(self.seat_table)
        if seat is None:
            self.message.show_error("Pick a seat in the list first.")
        return seat

    def check_in(self) -> None:
        seat = self._seat()
        if seat is None:
            return
        actor, now = self.ctx.who.actor, self.ctx.now()

        def done(result: attendance.AttendanceResult) -> None:
            text = checked_in_words(seat.member_name, result.consumption)
            self._offer_undo(f"{text}.", lambda: self._revert(seat))

        self._act(
            lambda s: attendance.complete(s, booking_id=seat.booking_id, actor=actor, now=now), done
        )

    def revert(self) -> None:
        seat = self._seat()
        if seat is not None:
            self._revert(seat)

    def _revert(self, seat: SeatLine) -> None:
        actor, now = self.ctx.who.actor, self.ctx.now()
        self._hide_undo()
        self._act(
            lambda s: attendance.revert_completion(
                s, booking_id=seat.booking_id, actor=actor, now=now
            )
        )

    def no_show(self) -> None:
        seat = self._seat()
        if seat is None or not confirm(
            self,
            "Mark no-show",
            f"Mark {seat.member_name} as a no-show? It stays on their record and may cost "
            "a session under the studio's policy; the seat goes to the waitlist.",
            action="Mark no-show",
            danger=True,
        ):
            return
        actor, now = self.ctx.who.actor, self.ctx.now()

        def done(_result: attendance.NoShowResult) -> None:
            self._offer_undo(
                f"{seat.member_name} marked as a no-show.",
                lambda: self._undo_noshow(seat, check_in=False),
            )

        self._act(
            lambda s: attendance.mark_noshow(s, booking_id=seat.booking_id, actor=actor, now=now),
            done,
        )

    def undo_noshow(self) -> None:
        seat = self._seat()
        if seat is None:
            return
        answer = ask_undo_noshow(self, seat)
        if answer is not None:
            self._undo_noshow(seat, check_in=answer == UNDO_AND_CHECK_IN)

    def _undo_noshow(self, seat: SeatLine, *, check_in: bool) -> None:
        actor, now = self.ctx.who.actor, self.ctx.now()
        self._hide_undo()
        self._act(
            lambda s: noshow_undo.undo_noshow(
                s, booking_id=seat.booking_id, actor=actor, check_in=check_in, now=now
            ),
            lambda result: self.message.show_ok(noshow_undone_words(seat, result)),
        )

    def cancel(self) -> None:
        seat = self._seat()
        if seat is None:
            return
        now = self.ctx.now()
        self.ctx.background.read(
            lambda s: cancellation.cancellation_preview(s, booking_id=seat.booking_id, now=now),
            owner=self,
        ).success(lambda preview: self._confirm_cancel(seat, preview)).failure(
            self.message.show_error
        ).run()

    def _confirm_cancel(self, seat: SeatLine, preview: cancellation.CancellationPreview) -> None:
        answer = ask_cancel(self, seat, preview.message, preview.late)
        if answer is None:
            return
        actor, now, waive = self.ctx.who.actor, self.ctx.now(), answer == WAIVE
        self._act(
            lambda s: cancellation.cancel(
                s, booking_id=seat.booking_id, actor=actor, waive=waive, now=now
            ),
            lambda result: self.message.show_ok(result.message),
        )

    def move_booking(self) -> MoveDialog | None:
        seat = self._seat()
        if seat is None or self.data is None:
            return None
        dialog = MoveDialog(self.ctx, seat, self.data.row, self)
        dialog.setModal(True)
        dialog.show()
        self.dialog = dialog
        return dialog

    # -- undo ---------------------------------------------------------------------------------

    def _offer_undo(self, text: str, undo: Callable[[], None]) -> None:
        self._undo = undo
        self.undo_text.setText(text)
        self.undo_row.show()
        self._undo_timer.start(UNDO_SECONDS * 1000)

    def _hide_undo(self) -> None:
        self._undo = None
        self.undo_row.hide()

    def undo(self) -> None:
        if self._undo is not None:
            self._undo()
