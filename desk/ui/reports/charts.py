"""Drawing the report charts with Qt: QtCharts for bars and trend lines, QPainter for heatmaps.

QtCharts has no heatmap series, and a weekday × hour grid with a count in every cell reads
better painted directly, so `paint_heatmap` draws it; the same function paints the screen's
widget and the PDF page. Bar and line charts are real `QChart`s, shown in a `QChartView` on
screen and rendered through a `QGraphicsScene` into the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCharts import (
    QAbstractAxis,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene

from desk.reports.model import BarChart, Chart, Heatmap, LineChart


@dataclass(frozen=True)
class ChartColours:
    """The few colours charts need; the screen passes its theme's, the PDF uses the light set."""

    text: str = "#1F2430"
    muted: str = "#6B7280"
    grid: str = "#E4E7EC"
    surface: str = "#FFFFFF"
    empty: str = "#F7F8FA"
    low: str = "#D5EBE7"
    high: str = "#1F5753"
    bad_low: str = "#FBE9E7"
    bad_high: str = "#9B2C24"
    series: tuple[str, ...] = ("#2F6F6A", "#D08A1E", "#6B8F71", "#4F7CAC", "#C8443A")


LIGHT = ChartColours()


def _mix(low: QColor, high: QColor, t: float) -> QColor:
    t = min(max(t, 0.0), 1.0)
    return QColor(
        round(low.red() + (high.red() - low.red()) * t),
        round(low.green() + (high.green() - low.green()) * t),
        round(low.blue() + (high.blue() - low.blue()) * t),
    )


def heat_colour(value: float | None, colours: ChartColours, high_is_bad: bool = False) -> QColor:
    if value is None:
        return QColor(colours.empty)
    if high_is_bad:
        return _mix(QColor(colours.bad_low), QColor(colours.bad_high), value)
    return _mix(QColor(colours.low), QColor(colours.high), value)


def _on(colour: QColor) -> QColor:
    """Readable text on a cell: white on dark cells, dark on light ones."""
    return QColor("#FFFFFF") if colour.lightnessF() < 0.55 else QColor("#1F2430")


