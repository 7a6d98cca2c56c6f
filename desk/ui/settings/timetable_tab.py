"""The weekly timetable: recurring classes, and "generate N weeks" of dated sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from PySide6.QtCore import QTime
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QProgressBar, QSpinBox, QTimeEdit
from sqlalchemy.orm import Session

from desk.domain.enums import ServiceKind
from desk.domain.timeutil import day_month, day_month_year
from desk.services import catalog, timetable, trainers
from desk.services.catalog import RoomView, ServiceView
from desk.services.timetable import EntryView
from desk.services.timetable_sessions import GenerationSummary
from desk.services.trainers import TrainerView
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.settings.editor import EditorTab, Work
from desk.ui.table_model import Column
from desk.ui.widgets.common import Card, InlineMessage, button, label

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Parts:
    services: tuple[ServiceView, ...]
    trainers: tuple[TrainerView, ...]
    rooms: tuple[RoomView, ...]


def _parts(session: Session) -> Parts:
    return Parts(
        services=tuple(catalog.list_services(session, kind=ServiceKind.GROUP)),
        trainers=tuple(trainers.list_trainers(session)),
        rooms=tuple(catalog.list_rooms(session)),
    )


ENTRY_COLUMNS: list[Column[EntryView]] = [
    Column(
        "Day",
        lambda e: WEEKDAYS[e.weekday],
        sort=lambda e: e.weekday * 1440 + e.start_time.hour * 60 + e.start_time.minute,
    ),
    Column("Time", lambda e: f"{e.start_time:%H:%M}", sort=lambda e: e.start_time.isoformat()),
    Column("Class", lambda e: e.service_name),
    Column("Trainer", lambda e: e.trainer_name),
    Column("Room", lambda e: e.room_name),
    Column("Seats", lambda e: str(e.capacity), sort=lambda e: e.capacity, align_right=True),
    Column(
        "Runs",
        lambda e: f"until {day_month_year(e.valid_until)}" if e.valid_until else "ongoing",
    ),
]


def _summary_text(summary: GenerationSummary) -> str:
    text = f"{summary.created} class(es) added, {summary.already_there} already on the calendar."
    if summary.skipped:
        reasons = "; ".join(
            f"{s.service_name} {day_month(s.starts_at)}: {s.reason}" for s in summary.skipped[:3]
        )
        more = f" (+{len(summary.skipped) - 3} more)" if len(summary.skipped) > 3 else ""
        text += f" Skipped {len(summary.skipped)}: {reasons}{more}."
    return text


class TimetableTab(EditorTab[EntryView]):
    noun = "weekly class"
    area = worker.SCHEDULE

    def __init__(self, ctx: DeskContext, parent=None) -> None:
        super().__init__(ctx, ENTRY_COLUMNS, parent)
        self.toggle_button.setText("End this class")
        self.parts = Parts((), (), ())
        self.service, self.trainer, self.room = QComboBox(), QComboBox(), QComboBox()
        self.weekday = QComboBox()
        self.weekday.addItems(WEEKDAYS)
        self.start = QTimeEdit(QTime(18, 0))
        self.start.setDisplayFormat("HH:mm")
        self.capacity = QSpinBox()
        self.capacity.setRange(1, 200)
        self.capacity.setSuffix(" seats")
        for text, field in (
            ("Class", self.service),
            ("Trainer", self.trainer),
            ("Room", self.room),
            ("Day", self.weekday),
            ("Starts", self.start),
            ("Capacity", self.capacity),
        ):
            self.form.addRow(text, field)
        self.service.currentIndexChanged.connect(self._service_changed)
        self.left.addWidget(self._generate_card())

    def _generate_card(self) -> Card:
        card = Card()
        card.body.addWidget(label("Put the timetable on the calendar", role="h2"))
        card.body.addWidget(
            label(
                "Creates the dated classes members can book. Safe to run again: classes "
                "already there are kept, never doubled.",
                role="muted",
                wrap=True,
            )
        )
        row = QHBoxLayout()
        self.weeks = QSpinBox()
        self.weeks.setRange(1, 26)
        self.weeks.setValue(4)
        self.weeks.setSuffix(" weeks")
        self.generate_button = button("Generate", kind="primary", on_click=self.generate)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setFixedWidth(120)
        self.progress.hide()
        row.addWidget(self.weeks)
        row.addWidget(self.generate_button)
        row.addWidget(self.progress)
        row.addStretch(1)
        card.body.addLayout(row)
        self.generate_message = InlineMessage()
        card.body.addWidget(self.generate_message)
        return card

    def refresh(self) -> None:
        self.ctx.background.read(_parts, owner=self).success(self._parts_loaded).run()
        super().refresh()

    def _parts_loaded(self, parts: Parts) -> None:
        self.parts = parts
        for combo, items in (
            (self.service, parts.services),
            (self.trainer, parts.trainers),
            (self.room, parts.rooms),
        ):
            combo.blockSignals(True)
            combo.clear()
            for item in items:
                combo.addItem(item.name, item.id)
            combo.blockSignals(False)
        self.fill(self.editing)

    def _service_changed(self, index: int) -> None:
        if self.editing is None and 0 <= index < len(self.parts.services):
            self.capacity.setValue(self.parts.services[index].default_capacity)

    def load(self, session: Session) -> list[EntryView]:
        return timetable.list_entries(session, now=self.ctx.now())

    def after_load(self, rows: list[EntryView]) -> None:
        self.hint.setText(
            "" if rows else "No weekly classes yet: add one with the form, then Generate."
        )

    def _pick(self, combo: QComboBox, value: int | None) -> None:
        for index in range(combo.count()):
            if combo.itemData(index) == value:
                combo.setCurrentIndex(index)
                return

    def fill(self, row: EntryView | None) -> None:
        self.service.setEnabled(row is None)
        if row is None:
            self._service_changed(self.service.currentIndex())
            return
        self._pick(self.service, row.service_id)
        self._pick(self.trainer, row.trainer_id)
        self._pick(self.room, row.room_id)
        self.weekday.setCurrentIndex(row.weekday)
        self.start.setTime(QTime(row.start_time.hour, row.start_time.minute))
        self.capacity.setValue(row.capacity)

    def save_work(self, row: EntryView | None) -> Work:
        if (
            min(self.service.currentIndex(), self.trainer.currentIndex(), self.room.currentIndex())
            < 0
        ):
            raise ValueError("Add a group service, a trainer and a room first.")
        actor, now = self.ctx.who.actor, self.ctx.now()
        start = time(self.start.time().hour(), self.start.time().minute())
        fields = {
            "trainer_id": self.trainer.currentData(),
            "room_id": self.room.currentData(),
            "weekday": self.weekday.currentIndex(),
            "start_time": start,
            "capacity": self.capacity.value(),
        }
        if row is None:
            service_id = self.service.currentData()
            return lambda s: timetable.create_entry(
                s, service_id=service_id, actor=actor, now=now, **fields
            )
        return lambda s: timetable.update_entry(s, entry_id=row.id, actor=actor, now=now, **fields)

    def toggle_question(self, row: EntryView) -> str:
        return (
            f"Stop {row.service_name} on {WEEKDAYS[row.weekday]}s at {row.start_time:%H:%M} "
            "after today? Its future classes without bookings are removed; booked ones stay."
        )

    def toggle_work(self, row: EntryView) -> Work:
        actor, now = self.ctx.who.actor, self.ctx.now()
        return lambda s: timetable.end_entry(s, entry_id=row.id, actor=actor, now=now)

    def generate(self) -> None:
        weeks, actor, now = self.weeks.value(), self.ctx.who.actor, self.ctx.now()
        self.generate_button.setEnabled(False)
        self.progress.show()
        self.generate_message.clear_message()

        def done(summary: GenerationSummary) -> None:
            self.generate_button.setEnabled(True)
            self.progress.hide()
            self.generate_message.show_ok(_summary_text(summary))

        def refused(error: BaseException) -> None:
            self.generate_button.setEnabled(True)
            self.progress.hide()
            self.generate_message.show_error(error)

        self.ctx.background.write(
            lambda s: timetable.generate(s, weeks=weeks, actor=actor, now=now),
            changes=[worker.SCHEDULE],
            owner=self,
        ).success(done).failure(refused).run()
