"""Today: the day at a glance — classes in time order, how full, and the roster beside them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QStackedWidget, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from desk.domain.timeutil import zone
from desk.services.settings import get_policy
from desk.ui import context as pages
from desk.ui import worker
from desk.ui.context import DeskContext
from desk.ui.formatting import long_day
from desk.ui.schedule.data import Calendar, CalendarRow, load_calendar
from desk.ui.table_model import ROW_ROLE, Column, RowsModel
from desk.ui.widgets.common import Card, EmptyState, label
from desk.ui.widgets.tables import table


def _greeting(now: datetime) -> str:
    if now.hour < 12:
        return "Good morning"
    return "Good afternoon" if now.hour < 18 else "Good evening"


def today_columns(tz: ZoneInfo, now: datetime | None = None) -> list[Column[CalendarRow]]:
    def when(r: CalendarRow) -> str:
        start = r.session.starts_at.astimezone(tz)
        return f"{start:%H:%M}–{r.session.ends_at.astimezone(tz):%H:%M}"

    def over(r: CalendarRow) -> str | None:
        """Finished or cancelled classes fade; the day's remaining ones stand out."""
        done = now is not None and r.session.ends_at <= now
        return "muted" if done or r.cancelled else None

    return [
        Column("Time", when, sort=lambda r: r.session.starts_at.isoformat(), tone=over),
        Column(
            "Class",
            lambda r: r.session.service_name + (" (cancelled)" if r.cancelled else ""),
            tone=over,
        ),
        Column("Trainer", lambda r: r.session.trainer_name),
        Column("Room", lambda r: r.session.room_name or "—"),
        Column(
            "Booked",
            lambda r: "private" if r.is_appointment else r.label,
            sort=lambda r: r.booked / max(1, r.session.capacity),
            tone=lambda r: None if r.is_appointment else r.tone,
            align_right=True,
        ),
        Column(
            "Waiting",
            lambda r: str(r.waiting) if r.waiting else "",
            sort=lambda r: r.waiting,
            tone=lambda r: "warn" if r.waiting else None,
            align_right=True,
        ),
    ]


class Stat(Card):
    def __init__(self, title: str) -> None:
        super().__init__()
        self.value = label("—", role="h1")
        self.caption = label(title, role="muted")
        self.body.addWidget(self.value)
        self.body.addWidget(self.caption)


class TodayPage(QWidget):
    loaded = Signal(object)
    session_opened = Signal(int)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.calendar: Calendar | None = None
        self.title = label("Today", role="h1")
        self.subtitle = label("", role="muted")
        self.stats = [Stat("classes"), Stat("seats booked"), Stat("waiting lists"), Stat("private")]
        stats_row = QHBoxLayout()
        stats_row.setSpacing(12)
        for stat in self.stats:
            stats_row.addWidget(stat)
        self.rows = RowsModel(today_columns(ZoneInfo("UTC")), self)
        self.list = table(self.rows)
        self.list.setObjectName("TodayClasses")
        self.list.clicked.connect(self._open)
        self.list.activated.connect(self._open)
        self.empty = EmptyState(
            "No classes today",
            "Generate the timetable in Settings → Timetable, or book a private session "
            "from the Schedule.",
        )
        self.body = QStackedWidget()
        self.body.addWidget(self.list)
        self.body.addWidget(self.empty)
        self.side = QStackedWidget()
        self.side.hide()
        splitter = QSplitter()
        splitter.addWidget(self.body)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(12)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(stats_row)
        layout.addWidget(splitter, 1)
        ctx.background.changed.connect(self._changed)

    def set_side_panel(self, panel: QWidget) -> None:
        self.side.addWidget(panel)

    def activate(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        now = self.ctx.now()
        mine = self.ctx.who.trainer_id if self.ctx.who.own_calendar_only else None
        if self.ctx.who.own_calendar_only and mine is None:
            mine = -1

        def work(session: Session) -> Calendar:
            day = now.astimezone(get_policy(session).tz).date()
            return load_calendar(session, first_day=day, days=1, now=now, trainer_id=mine)

        self.ctx.background.read(work, owner=self).success(self._show).run()

    def _changed(self, areas: frozenset[str]) -> None:
        if worker.SCHEDULE in areas:
            self.refresh()

    def _show(self, calendar: Calendar) -> None:
        self.calendar = calendar
        tz = zone(calendar.timezone)
        now = self.ctx.now().astimezone(tz)
        self.title.setText(f"{_greeting(now)}, {self.ctx.who.name}")
        self.subtitle.setText(long_day(now))
        classes = [r for r in calendar.rows if not r.is_appointment and not r.cancelled]
        private = [r for r in calendar.rows if r.is_appointment and not r.cancelled]
        booked = sum(r.booked for r in classes)
        seats = sum(r.session.capacity for r in classes)
        values = [
            str(len(classes)),
            f"{booked}/{seats}",
            str(sum(1 for r in classes if r.waiting)),
            str(len(private)),
        ]
        for stat, value in zip(self.stats, values, strict=True):
            stat.value.setText(value)
        self.rows.columns = today_columns(tz, self.ctx.now())
        self.rows.set_rows(calendar.rows)
        self._open_next(calendar)
        self.body.setCurrentWidget(self.list if calendar.rows else self.empty)
        if not self.ctx.who.may_open(pages.SETTINGS):
            self.empty.set_text(
                "No classes today",
                "Ask the owner to generate the timetable, or book a private session "
                "from the Schedule.",
            )
        self.loaded.emit(calendar)

    def _open_next(self, calendar: Calendar) -> None:
        """On arrival, the class in progress or next up is already open: check-in is one click."""
        if self.side.isVisible():
            return
        now = self.ctx.now()
        live = [r for r in calendar.rows if not r.cancelled and r.session.ends_at > now]
        if not live:
            return
        self.side.show()
        self.session_opened.emit(live[0].id)
        proxy = self.list.model()
        for row in range(proxy.rowCount()):
            if proxy.index(row, 0).data(ROW_ROLE).id == live[0].id:
                self.list.selectRow(row)

    def _open(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.side.show()
            self.session_opened.emit(row.id)
