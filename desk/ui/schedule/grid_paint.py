"""Painting one event of the schedule grid (kept apart so the grid module stays about layout)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen

from desk.ui.style import Theme

if TYPE_CHECKING:
    from desk.ui.schedule.grid import GridEvent


def paint_event(
    painter: QPainter,
    theme: Theme,
    event: GridEvent,
    rect: QRectF,
    font: QFont,
    selected_key: int | None,
) -> None:
    """One class or appointment: tinted card, service colour strip, name, "6/8", details."""
    base = QColor(event.colour)
    fill = QColor(theme.colour("surface"))
    tint = QColor(base)
    tint.setAlphaF(0.28 if theme.dark else 0.14)
    path = QPainterPath()
    path.addRoundedRect(rect, 6, 6)
    painter.fillPath(path, fill)
    painter.fillPath(path, tint)
    selected = event.key == selected_key
    border = QColor(theme.colour("accent")) if selected else QColor(base).lighter(115)
    pen = QPen(border, 2 if selected else 1)
    if event.private:
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.drawPath(path)
    painter.fillRect(QRectF(rect.x(), rect.y() + 3, 4, rect.height() - 6), base)
    _paint_text(painter, theme, event, rect.adjusted(10, 4, -6, -4), font)


def _paint_text(painter: QPainter, theme: Theme, event: GridEvent, box: QRectF, font: QFont):
    title_font, small = fonts(font)
    metrics = QFontMetrics(title_font)
    # When the name and the "6/8" pill do not fit side by side, the pill moves under the
    # name so the name stays readable.
    _, small_font = fonts(font)
    bold = QFont(small_font)
    bold.setBold(True)
    pill_room = QFontMetrics(bold).horizontalAdvance(event.occupancy) + 16
    narrow = metrics.horizontalAdvance(event.title) + pill_room > box.width()
    pill_w = 0.0
    if event.occupancy and not narrow:
        pill_w = _paint_pill(painter, theme, event, font, QPointF(box.right(), box.y()), True)
    painter.setFont(title_font)
    painter.setPen(theme.colour("muted" if event.cancelled else "text"))
    title = metrics.elidedText(event.title, Qt.TextElideMode.ElideRight, int(box.width() - pill_w))
    painter.drawText(QRectF(box.x(), box.y(), box.width() - pill_w, 18), title)
    small_metrics = QFontMetrics(small)
    y = box.y() + 19
    time_text = f"{event.start:%H:%M}–{event.end:%H:%M}"
    if narrow and event.occupancy:
        used = _paint_pill(painter, theme, event, font, QPointF(box.x(), y - 1), False)
        painter.setFont(small)
        painter.setPen(theme.colour("muted"))
        rest = QRectF(box.x() + used, y, box.width() - used, small_metrics.height())
        painter.drawText(
            rest,
            small_metrics.elidedText(
                f"{event.start:%H:%M}", Qt.TextElideMode.ElideRight, int(rest.width())
            ),
        )
        y += 18
        lines = []
    else:
        lines = [time_text]
    if event.detail:
        lines.append(event.detail)
    if event.waitlist:
        lines.append(f"{event.waitlist} waiting")
    if event.cancelled:
        lines = ["Cancelled", *lines]
    painter.setFont(small)
    painter.setPen(theme.colour("muted"))
    for line in lines:
        if y + small_metrics.height() > box.bottom() + 2:
            break
        shown = small_metrics.elidedText(line, Qt.TextElideMode.ElideRight, int(box.width()))
        if line.endswith("waiting"):
            painter.setPen(theme.colour("warn_text"))
        painter.drawText(QRectF(box.x(), y, box.width(), small_metrics.height()), shown)
        y += small_metrics.height()


def _paint_pill(
    painter: QPainter, theme: Theme, event: GridEvent, font: QFont, at: QPointF, right: bool
) -> float:
    """The "6/8" pill, anchored at its top-right (`right`) or top-left corner."""
    _, small = fonts(font)
    bold = QFont(small)
    bold.setBold(True)
    width = QFontMetrics(bold).horizontalAdvance(event.occupancy) + 12
    left = at.x() - width if right else at.x()
    pill = QRectF(left, at.y(), width, 17)
    path = QPainterPath()
    path.addRoundedRect(pill, 8, 8)
    painter.fillPath(path, theme.colour(f"{event.tone}_soft"))
    painter.setFont(bold)
    painter.setPen(theme.colour(f"{event.tone}_text"))
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, event.occupancy)
    return width + 4


def fonts(base: QFont) -> tuple[QFont, QFont]:
    title = QFont(base)
    title.setBold(True)
    title.setPointSizeF(max(8.5, base.pointSizeF()))
    small = QFont(base)
    small.setPointSizeF(max(7.5, base.pointSizeF() - 1))
    return title, small
