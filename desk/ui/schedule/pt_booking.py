"""Book a private session: pick the trainer, then a free slot, then the member.

Free slots are listed under a heading per day (today and tomorrow by name), in studio time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)
from sqlalchemy.orm import Session

from desk.domain.enums import ServiceKind
from desk.domain.errors import NoEntitlement
from desk.domain.timeutil import local_date, weekday_day_month
from desk.services import appointments, catalog, slots, trainers
from desk.services.catalog import ServiceView
from desk.services.members import MemberProfile
from desk.services.seats import BookingResult
from desk.services.settings import get_policy
from desk.services.slots import Slot
from desk.services.trainers import TrainerView
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.style import current_theme
from desk.ui.widgets.common import InlineMessage, button, label
from desk.ui.widgets.member_picker import MemberPicker

DAYS_SHOWN = 7


@dataclass(frozen=True)
class PtChoices:
    trainers: tuple[TrainerView, ...]
    services: tuple[ServiceView, ...]
    timezone: str
    today: date


def _choices(session: Session, now, only_trainer: int | None) -> PtChoices:
    policy = get_policy(session)
    people = tuple(t for t in trainers.list_trainers(session) if only_trainer in (None, t.id))
    return PtChoices(
        trainers=people,
        services=tuple(catalog.list_services(session, kind=ServiceKind.PRIVATE)),
        timezone=policy.timezone,
        today=local_date(now, policy.tz),
    )


def day_heading(day: date, today: date, count: int) -> str:
    """ "Today · Thu 27 Nov — 3 free", "Tomorrow · …", else "Sat 29 Nov — 5 free"."""
    names = {today: "Today · ", today + timedelta(days=1): "Tomorrow · "}
    return f"{names.get(day, '')}{weekday_day_month(day)} — {count} free"


@dataclass(frozen=True)
class SlotLine:
    """One line of the slot list: a day's heading (no slot) or a free slot under it."""

    text: str
    slot: Slot | None = None


def slot_lines(free: list[Slot], tz: ZoneInfo, now: datetime) -> list[SlotLine]:
    """The free slots grouped by studio-local day, each day under its heading, in time order."""
    today = now.astimezone(tz).date()
    days: dict[date, list[Slot]] = {}
    for slot in sorted(free, key=lambda s: s.starts_at):
        days.setdefault(slot.starts_at.astimezone(tz).date(), []).append(slot)
    lines: list[SlotLine] = []
    for day, slots_that_day in days.items():
        lines.append(SlotLine(day_heading(day, today, len(slots_that_day))))
        for slot in slots_that_day:
            start, end = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
            lines.append(SlotLine(f"{start:%H:%M}–{end:%H:%M}", slot))
    return lines


