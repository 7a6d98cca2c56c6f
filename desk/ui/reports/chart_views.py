"""Chart widgets for the Reports screen: the painted heatmap and QtCharts views."""

from __future__ import annotations

from PySide6.QtCharts import QChartView
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from desk.reports.model import Chart, Heatmap
from desk.ui.reports import charts
from desk.ui.style import current_theme


def theme_colours() -> charts.ChartColours:
    """Chart colours from the app's theme, so the charts sit right in light and dark mode."""
    theme = current_theme().colours
    if not current_theme().dark:
        return charts.LIGHT
    return charts.ChartColours(
        text=theme["text"],
        muted=theme["muted"],
        grid=theme["border"],
        surface=theme["surface"],
        empty=theme["bg"],
        low="#22403D",
        high="#7FD1C6",
        bad_low="#3B1F1D",
        bad_high="#F1A29A",
    )


class HeatmapView(QWidget):
    """The weekday × hour grid, painted with the same code as the PDF page."""

    def __init__(self, spec: Heatmap, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setMinimumSize(QSize(360, 260))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        colours = theme_colours()
        painter.fillRect(self.rect(), painter.background())
        area = QRectF(self.rect()).adjusted(12, 10, -12, -8)
        charts.paint_heatmap(painter, area, self.spec, colours)
        painter.end()


def chart_widget(spec: Chart, parent: QWidget | None = None) -> QWidget:
    if isinstance(spec, Heatmap):
        return HeatmapView(spec, parent)
    view = QChartView(charts.qchart(spec, theme_colours()), parent)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumSize(QSize(360, 260))
    return view
