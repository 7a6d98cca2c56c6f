"""Trainers (weekly hours, time off) and staff sign-ins — owner only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTimeEdit,
)
from sqlalchemy.orm import Session

from desk.domain.enums import StaffRole
from desk.domain.timeutil import day_bounds, day_month_year
from desk.services import staff, trainers
from desk.services.settings import get_policy
from desk.services.staff import StaffView
from desk.services.trainers import ExceptionView, TrainerView, WeeklyWindow
from desk.ui.context import DeskContext
from desk.ui.settings.editor import EditorTab, Work
from desk.ui.table_model import Column
from desk.ui.widgets.common import Card, InlineMessage, button, label

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TIME_OFF_AHEAD_DAYS = 180


@dataclass(frozen=True)
class TrainerHours:
    windows: tuple[WeeklyWindow, ...]
    time_off: tuple[ExceptionView, ...]
    timezone: str


def _hours(session: Session, trainer_id: int, today: date) -> TrainerHours:
    tz = get_policy(session).tz
    start = day_bounds(today, tz)[0]
    end = day_bounds(today + timedelta(days=TIME_OFF_AHEAD_DAYS), tz)[1]
    return TrainerHours(
        windows=tuple(trainers.weekly_availability(session, trainer_id=trainer_id)),
        time_off=tuple(
            trainers.exceptions_between(session, trainer_id=trainer_id, start=start, end=end)
        ),
        timezone=get_policy(session).timezone,
    )


def _qtime(value: time) -> QTime:
    return QTime(value.hour, value.minute)


def _pytime(value: QTime) -> time:
    return time(value.hour(), value.minute())


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class TrainersTab(EditorTab[TrainerView]):
    noun = "trainer"
    hours_loaded = Signal(object)

    def __init__(self, ctx: DeskContext, parent=None) -> None:
        super().__init__(
            ctx,
            [
                Column("Trainer", lambda t: t.name),
                Column("Signs in", lambda t: "Yes" if t.staff_user_id else "No"),
                Column("Active", lambda t: "Yes" if t.active else "No"),
            ],
            parent,
        )
        self.staff_users: list[StaffView] = []
        self.name = QLineEdit()
        self.colour = QLineEdit()
        self.login = QComboBox()
        self.form.addRow("Name", self.name)
        self.form.addRow("Colour", self.colour)
        self.form.addRow("Signs in as", self.login)
        self.left.addWidget(self._hours_card())
        self.hours_card.setEnabled(False)

    def _hours_card(self) -> Card:
        card = self.hours_card = Card()
        card.body.addWidget(label("Weekly hours for private sessions", role="h2"))
        grid = QGridLayout()
        self.day_on: list[QCheckBox] = []
        self.day_from: list[QTimeEdit] = []
        self.day_to: list[QTimeEdit] = []
        for day, name in enumerate(WEEKDAYS):
            on, start, end = QCheckBox(name), QTimeEdit(QTime(9, 0)), QTimeEdit(QTime(17, 0))
            for field in (start, end):
                field.setDisplayFormat("HH:mm")
            grid.addWidget(on, day // 4 * 1, (day % 4) * 3)
            grid.addWidget(start, day // 4 * 1, (day % 4) * 3 + 1)
            grid.addWidget(end, day // 4 * 1, (day % 4) * 3 + 2)
            self.day_on.append(on)
            self.day_from.append(start)
            self.day_to.append(end)
        card.body.addLayout(grid)
        self.save_hours_button = button("Save weekly hours", on_click=self.save_hours)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_hours_button)
        card.body.addLayout(row)
        card.body.addWidget(label("Time off (next six months)", role="h2"))
        self.time_off = QListWidget()
        self.time_off.setMaximumHeight(110)
        card.body.addWidget(self.time_off)
        off = QHBoxLayout()
        self.off_from, self.off_to = QDateEdit(), QDateEdit()
        for field in (self.off_from, self.off_to):
            field.setCalendarPopup(True)
            field.setDisplayFormat("d MMM yyyy")
        self.off_note = QLineEdit()
        self.off_note.setPlaceholderText("holiday, sick leave…")
        off.addWidget(label("Days off"))
        off.addWidget(self.off_from)
        off.addWidget(label("to"))
        off.addWidget(self.off_to)
        off.addWidget(self.off_note, 1)
        off.addWidget(button("Add", on_click=self.add_days_off))
        off.addWidget(button("Remove selected", on_click=self.remove_time_off))
        card.body.addLayout(off)
        self.hours_message = InlineMessage()
        card.body.addWidget(self.hours_message)
        return card

    def load(self, session: Session) -> list[TrainerView]:
        return trainers.list_trainers(session, include_inactive=True)

    def refresh(self) -> None:
        # The logins a trainer can be linked to, before the trainers themselves.
        self.ctx.background.read(staff.list_staff, owner=self).success(self._logins).run()
        super().refresh()

    def _logins(self, users: list[StaffView]) -> None:
        self.staff_users = users

    def after_load(self, rows: list[TrainerView]) -> None:
        super().after_load(rows)
        self.fill(self.editing)

    def fill(self, row: TrainerView | None) -> None:
        self.name.setText(row.name if row else "")
        self.colour.setText(row.colour if row else "#6B8F71")
        self.login.clear()
        self.login.addItem("— nobody —", 0)
        for user in self.staff_users:
            self.login.addItem(f"{user.name} ({user.role.value})", user.id)
        linked = row.staff_user_id if row else None
        self.login.setCurrentIndex(
            next((i + 1 for i, u in enumerate(self.staff_users) if u.id == linked), 0)
        )
        self.hours_card.setEnabled(row is not None)
        if row is not None:
            today = self.ctx.today()
            self.ctx.background.read(lambda s: _hours(s, row.id, today), owner=self).success(
                self._show_hours
            ).run()

    def _show_hours(self, hours: TrainerHours) -> None:
        for day in range(7):
            window = next((w for w in hours.windows if w.weekday == day), None)
            self.day_on[day].setChecked(window is not None)
            if window is not None:
                self.day_from[day].setTime(_qtime(window.start))
                self.day_to[day].setTime(_qtime(window.end))
        self.time_off.clear()
        for entry in hours.time_off:
            start = entry.starts_at.astimezone(_tz(hours.timezone))
            end = (entry.ends_at - timedelta(seconds=1)).astimezone(_tz(hours.timezone))
            kind = entry.kind.value.replace("_", " ")
            text = f"{day_month_year(start)} – {day_month_year(end)}  {kind}"
            if entry.note:
                text += f" · {entry.note}"
            if entry.clashing_session_ids:
                text += f" · {len(entry.clashing_session_ids)} class(es) need a cover"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            self.time_off.addItem(item)
        # The desk's clock in the studio's zone, not the computer's date.
        day = self.ctx.now().astimezone(_tz(hours.timezone)).date()
        today = QDate(day.year, day.month, day.day)
        self.off_from.setDate(today)
        self.off_to.setDate(today)
        self.hours_loaded.emit(hours)

    def save_work(self, row: TrainerView | None) -> Work:
        actor, name = self.ctx.who.actor, self.name.text()
        colour = self.colour.text().strip() or "#6B8F71"
        login = self.login.currentData() or None
        if row is None:
            return lambda s: trainers.create_trainer(
                s, name=name, colour=colour, staff_user_id=login, actor=actor
            )
        return lambda s: trainers.update_trainer(
            s, trainer_id=row.id, actor=actor, name=name, colour=colour, staff_user_id=login
        )

    def toggle_work(self, row: TrainerView) -> Work:
        actor, active = self.ctx.who.actor, not row.active
        return lambda s: trainers.update_trainer(s, trainer_id=row.id, actor=actor, active=active)

    def _hours_write(self, work: Work) -> None:
        self.hours_message.clear_message()
        self.ctx.background.write(work, changes=[self.area], owner=self).success(
            lambda _r: self.hours_message.show_ok("Saved.")
        ).failure(self.hours_message.show_error).run()

    def save_hours(self) -> None:
        if self.editing is None:
            return
        windows = [
            WeeklyWindow(day, _pytime(self.day_from[day].time()), _pytime(self.day_to[day].time()))
            for day in range(7)
            if self.day_on[day].isChecked()
        ]
        trainer_id, actor = self.editing.id, self.ctx.who.actor
        self._hours_write(
            lambda s: trainers.set_weekly_availability(
                s, trainer_id=trainer_id, windows=windows, actor=actor
            )
        )

    def add_days_off(self) -> None:
        if self.editing is None:
            return
        trainer_id, actor, note = self.editing.id, self.ctx.who.actor, self.off_note.text()
        first, last = _pydate(self.off_from.date()), _pydate(self.off_to.date())
        self._hours_write(
            lambda s: trainers.add_days_off(
                s, trainer_id=trainer_id, first_day=first, last_day=last, actor=actor, note=note
            )
        )

    def remove_time_off(self) -> None:
        item = self.time_off.currentItem()
        if item is None:
            self.hours_message.show_error("Pick the time off to remove first.")
            return
        exception_id, actor = item.data(Qt.ItemDataRole.UserRole), self.ctx.who.actor
        self._hours_write(
            lambda s: trainers.remove_exception(s, exception_id=exception_id, actor=actor)
        )


def _tz(name: str) -> ZoneInfo:
    return ZoneInfo(name)


ROLE_WORDS = {
    StaffRole.OWNER: "Owner",
    StaffRole.RECEPTION: "Reception",
    StaffRole.TRAINER: "Trainer",
}


class StaffTab(EditorTab[StaffView]):
    noun = "staff sign-in"

    def __init__(self, ctx: DeskContext, parent=None) -> None:
        super().__init__(
            ctx,
            [
                Column("Name", lambda u: u.name),
                Column("Role", lambda u: ROLE_WORDS[u.role]),
                Column("Active", lambda u: "Yes" if u.active else "No"),
            ],
            parent,
        )
        self.name = QLineEdit()
        self.role = QComboBox()
        for role in StaffRole:
            self.role.addItem(ROLE_WORDS[role], role.value)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("4–8 digits (new users, or to change it)")
        self.form.addRow("Name", self.name)
        self.form.addRow("Role", self.role)
        self.form.addRow("PIN", self.pin)

    def load(self, session: Session) -> list[StaffView]:
        return staff.list_staff(session, include_inactive=True)

    def fill(self, row: StaffView | None) -> None:
        self.name.setText(row.name if row else "")
        self.role.setCurrentIndex(list(StaffRole).index(row.role) if row else 1)
        self.pin.clear()

    def save_work(self, row: StaffView | None) -> Work:
        actor, name, pin = self.ctx.who.actor, self.name.text(), self.pin.text()
        role = StaffRole(self.role.currentData())
        if row is None:
            return lambda s: staff.create_staff(s, name=name, role=role, pin=pin, actor=actor)

        def update(s: Session) -> StaffView:
            view = staff.update_staff(s, staff_user_id=row.id, actor=actor, name=name, role=role)
            if pin:
                staff.change_pin(s, staff_user_id=row.id, new_pin=pin, actor=actor)
            return view

        return update

    def toggle_work(self, row: StaffView) -> Work:
        actor, active = self.ctx.who.actor, not row.active
        return lambda s: staff.update_staff(s, staff_user_id=row.id, actor=actor, active=active)