def paint_heatmap(
    painter: QPainter, area: QRectF, spec: Heatmap, colours: ChartColours = LIGHT
) -> None:
    """The weekday × hour grid: a title, hour labels on top, weekdays down the side."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    base = QFont(painter.font())
    title_font = QFont(base)
    title_font.setBold(True)
    title_font.setPointSizeF(base.pointSizeF() * 1.1)
    metrics = QFontMetricsF(base)
    line = metrics.height()
    painter.setFont(title_font)
    painter.setPen(QColor(colours.text))
    painter.drawText(
        QRectF(area.left(), area.top(), area.width(), line * 1.4),
        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
        spec.title,
    )
    top = area.top() + line * 1.8
    caption_h = line * 1.4 if spec.caption else 0.0
    if not spec.columns:
        painter.setFont(base)
        painter.setPen(QColor(colours.muted))
        painter.drawText(
            QRectF(area.left(), top, area.width(), area.bottom() - top),
            Qt.AlignmentFlag.AlignCenter,
            "No classes in this range",
        )
        painter.restore()
        return
    left = area.left() + metrics.horizontalAdvance("Wed") + line
    header_h = line * 1.3
    cell_w = (area.right() - left) / len(spec.columns)
    cell_h = (area.bottom() - top - header_h - caption_h) / len(spec.rows)
    small = QFont(base)
    small.setPointSizeF(max(base.pointSizeF() * 0.8, 5.0))
    painter.setFont(small)
    painter.setPen(QColor(colours.muted))
    step = max(1, int(QFontMetricsF(small).horizontalAdvance("00:00 ") // max(cell_w, 1)) + 1)
    for c, name in enumerate(spec.columns):
        if c % step == 0:
            rect = QRectF(left + c * cell_w, top, cell_w * step, header_h)
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
    grid_top = top + header_h
    for r, day in enumerate(spec.rows):
        y = grid_top + r * cell_h
        painter.setFont(base)
        painter.setPen(QColor(colours.muted))
        painter.drawText(
            QRectF(area.left(), y, left - area.left() - 6, cell_h),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            day,
        )
        for c in range(len(spec.columns)):
            _paint_cell(painter, spec, r, c, QRectF(left + c * cell_w, y, cell_w, cell_h), colours)
    if spec.caption:
        painter.setFont(small)
        painter.setPen(QColor(colours.muted))
        painter.drawText(
            QRectF(left, area.bottom() - caption_h, area.right() - left, caption_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            spec.caption,
        )
    painter.restore()


def _paint_cell(
    painter: QPainter, spec: Heatmap, r: int, c: int, rect: QRectF, colours: ChartColours
) -> None:
    value = spec.values[r][c]
    colour = heat_colour(value, colours, spec.high_is_bad)
    inner = rect.adjusted(1.5, 1.5, -1.5, -1.5)
    if value is None:
        # An hour with no class: a faint outline, so it never reads as a low fill.
        painter.setPen(QPen(QColor(colours.grid), 1))
        painter.setBrush(QBrush(QColor(colours.empty)))
        painter.drawRoundedRect(inner.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        return
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(colour))
    painter.drawRoundedRect(inner, 3, 3)
    percent = f"{value * 100:.0f}%"
    font = QFont(painter.font())
    metrics = QFontMetricsF(font)
    if metrics.horizontalAdvance(percent) > inner.width() - 2 or metrics.height() > inner.height():
        return
    painter.setPen(_on(colour))
    label = spec.labels[r][c]
    two_lines = inner.height() >= metrics.height() * 2.1
    if label and two_lines and metrics.horizontalAdvance(label) <= inner.width() - 2:
        half = inner.height() / 2
        painter.drawText(
            QRectF(inner.left(), inner.top(), inner.width(), half),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
            percent,
        )
        painter.drawText(
            QRectF(inner.left(), inner.top() + half, inner.width(), half),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            label,
        )
    else:
        painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, percent)


# -- QtCharts ------------------------------------------------------------------------------------


def _scale(value: float | None, unit: str, divisor: float = 1.0) -> float:
    if value is None:
        return 0.0
    return value * 100 if unit == "percent" else value / divisor


def _divisor(spec: BarChart | LineChart) -> float:
    """Money axes count in thousands once amounts run that high ("TRY thousands")."""
    if spec.unit != "money":
        return 1.0
    top = max((v or 0.0 for s in spec.series for v in s.values), default=0.0)
    return 1000.0 if top >= 10000 else 1.0


def _value_axis(spec: BarChart | LineChart, colours: ChartColours) -> QValueAxis:
    axis = QValueAxis()
    divisor = _divisor(spec)
    top = max((_scale(v, spec.unit, divisor) for s in spec.series for v in s.values), default=0.0)
    if spec.unit == "percent":
        # Fill rates read against a full class; small rates (no-shows) against their own scale.
        axis.setRange(0, max(100.0, top) if top >= 40 else max(5.0, top * 1.25))
        axis.setLabelFormat("%.0f%%")
        if top < 40:
            axis.applyNiceNumbers()
    else:
        # Whole-number labels over six ticks need a top of five at least (an empty range
        # would read "0 0 0 1 1 1").
        axis.setRange(0, max(top * 1.1, 5.0))
        axis.setLabelFormat("%.0f")
        axis.applyNiceNumbers()
    if spec.unit == "money" and spec.currency:
        axis.setTitleText(spec.currency + (" thousands" if divisor > 1 else ""))
    _style_axis(axis, colours)
    axis.setTickCount(6)
    return axis


def _style_axis(axis: QAbstractAxis, colours: ChartColours) -> None:
    axis.setLabelsColor(QColor(colours.muted))
    axis.setGridLineColor(QColor(colours.grid))
    axis.setLinePenColor(QColor(colours.grid))
    axis.setTitleBrush(QBrush(QColor(colours.muted)))


def _new_chart(title: str, colours: ChartColours) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    title_font = QFont(chart.titleFont())
    title_font.setBold(True)
    chart.setTitleFont(title_font)
    chart.setTitleBrush(QBrush(QColor(colours.text)))
    chart.setBackgroundBrush(QBrush(QColor(colours.surface)))
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.legend().setLabelColor(QColor(colours.muted))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


def _horizontal(spec: BarChart) -> bool:
    """Long names (products, services) read better as rows than as squeezed column labels."""
    return 0 < len(spec.categories) <= 14 and max(len(c) for c in spec.categories) > 9


def bar_chart(spec: BarChart, colours: ChartColours = LIGHT) -> QChart:
    chart = _new_chart(spec.title, colours)
    horizontal = _horizontal(spec)
    series = QHorizontalBarSeries() if horizontal else QBarSeries()
    for index, data in enumerate(spec.series):
        bars = QBarSet(data.name)
        bars.append([_scale(v, spec.unit, _divisor(spec)) for v in data.values])
        bars.setColor(QColor(colours.series[index % len(colours.series)]))
        bars.setBorderColor(Qt.GlobalColor.transparent)
        series.append(bars)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    # Top to bottom in the spec's order when the bars lie down.
    names = list(reversed(spec.categories)) if horizontal else list(spec.categories)
    if horizontal:
        for bars in series.barSets():
            values = [bars.at(i) for i in range(bars.count())]
            bars.remove(0, bars.count())
            bars.append(list(reversed(values)))
    categories.append(names or [""])
    _style_axis(categories, colours)
    categories.setGridLineVisible(False)
    if not horizontal and len(spec.categories) > 8:
        categories.setLabelsAngle(-60)
    values_axis = _value_axis(spec, colours)
    chart.addAxis(
        categories, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom
    )
    chart.addAxis(
        values_axis, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft
    )
    series.attachAxis(categories)
    series.attachAxis(values_axis)
    chart.legend().setVisible(len(spec.series) > 1)
    return chart


def line_chart(spec: LineChart, colours: ChartColours = LIGHT) -> QChart:
    """Trend lines over categories (weeks); labels thin out so at most ~12 are written."""
    chart = _new_chart(spec.title, colours)
    count = len(spec.categories)
    for index, data in enumerate(spec.series):
        line = QLineSeries()
        line.setName(data.name)
        for x, value in enumerate(data.values):
            if value is not None:
                line.append(QPointF(x, _scale(value, spec.unit, _divisor(spec))))
        pen = QPen(QColor(colours.series[index % len(colours.series)]))
        pen.setWidthF(2.2)
        line.setPen(pen)
        line.setPointsVisible(count <= 30)
        chart.addSeries(line)
    axis = QCategoryAxis()
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    step = max(1, -(-count // 7))
    for x in range(0, count, step):
        axis.append(spec.categories[x], x)
    axis.setRange(-0.3, max(count - 1, 1) + 0.3)
    _style_axis(axis, colours)
    axis.setGridLineVisible(False)
    chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
    values = _value_axis(spec, colours)
    chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
    for attached in chart.series():
        attached.attachAxis(axis)
        attached.attachAxis(values)
    chart.legend().setVisible(len(spec.series) > 1)
    return chart


def qchart(spec: BarChart | LineChart, colours: ChartColours = LIGHT) -> QChart:
    return bar_chart(spec, colours) if isinstance(spec, BarChart) else line_chart(spec, colours)


def render(painter: QPainter, area: QRectF, spec: Chart, colours: ChartColours = LIGHT) -> None:
    """Draw any chart into `area` of a painter (a PDF page, an image)."""
    if isinstance(spec, Heatmap):
        paint_heatmap(painter, area, spec, colours)
        return
    chart = qchart(spec, colours)
    scene = QGraphicsScene()
    scene.addItem(chart)
    chart.setGeometry(QRectF(0, 0, area.width(), area.height()))
    scene.setSceneRect(QRectF(0, 0, area.width(), area.height()))
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    scene.render(painter, area, scene.sceneRect())
    painter.restore()
    scene.removeItem(chart)
    chart.deleteLater()
