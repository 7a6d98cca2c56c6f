"""Questions the roster asks (cancel with the late-cancel warning, undo a no-show, move to
another class) and the words it says back after a check-in or an undone no-show."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desk.services import cancellation
from desk.services.ledger import Consumption
from desk.services.noshow_undo import NoShowUndone
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.formatting import day_time
from desk.ui.schedule.data import Calendar, CalendarRow, load_calendar
from desk.ui.schedule.roster_data import SeatLine
from desk.ui.widgets.common import InlineMessage, button, label

CANCEL, WAIVE = "cancel", "waive"
UNDO_AND_CHECK_IN, UNDO_TO_BOOKED = "check_in", "booked"
MOVE_DAYS_AHEAD = 14


def _ask(
    parent: QWidget,
    *,
    name: str,
    title: str,
    icon: QMessageBox.Icon,
    text: str,
    detail: str,
    answers: list[tuple[str, str]],
    keep: str,
) -> str | None:
    """A question with answers (the first is the default) and a button that keeps things as
    they are; returns the chosen answer, or None for `keep`."""
    box = QMessageBox(parent)
    box.setObjectName(name)
    box.setWindowTitle(title)
    box.setIcon(icon)
    box.setText(text)
    box.setInformativeText(detail)
    role = QMessageBox.ButtonRole.AcceptRole
    buttons = {}
    for caption, answer in answers:
        buttons[answer] = box.addButton(caption, role)
        role = QMessageBox.ButtonRole.ActionRole
    box.addButton(keep, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(buttons[answers[0][1]])
    box.exec()
    clicked = box.clickedButton()
    return next((answer for answer, b in buttons.items() if b is clicked), None)


def ask_cancel(parent: QWidget, seat: SeatLine, consequence: str, late: bool) -> str | None:
    """CANCEL, WAIVE (late cancellations only) or None when staff keep the booking."""
    answers = [("Cancel booking", CANCEL)]
    if late:
        answers.append(("Cancel, waive the charge", WAIVE))
    return _ask(
        parent,
        name="ConfirmCancel",
        title="Cancel booking",
        icon=QMessageBox.Icon.Warning if late else QMessageBox.Icon.Question,
        text=f"Cancel {seat.member_name}'s booking (seat {seat.seat_no})?",
        detail=consequence,
        answers=answers,
        keep="Keep booking",
    )


def ask_undo_noshow(parent: QWidget, seat: SeatLine) -> str | None:
    """UNDO_AND_CHECK_IN, UNDO_TO_BOOKED or None when staff keep the no-show."""
    return _ask(
        parent,
        name="ConfirmUndoNoShow",
        title="Undo no-show",
        icon=QMessageBox.Icon.Question,
        text=f"Was {seat.member_name} here after all?",
        detail=(
            "The no-show comes off their record (with any online-booking restriction it "
            "caused) and a session it cost is given back. Check them in now, or put the "
            "booking back to booked and check in later."
        ),
        answers=[("Undo and check in", UNDO_AND_CHECK_IN), ("Undo, keep booked", UNDO_TO_BOOKED)],
        keep="Keep no-show",
    )


class MoveDialog(QDialog):
    """Pick another class of the same service in the next two weeks; the seat moves with it."""

    moved = Signal(object)
    choices_shown = Signal(int)

    def __init__(self, ctx: DeskContext, seat: SeatLine, row: CalendarRow, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.seat = seat
        self.row = row
        self.setWindowTitle("Move to another class")
        self.resize(460, 420)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 18)
        layout.addWidget(label(f"Move {seat.member_name} to…", role="h2"))
        self.choices = QListWidget()
        self.choices.setObjectName("MoveChoices")
        layout.addWidget(self.choices, 1)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(button("Close", on_click=self.reject))
        self.move_button = button("Move", kind="primary", on_click=self.move)
        buttons.addWidget(self.move_button)
        layout.addLayout(buttons)
        self.choices.itemDoubleClicked.connect(lambda _i: self.move())
        now = ctx.now()
        first = now.astimezone(ZoneInfo("UTC")).date() - timedelta(days=1)
        ctx.background.read(
            lambda s: load_calendar(s, first_day=first, days=MOVE_DAYS_AHEAD + 2, now=now),
            owner=self,
        ).success(self._show).failure(self.message.show_error).run()

    def _show(self, calendar: Calendar) -> None:
        tz, now = ZoneInfo(calendar.timezone), self.ctx.now()
        here = self.row.session
        for other in calendar.rows:
            s = other.session
            if s.id == here.id or s.service_id != here.service_id or other.cancelled:
                continue
            if s.starts_at <= now or other.is_appointment:
                continue
            start = s.starts_at.astimezone(tz)
            full = " — full" if other.booked >= s.capacity else ""
            item = QListWidgetItem(
                f"{day_time(start)}  ·  {s.trainer_name}  ·  {other.label}{full}"
            )
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            self.choices.addItem(item)
        if not self.choices.count():
            self.message.show_notice("No other class of this kind in the next two weeks.")
        self.choices_shown.emit(self.choices.count())

    def move(self) -> None:
        item = self.choices.currentItem()
        if item is None:
            self.message.show_error("Pick the class to move to.")
            return
        target = item.data(Qt.ItemDataRole.UserRole)
        booking_id, actor, now = self.seat.booking_id, self.ctx.who.actor, self.ctx.now()
        self.move_button.setEnabled(False)

        def refused(error: BaseException) -> None:
            self.move_button.setEnabled(True)
            self.message.show_error(error)

        self.ctx.background.write(
            lambda s: cancellation.reschedule(
                s, booking_id=booking_id, to_class_session_id=target, actor=actor, now=now
            ),
            changes=[worker.SCHEDULE, worker.MEMBERS],
            owner=self,
        ).success(self._moved).failure(refused).run()

    def _moved(self, result) -> None:
        self.moved.emit(result)
        self.accept()


def noshow_undone_words(seat: SeatLine, result: NoShowUndone) -> str:
    """What reception reads after undoing a no-show: where the member is now, what came back."""
    if result.check_in is None:
        where = f"{seat.member_name} is booked again"
    else:
        where = checked_in_words(seat.member_name, result.check_in.consumption)
    if result.moved_seat:
        where += f", now in seat {result.seat_no} (seat {result.previous_seat_no} was taken)"
    back = " The session it cost was given back." if result.given_back else ""
    return f"No-show undone: {where}.{back}"


def checked_in_words(name: str, paid: Consumption | None) -> str:
    """ "Ayşe checked in — 9 left", or what paid, or that nothing did."""
    if paid is None or paid.unpaid:
        return f"{name} checked in — nothing paid it: collect at the desk"
    if paid.remaining is not None:
        return f"{name} checked in — {paid.remaining} left"
    return f"{name} checked in ({paid.entitlement})"