class PtBookingDialog(QDialog):
    booked = Signal(object)
    slots_shown = Signal(int)

    def __init__(self, ctx: DeskContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.choices: PtChoices | None = None
        self.member: MemberProfile | None = None
        self.setWindowTitle("Book a private session")
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(label("Book a private session", role="h2"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(8)
        self.trainer = QComboBox()
        self.service = QComboBox()
        self.first_day = QDateEdit()
        self.first_day.setCalendarPopup(True)
        self.first_day.setDisplayFormat("ddd d MMM yyyy")
        self.slot_list = QListWidget()
        self.slot_list.setObjectName("FreeSlots")
        self.slot_hint = label("", role="muted", wrap=True)
        self.picker = MemberPicker(ctx.background)
        self.picker.picked.connect(self._member_picked)
        self.chosen_member = label("No member chosen yet.", role="muted")
        grid.addWidget(label("1. Trainer and service", role="h2"), 0, 0)
        grid.addWidget(label("2. Member", role="h2"), 0, 1)
        left = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(self.trainer, 1)
        row.addWidget(self.service, 1)
        left.addLayout(row)
        left.addWidget(self.first_day)
        left.addWidget(self.slot_list, 1)
        left.addWidget(self.slot_hint)
        right = QVBoxLayout()
        right.addWidget(self.picker, 1)
        right.addWidget(self.chosen_member)
        grid.addLayout(left, 1, 0)
        grid.addLayout(right, 1, 1)
        layout.addLayout(grid, 1)
        self.drop_in = QCheckBox("Book as drop-in (pays at the desk)")
        self.drop_in.hide()
        layout.addWidget(self.drop_in)
        self.message = InlineMessage()
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(button("Close", on_click=self.reject))
        self.book_button = button("Book", kind="primary", on_click=self.book)
        self.book_button.setEnabled(False)
        buttons.addWidget(self.book_button)
        layout.addLayout(buttons)
        for combo in (self.trainer, self.service):
            combo.currentIndexChanged.connect(lambda _i: self.load_slots())
        self.first_day.dateChanged.connect(lambda _d: self.load_slots())
        self.slot_list.currentItemChanged.connect(self._slot_changed)
        now = ctx.now()
        only = ctx.who.trainer_id if ctx.who.own_calendar_only else None
        ctx.background.read(lambda s: _choices(s, now, only), owner=self).success(
            self._loaded
        ).failure(self.message.show_error).run()

    def _loaded(self, choices: PtChoices) -> None:
        self.choices = choices
        for field in (self.trainer, self.service, self.first_day):
            field.blockSignals(True)
        for trainer in choices.trainers:
            self.trainer.addItem(trainer.name, trainer.id)
        for service in choices.services:
            self.service.addItem(f"{service.name} ({service.duration_minutes} min)", service.id)
        day = choices.today
        self.first_day.setDate(QDate(day.year, day.month, day.day))
        for field in (self.trainer, self.service, self.first_day):
            field.blockSignals(False)
        if not choices.services:
            self.message.show_notice("No private services yet: the owner adds one in Settings.")
            return
        self.load_slots()

    def choose_trainer(self, name: str) -> None:
        self.trainer.setCurrentIndex(self.trainer.findText(name))

    def load_slots(self) -> None:
        # An empty combo has no current data to read.
        if (
            self.choices is None
            or self.trainer.currentIndex() < 0
            or self.service.currentIndex() < 0
        ):
            return
        trainer_id, service_id = self.trainer.currentData(), self.service.currentData()
        qd = self.first_day.date()
        first = date(qd.year(), qd.month(), qd.day())
        last, now = first + timedelta(days=DAYS_SHOWN - 1), self.ctx.now()
        self.ctx.background.read(
            lambda s: slots.free_slots(
                s,
                trainer_id=trainer_id,
                service_id=service_id,
                first_day=first,
                last_day=last,
                step_minutes=30,
                now=now,
            ),
            owner=self,
        ).success(self._show_slots).failure(self.message.show_error).run()

    def _show_slots(self, free: list[Slot]) -> None:
        assert self.choices is not None
        self.slot_list.clear()
        heading_font = self.slot_list.font()
        heading_font.setBold(True)
        heading_colour = current_theme().colour("accent_text")
        heading_height = QFontMetrics(heading_font).height() + 20
        for line in slot_lines(free, ZoneInfo(self.choices.timezone), self.ctx.now()):
            item = QListWidgetItem(line.text if line.slot is None else f"    {line.text}")
            if line.slot is None:
                # A heading is not a choice: it cannot be selected; landing on it moves on.
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.setFont(heading_font)
                item.setForeground(heading_colour)
                item.setSizeHint(QSize(0, heading_height))  # air between one day and the next
            item.setData(Qt.ItemDataRole.UserRole, line.slot)
            self.slot_list.addItem(item)
        self.slot_hint.setText(
            f"{len(free)} free slot(s) in the next {DAYS_SHOWN} days."
            if free
            else "No free time in these days: pick a later date or another trainer "
            "(weekly hours are set in Settings → Trainers)."
        )
        self._ready()
        self.slots_shown.emit(len(free))

    def _slot_changed(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if current is not None and current.data(Qt.ItemDataRole.UserRole) is None:
            # On a day heading: go to the slot in the direction staff were moving.
            row = self.slot_list.row(current)
            back = previous is not None and self.slot_list.row(previous) == row + 1
            step = -1 if back and row > 1 else 1
            if 0 <= row + step < self.slot_list.count():
                self.slot_list.setCurrentRow(row + step)
                return
        self._ready()

    def selected_slot(self) -> Slot | None:
        item = self.slot_list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _member_picked(self, member: MemberProfile) -> None:
        self.member = member
        self.chosen_member.setText(f"Member: {member.full_name}")
        self._ready()

    def _ready(self) -> None:
        self.book_button.setEnabled(self.member is not None and self.selected_slot() is not None)

    def book(self) -> None:
        slot = self.selected_slot()
        if slot is None or self.member is None:
            return
        member_id, actor, now = self.member.id, self.ctx.who.actor, self.ctx.now()
        drop_in = self.drop_in.isChecked()
        self.message.clear_message()
        self.book_button.setEnabled(False)
        self.ctx.background.write(
            lambda s: appointments.book_appointment(
                s,
                member_id=member_id,
                service_id=slot.service_id,
                trainer_id=slot.trainer_id,
                starts_at=slot.starts_at,
                room_id=slot.room_id,
                actor=actor,
                drop_in=drop_in,
                now=now,
            ),
            changes=[worker.SCHEDULE, worker.MEMBERS],
            owner=self,
        ).success(self._booked).failure(self._refused).run()

    def _refused(self, error: BaseException) -> None:
        self._ready()
        self.message.show_error(error)
        if isinstance(error, NoEntitlement):
            self.drop_in.show()

    def _booked(self, result: BookingResult) -> None:
        self.booked.emit(result)
        self.accept()
