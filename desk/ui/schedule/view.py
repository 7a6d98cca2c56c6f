"""The Schedule page: a day or week grid, columns by room or trainer, the roster beside it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desk.domain.timeutil import day_month, day_month_year, week_start, zone
from desk.ui import context as pages
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.formatting import day_time, long_day
from desk.ui.schedule.data import Calendar, CalendarRow, load_calendar
from desk.ui.schedule.grid import GridColumn, GridEvent, ScheduleGrid
from desk.ui.widgets.common import EmptyState, button, label

DAY, WEEK = "day", "week"
BY_ROOM, BY_TRAINER = "room", "trainer"


def _toggle(text: str, group: QButtonGroup) -> QToolButton:
    toggle = QToolButton()
    toggle.setText(text)
    toggle.setCheckable(True)
    toggle.setCursor(Qt.CursorShape.PointingHandCursor)
    group.addButton(toggle)
    return toggle


class ScheduleView(QWidget):
    """Loads the visible days off the main thread; clicking a class opens its roster."""

    loaded = Signal(object)
    session_opened = Signal(int)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.mode = WEEK
        self.columns_by = BY_ROOM
        self.calendar: Calendar | None = None
        self._focus_keys: list[tuple[str, int] | None] = [None]
        self.anchor = ctx.today()
        self._scrolled = False
        self.grid = ScheduleGrid()
        self.grid.session_clicked.connect(self.open_session)
        self.grid.slot_clicked.connect(self._slot_clicked)
        self.empty = EmptyState(
            "No classes in these days",
            self._empty_hint(),
            action="Open Settings" if ctx.who.may_open(pages.SETTINGS) else None,
            on_action=self._open_settings,
        )
        self.body = QStackedWidget()
        self.body.addWidget(self.grid)
        self.body.addWidget(self.empty)
        self.side = QStackedWidget()
        self.side.hide()
        self.splitter = QSplitter()
        self.splitter.addWidget(self.body)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(12)
        layout.addLayout(self._toolbar())
        layout.addWidget(self.splitter, 1)
        ctx.background.changed.connect(self._changed)

    # -- toolbar ------------------------------------------------------------------------------

    def _toolbar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.title = label("Schedule", role="h1")
        self.range_label = label("", role="muted")
        self.prev_button = button("‹", on_click=lambda: self.shift(-1))
        self.today_button = button("Today", on_click=self.go_today)
        self.next_button = button("›", on_click=lambda: self.shift(1))
        for small in (self.prev_button, self.next_button):
            small.setFixedWidth(36)
        self.mode_group = QButtonGroup(self)
        self.day_toggle = _toggle("Day", self.mode_group)
        self.week_toggle = _toggle("Week", self.mode_group)
        self.week_toggle.setChecked(True)
        self.mode_group.buttonClicked.connect(
            lambda b: self.set_mode(DAY if b is self.day_toggle else WEEK)
        )
        self.by_group = QButtonGroup(self)
        self.room_toggle = _toggle("By room", self.by_group)
        self.trainer_toggle = _toggle("By trainer", self.by_group)
        self.room_toggle.setChecked(True)
        self.by_group.buttonClicked.connect(
            lambda b: self.set_columns(BY_ROOM if b is self.room_toggle else BY_TRAINER)
        )
        bar.addWidget(self.title)
        bar.addSpacing(12)
        for widget in (self.prev_button, self.today_button, self.next_button):
            bar.addWidget(widget)
        bar.addWidget(self.range_label)
        bar.addStretch(1)
        for widget in (self.day_toggle, self.week_toggle):
            bar.addWidget(widget)
        bar.addSpacing(10)
        for widget in (self.room_toggle, self.trainer_toggle):
            bar.addWidget(widget)
        # The week view shows everyone, or one room's or one trainer's week.
        self.focus = QComboBox()
        self.focus.setObjectName("WeekFocus")
        self.focus.setMinimumWidth(170)
        self.focus.currentIndexChanged.connect(lambda _i: self._refocus())
        bar.addWidget(self.focus)
        self.extra_actions = QHBoxLayout()
        bar.addLayout(self.extra_actions)
        return bar

    def add_action(self, widget: QWidget) -> None:
        self.extra_actions.addWidget(widget)

    def set_side_panel(self, panel: QWidget) -> None:
        self.side.addWidget(panel)

    # -- navigation ---------------------------------------------------------------------------

    @property
    def first_day(self) -> date:
        return week_start(self.anchor) if self.mode == WEEK else self.anchor

    @property
    def days(self) -> int:
        return 7 if self.mode == WEEK else 1

    def activate(self) -> None:
        self.refresh()

    def go_today(self) -> None:
        self.anchor = self.ctx.today()
        self._scrolled = False
        self.refresh()

    def go_to(self, day: date) -> None:
        self.anchor = day
        self.refresh()

    def shift(self, steps: int) -> None:
        self.anchor += timedelta(days=steps * self.days)
        self.refresh()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        (self.day_toggle if mode == DAY else self.week_toggle).setChecked(True)
        self.refresh()

    def set_columns(self, by: str) -> None:
        self.columns_by = by
        (self.room_toggle if by == BY_ROOM else self.trainer_toggle).setChecked(True)
        if self.calendar is not None:
            self._show(self.calendar)

    def _tz(self):
        # desk/ui/screenshots.py places its shots in the shown calendar's zone.
        return zone(self.calendar.timezone) if self.calendar else self.ctx.studio_tz

    # -- loading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        first, days, now = self.first_day, self.days, self.ctx.now()
        mine = self.ctx.who.trainer_id if self.ctx.who.own_calendar_only else None
        if self.ctx.who.own_calendar_only and mine is None:
            mine = -1  # a trainer login not linked to a trainer sees nothing, not everyone
        self.ctx.background.read(
            lambda s: load_calendar(s, first_day=first, days=days, now=now, trainer_id=mine),
            owner=self,
        ).success(self._show).run()

    def _changed(self, areas: frozenset[str]) -> None:
        if worker.SCHEDULE in areas or worker.CATALOG in areas:
            self.refresh()

    def _show(self, calendar: Calendar) -> None:
        self.calendar = calendar
        tz = zone(calendar.timezone)
        now = self.ctx.now().astimezone(tz)
        if self.mode == WEEK:
            last = calendar.first_day + timedelta(days=6)
            self.range_label.setText(f"{day_month(calendar.first_day)} – {day_month_year(last)}")
        else:
            self.range_label.setText(long_day(calendar.first_day))
        for toggle in (self.room_toggle, self.trainer_toggle):
            toggle.setVisible(self.mode == DAY)
        self._fill_focus(calendar)
        self.focus.setVisible(self.mode == WEEK)
        columns = self._columns(calendar)
        shown = [r for r in calendar.rows if self.mode == DAY or self._in_focus(r)]
        events = [self._event(row, tz, calendar) for row in shown]
        self.grid.set_schedule(columns, events, now=now)
        self.body.setCurrentWidget(self.grid if calendar.rows else self.empty)
        if not self._scrolled:
            starts = [r.session.starts_at.astimezone(tz).hour for r in calendar.rows]
            self.grid.scroll_to_hour(min([now.hour - 1, *starts]) if starts else 8)
            self._scrolled = True
        self.loaded.emit(calendar)

    def _fill_focus(self, calendar: Calendar) -> None:
        keep = self.focus.currentText()
        choices = [("Everyone", None)]
        choices += [(f"Room: {r.name}", ("room", r.id)) for r in calendar.rooms]
        choices += [(f"Trainer: {t.name}", ("trainer", t.id)) for t in calendar.trainers]
        self._focus_keys = [key for _text, key in choices]
        self.focus.blockSignals(True)
        self.focus.clear()
        self.focus.addItems([text for text, _key in choices])
        self.focus.setCurrentIndex(max(0, self.focus.findText(keep)))
        self.focus.blockSignals(False)

    def _in_focus(self, row: CalendarRow) -> bool:
        index = self.focus.currentIndex()
        key = self._focus_keys[index] if 0 <= index < len(self._focus_keys) else None
        if key is None:
            return True
        kind, wanted = key
        return (row.session.room_id if kind == "room" else row.session.trainer_id) == wanted

    def show_week_of(self, text: str) -> None:
        """Week view of one room or trainer, by the label shown ("Trainer: Tom")."""
        self.focus.setCurrentIndex(self.focus.findText(text))

    def _refocus(self) -> None:
        if self.calendar is not None:
            self._show(self.calendar)

    # -- grid building ------------------------------------------------------------------------

    def _column_key(self, row: CalendarRow, calendar: Calendar, tz) -> object:
        if self.mode == WEEK:
            return row.session.starts_at.astimezone(tz).date()
        if self.columns_by == BY_TRAINER:
            return ("trainer", row.session.trainer_id)
        return ("room", row.session.room_id)

    def _columns(self, calendar: Calendar) -> list[GridColumn]:
        if self.mode == WEEK:
            return [GridColumn(d, f"{d:%a}", d, day_month(d)) for d in calendar.day_list]
        day = calendar.first_day
        if self.columns_by == BY_TRAINER:
            return [
                GridColumn(("trainer", t.id), t.name, day, "Trainer") for t in calendar.trainers
            ]
        columns = [GridColumn(("room", r.id), r.name, day, "Room") for r in calendar.rooms]
        if any(r.session.room_id is None for r in calendar.rows):
            columns.append(GridColumn(("room", None), "Private sessions", day, "No room"))
        return columns

    def _event(self, row: CalendarRow, tz, calendar: Calendar) -> GridEvent:
        s = row.session
        start, end = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
        where = s.room_name or "no room"
        if self.mode == DAY:
            detail = where if self.columns_by == BY_TRAINER else s.trainer_name
        else:
            detail = f"{s.trainer_name} · {where}"
        state = "Cancelled · " if row.cancelled else ""
        tip = (
            f"{state}{s.service_name}\n{day_time(start)}–{end:%H:%M}\n{s.trainer_name} · {where}\n"
        )
        if not row.is_appointment:
            tip += f"{row.label} booked" + (f", {row.waiting} waiting" if row.waiting else "")
        return GridEvent(
            key=s.id,
            column=self._column_key(row, calendar, tz),
            start=start,
            end=end,
            title=s.service_name,
            detail=detail,
            occupancy="" if row.is_appointment else row.label,
            tone=row.tone,
            colour=s.colour,
            waitlist=row.waiting,
            private=row.is_appointment,
            cancelled=row.cancelled,
            tooltip=tip.strip(),
        )

    # -- reactions ----------------------------------------------------------------------------

    def open_session(self, class_session_id: int) -> None:
        self.grid.select(class_session_id)
        self.side.show()
        self.session_opened.emit(class_session_id)

    def _slot_clicked(self, column: object, start: datetime) -> None:
        self.slot_picked = (column, start)

    def _empty_hint(self) -> str:
        if self.ctx.who.may_open(pages.SETTINGS):
            return "Generate the timetable in Settings → Timetable, or move to another week."
        return "Ask the owner to generate the timetable, or move to another week."

    def _open_settings(self) -> None:
        window = self.window()
        navigate = getattr(window, "navigate", None)
        if callable(navigate):
            navigate(pages.SETTINGS)
