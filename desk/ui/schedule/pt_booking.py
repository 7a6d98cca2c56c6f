"""Book a private session: pick the trainer, then a free slot, then the member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, Signal
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
        self.slot_list.currentItemChanged.connect(lambda *_: self._ready())
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
        tz = ZoneInfo(self.choices.timezone)
        self.slot_list.clear()
        for slot in free:
            start, end = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
            item = QListWidgetItem(f"{weekday_day_month(start)}   {start:%H:%M}–{end:%H:%M}")
            item.setData(Qt.ItemDataRole.UserRole, slot)
            self.slot_list.addItem(item)
        self.slot_hint.setText(
            f"{len(free)} free slot(s) in the next {DAYS_SHOWN} days."
            if free
            else "No free time in these days: pick a later date or another trainer "
            "(weekly hours are set in Settings → Trainers)."
        )
        self._ready()
        self.slots_shown.emit(len(free))

    def _member_picked(self, member: MemberProfile) -> None:
        self.member = member
        self.chosen_member.setText(f"Member: {member.full_name}")
        self._ready()

    def _ready(self) -> None:
        self.book_button.setEnabled(
            self.member is not None and self.slot_list.currentItem() is not None
        )

    def book(self) -> None:
        item = self.slot_list.currentItem()
        if item is None or self.member is None:
            return
        slot: Slot = item.data(Qt.ItemDataRole.UserRole)
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
