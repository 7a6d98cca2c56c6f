"""A painted day/week calendar fed by plain lists of columns and events.

It knows nothing about the database: the schedule view turns the services' dataclasses into
`GridColumn`s (a day, a room or a trainer) and `GridEvent`s (a class or an appointment) in the
studio's local wall time, and listens to `session_clicked`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QScrollArea, QToolTip, QVBoxLayout, QWidget

from desk.ui.schedule.grid_paint import fonts, paint_event
from desk.ui.style import Theme, current_theme

GUTTER = 56
HEADER = 46
MIN_COLUMN = 118


@dataclass(frozen=True)
class GridColumn:
    key: Hashable
    title: str
    day: date
    subtitle: str = ""


@dataclass(frozen=True)
class GridEvent:
    key: int
    column: Hashable
    start: datetime
    end: datetime
    title: str
    detail: str = ""
    occupancy: str = ""
    tone: str = "good"
    colour: str = "#4F7CAC"
    waitlist: int = 0
    private: bool = False
    cancelled: bool = False
    tooltip: str = ""


def _minutes(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _lanes(events: Sequence[GridEvent]) -> dict[int, tuple[int, int]]:
    """Side-by-side placement of overlapping events: key -> (lane, lanes in its cluster)."""
    placed: dict[int, tuple[int, int]] = {}
    cluster: list[tuple[GridEvent, int]] = []
    cluster_end: datetime | None = None

    def close() -> None:
        width = max((lane for _, lane in cluster), default=-1) + 1
        for event, lane in cluster:
            placed[event.key] = (lane, width)

    for event in sorted(events, key=lambda e: (e.start, e.start - e.end, e.key)):
        if cluster_end is not None and event.start >= cluster_end:
            close()
            cluster, cluster_end = [], None
        busy = {lane for other, lane in cluster if other.end > event.start}
        lane = next(n for n in range(len(cluster) + 1) if n not in busy)
        cluster.append((event, lane))
        cluster_end = event.end if cluster_end is None else max(cluster_end, event.end)
    close()
    return placed


class _Canvas(QWidget):
    """The scrolling body: hour rows, event blocks, the "now" line."""

    def __init__(self, grid: ScheduleGrid) -> None:
        super().__init__(grid)
        self.grid = grid
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        hours = self.grid.last_hour - self.grid.first_hour
        return QSize(
            GUTTER + MIN_COLUMN * max(1, len(self.grid.columns)), hours * self.grid.hour_px
        )

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.grid.paint_body(painter, self.width())
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        key = self.grid.event_at(event.position().toPoint())
        if key is not None:
            self.grid.select(key)
            self.grid.session_clicked.emit(key)
            return
        slot = self.grid.slot_at(event.position().toPoint())
        if slot is not None:
            self.grid.slot_clicked.emit(slot[0], slot[1])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        key = self.grid.event_at(event.position().toPoint())
        shape = Qt.CursorShape.PointingHandCursor if key is not None else Qt.CursorShape.ArrowCursor
        self.setCursor(shape)
        if key is not None:
            found = self.grid.find_event(key)
            if found is not None and found.tooltip:
                QToolTip.showText(event.globalPosition().toPoint(), found.tooltip, self)
        else:
            QToolTip.hideText()


class _Header(QWidget):
    def __init__(self, grid: ScheduleGrid) -> None:
        super().__init__(grid)
        self.grid = grid
        self.setFixedHeight(HEADER)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.grid.paint_header(painter, self.width())
        painter.end()


class ScheduleGrid(QWidget):
    """Columns of a day or a week, hours down the side; click a class to open its roster."""

    session_clicked = Signal(int)
    #: An empty spot was clicked: (column key, local start of that half hour).
    slot_clicked = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns: list[GridColumn] = []
        self.events: list[GridEvent] = []
        self.first_hour, self.last_hour = 7, 21
        self.hour_px = 72
        self.now: datetime | None = None
        self.selected: int | None = None
        self._rects: dict[int, QRectF] = {}
        self.header = _Header(self)
        self.canvas = _Canvas(self)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.horizontalScrollBar().valueChanged.connect(self.header.update)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.scroll)

    # -- data ---------------------------------------------------------------------------------

    def set_schedule(
        self, columns: Sequence[GridColumn], events: Sequence[GridEvent], *, now: datetime | None
    ) -> None:
        self.columns = list(columns)
        self.events = [e for e in events if any(c.key == e.column for c in self.columns)]
        self.now = now
        self._fit_hours()
        self._layout_events()
        self.canvas.setMinimumHeight((self.last_hour - self.first_hour) * self.hour_px)
        self.canvas.setMinimumWidth(GUTTER + MIN_COLUMN * max(1, len(self.columns)))
        self.canvas.update()
        self.header.update()

    def find_event(self, key: int) -> GridEvent | None:
        return next((e for e in self.events if e.key == key), None)

    def select(self, key: int | None) -> None:
        self.selected = key
        self.canvas.update()

    def scroll_to_hour(self, hour: int) -> None:
        y = max(0, (hour - self.first_hour) * self.hour_px - 20)
        self.scroll.verticalScrollBar().setValue(y)

    def _fit_hours(self) -> None:
        first, last = 7, 21
        for event in self.events:
            first = min(first, event.start.hour)
            last = max(last, event.end.hour + (1 if event.end.minute else 0))
        self.first_hour, self.last_hour = first, min(24, max(last, first + 1))

    # -- geometry -----------------------------------------------------------------------------

    def column_width(self, width: int) -> float:
        return (width - GUTTER) / max(1, len(self.columns))

    def _y(self, minutes: int) -> float:
        return (minutes - self.first_hour * 60) * self.hour_px / 60

    def _layout_events(self) -> None:
        self._rects.clear()
        width = self.canvas.width() or self.canvas.sizeHint().width()
        col_w = self.column_width(width)
        for index, column in enumerate(self.columns):
            mine = [e for e in self.events if e.column == column.key]
            lanes = _lanes(mine)
            for event in mine:
                lane, count = lanes[event.key]
                lane_w = (col_w - 8) / count
                x = GUTTER + index * col_w + 4 + lane * lane_w
                top = self._y(_minutes(event.start))
                end_minutes = (
                    _minutes(event.end) if event.end.date() == event.start.date() else 1440
                )
                bottom = self._y(max(end_minutes, _minutes(event.start) + 20))
                self._rects[event.key] = QRectF(x, top + 1, lane_w - 3, bottom - top - 2)

    def event_rect(self, key: int) -> QRect:
        """Where a class is drawn, in canvas coordinates (tests click its centre)."""
        self._layout_events()
        return self._rects[key].toRect()

    def event_at(self, point: QPoint) -> int | None:
        for key, rect in self._rects.items():
            if rect.contains(point.toPointF()):
                return key
        return None

    def slot_at(self, point: QPoint) -> tuple[Hashable, datetime] | None:
        if point.x() < GUTTER or not self.columns:
            return None
        index = int((point.x() - GUTTER) // self.column_width(self.canvas.width()))
        if index >= len(self.columns):
            return None
        minutes = self.first_hour * 60 + int(point.y() * 60 / self.hour_px)
        minutes -= minutes % 30
        column = self.columns[index]
        start = datetime.combine(column.day, time(0)) + timedelta(minutes=minutes)
        return column.key, start

    # -- painting -----------------------------------------------------------------------------

    def paint_header(self, painter: QPainter, width: int) -> None:
        theme = current_theme()
        painter.fillRect(0, 0, width, HEADER, theme.colour("surface"))
        painter.setPen(theme.colour("border"))
        painter.drawLine(0, HEADER - 1, width, HEADER - 1)
        offset = self.scroll.horizontalScrollBar().value()
        col_w = self.column_width(self.canvas.width())
        today = self.now.date() if self.now else None
        title_font, sub_font = fonts(self.font())
        for index, column in enumerate(self.columns):
            x = GUTTER + index * col_w - offset
            box = QRectF(x + 8, 4, col_w - 16, HEADER - 8)
            is_today = column.day == today and self.now is not None
            painter.setFont(title_font)
            painter.setPen(theme.colour("accent" if is_today else "text"))
            painter.drawText(
                box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, column.title
            )
            painter.setFont(sub_font)
            painter.setPen(theme.colour("accent" if is_today else "muted"))
            painter.drawText(
                box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, column.subtitle
            )

    def paint_body(self, painter: QPainter, width: int) -> None:
        theme = current_theme()
        self._layout_events()
        height = self.canvas.height()
        painter.fillRect(0, 0, width, height, theme.colour("surface"))
        col_w = self.column_width(width)
        self._paint_today(painter, theme, col_w, height)
        self._paint_hours(painter, theme, width)
        painter.setPen(QPen(theme.colour("grid_hour"), 1))
        for index in range(len(self.columns) + 1):
            x = int(GUTTER + index * col_w)
            painter.drawLine(x, 0, x, height)
        for event in self.events:
            self._paint_event(painter, theme, event)
        self._paint_now(painter, theme, col_w)

    def _paint_today(self, painter: QPainter, theme: Theme, col_w: float, height: int) -> None:
        if self.now is None:
            return
        for index, column in enumerate(self.columns):
            if column.day == self.now.date():
                tint = theme.colour("accent_soft")
                tint.setAlphaF(0.35)
                painter.fillRect(QRectF(GUTTER + index * col_w, 0, col_w, height), tint)

    def _paint_hours(self, painter: QPainter, theme: Theme, width: int) -> None:
        _, small = fonts(self.font())
        painter.setFont(small)
        for hour in range(self.first_hour, self.last_hour + 1):
            y = int(self._y(hour * 60))
            painter.setPen(QPen(theme.colour("grid_hour"), 1))
            painter.drawLine(GUTTER, y, width, y)
            half = int(self._y(hour * 60 + 30))
            painter.setPen(QPen(theme.colour("grid_line"), 1, Qt.PenStyle.DashLine))
            painter.drawLine(GUTTER, half, width, half)
            painter.setPen(theme.colour("muted"))
            painter.drawText(
                QRectF(0, y + 2, GUTTER - 10, 16), Qt.AlignmentFlag.AlignRight, f"{hour:02d}:00"
            )

    def _paint_event(self, painter: QPainter, theme: Theme, event: GridEvent) -> None:
        paint_event(painter, theme, event, self._rects[event.key], self.font(), self.selected)

    def _paint_now(self, painter: QPainter, theme: Theme, col_w: float) -> None:
        if self.now is None:
            return
        for index, column in enumerate(self.columns):
            if column.day != self.now.date():
                continue
            minutes = _minutes(self.now)
            if not self.first_hour * 60 <= minutes <= self.last_hour * 60:
                continue
            y = self._y(minutes)
            x = GUTTER + index * col_w
            painter.setPen(QPen(theme.colour("now"), 2))
            painter.drawLine(int(x), int(y), int(x + col_w), int(y))
            painter.setBrush(theme.colour("now"))
            painter.drawEllipse(QRectF(x - 4, y - 4, 8, 8))
            painter.setBrush(Qt.BrushStyle.NoBrush)
