"""The PDF report, drawn with Qt's own PDF writer: title, range, headline figures, charts, tables.

A4 landscape at 96 dpi logical units (the output stays vector). Tables repeat their header on
every page they run onto; long text is elided rather than wrapped so rows stay one line. The file
is written under a temporary name and moved into place only when complete, so a cancelled
export leaves nothing behind.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)
from PySide6.QtWidgets import QApplication

from desk.reports.model import Column, ReportDocument, Table
from desk.reports.progress import Progress
from desk.ui.reports import charts

DPI = 96
ROWS_PER_STEP = 40
ACCENT = "#2F6F6A"
TEXT = "#1F2430"
MUTED = "#6B7280"
BORDER = "#E4E7EC"
STRIPE = "#F7F8FA"
CARD = "#F4F7F7"
TONES = {"bad": "#9B2C24", "warn": "#8A5A0B", "good": "#1E6B40"}


def ensure_app() -> QApplication:
    """QtCharts draws through QGraphicsWidgets, which need a QApplication (headless is fine)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QApplication(["desk-report"])


def _font(size: float, *, bold: bool = False) -> QFont:
    font = QFont(QApplication.font())
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


@dataclass
class _Cursor:
    page: int = 1
    y: float = 0.0


class _PdfReport:
    def __init__(self, writer: QPdfWriter, document: ReportDocument, progress: Progress) -> None:
        self.writer = writer
        self.doc = document
        self.progress = progress
        self.painter = QPainter(writer)
        self.painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        paint = writer.pageLayout().paintRectPixels(DPI)
        self.area = QRectF(0, 0, paint.width(), paint.height())
        self.body_bottom = self.area.bottom() - 28
        self.at = _Cursor(1, 0.0)
        self.total_steps = (
            1
            + len(document.charts)
            + sum(len(t.rows) // ROWS_PER_STEP + 1 for t in document.tables)
        )
        self.steps = 0

    # -- plumbing ----------------------------------------------------------------------------

    def step(self, label: str, count: int = 1) -> None:
        self.steps += count
        self.progress.step(min(self.steps, self.total_steps), self.total_steps, label)

    def text(self, rect: QRectF, text: str, font: QFont, colour: str, flags: int = 0) -> None:
        self.painter.setFont(font)
        self.painter.setPen(QColor(colour))
        align = flags or int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.painter.drawText(rect, align, text)

    def footer(self) -> None:
        small = _font(7.5)
        y = self.area.bottom() - 16
        left = f"{self.doc.studio} · {self.doc.title} · {self.doc.range_text}"
        self.text(QRectF(0, y, self.area.width() * 0.8, 16), left, small, MUTED)
        self.text(
            QRectF(0, y, self.area.width(), 16),
            f"Page {self.at.page}",
            small,
            MUTED,
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
        )

    def new_page(self) -> None:
        self.writer.newPage()
        self.at = _Cursor(self.at.page + 1, 0.0)
        self.footer()

    def room_for(self, height: float) -> None:
        if self.at.y + height > self.body_bottom:
            self.new_page()

    # -- sections ----------------------------------------------------------------------------

    def header(self) -> None:
        doc, w = self.doc, self.area.width()
        self.text(QRectF(0, 0, w, 18), doc.studio.upper(), _font(8, bold=True), ACCENT)
        self.text(QRectF(0, 18, w, 34), doc.title, _font(20, bold=True), TEXT)
        line = f"{doc.range_text} · times in {doc.timezone}"
        if doc.scope:
            line += f" · {doc.scope}"
        self.text(QRectF(0, 54, w, 18), line, _font(10), TEXT)
        stamp = f"Generated {doc.generated_at.astimezone():%d %b %Y %H:%M} by Studio Desk"
        self.text(QRectF(0, 72, w, 16), stamp, _font(8), MUTED)
        self.at.y = 98
        self.footer()
        self.step("Title")

    def figures(self) -> None:
        figures = self.doc.figures
        if not figures:
            return
        per_row = min(len(figures), 6)
        gap = 10.0
        width = (self.area.width() - gap * (per_row - 1)) / per_row
        height = 62.0
        for index, figure in enumerate(figures):
            col = index % per_row
            if col == 0 and index:
                self.at.y += height + gap
            box = QRectF(col * (width + gap), self.at.y, width, height)
            self.painter.setPen(QPen(QColor(BORDER), 1))
            self.painter.setBrush(QColor(CARD))
            self.painter.drawRoundedRect(box, 6, 6)
            inner = box.adjusted(10, 6, -10, -6)
            self.text(
                QRectF(inner.left(), inner.top(), inner.width(), 14), figure.label, _font(8), MUTED
            )
            value_colour = TONES.get(figure.tone, TEXT)
            self.text(
                QRectF(inner.left(), inner.top() + 14, inner.width(), 26),
                figure.value,
                _font(15, bold=True),
                value_colour,
            )
            note = QFontMetricsF(_font(7.5)).elidedText(
                figure.note, Qt.TextElideMode.ElideRight, inner.width()
            )
            self.text(
                QRectF(inner.left(), inner.top() + 40, inner.width(), 14), note, _font(7.5), MUTED
            )
        self.at.y += height + 12
        for note in self.doc.notes:
            self.text(QRectF(0, self.at.y, self.area.width(), 14), note, _font(8), MUTED)
            self.at.y += 14
        self.at.y += 10

    def charts(self) -> None:
        specs = self.doc.charts
        gap, height = 16.0, 222.0
        width = (self.area.width() - gap) / 2
        for index, spec in enumerate(specs):
            col = index % 2
            if col == 0:
                self.room_for(height)
            box = QRectF(col * (width + gap), self.at.y, width, height)
            self.painter.setFont(_font(8))
            charts.render(self.painter, box, spec, charts.LIGHT)
            if col == 1 or index == len(specs) - 1:
                self.at.y += height + gap
            self.step(spec.title)

    def tables(self) -> None:
        for table in self.doc.tables:
            _TableWriter(self, table).write()


class _TableWriter:
    ROW = 17.0
    PAD = 5.0

    def __init__(self, pdf: _PdfReport, table: Table) -> None:
        self.pdf = pdf
        self.table = table
        self.columns = table.shown_columns
        self.font = _font(7.5)
        self.bold = _font(7.5, bold=True)
        self.widths = self._widths()

    def _widths(self) -> list[float]:
        metrics, bold = QFontMetricsF(self.font), QFontMetricsF(self.bold)
        sample = range(min(len(self.table.rows), 300))
        widths = []
        for column in self.columns:
            widest = bold.horizontalAdvance(column.header)
            for row in sample:
                widest = max(widest, metrics.horizontalAdvance(self.table.text(row, column)))
            widths.append(min(widest, 260.0) + 2 * self.PAD)
        available = self.pdf.area.width()
        total = sum(widths)
        if total > available:
            widths = [w * available / total for w in widths]
        elif total < available * 0.6:
            widths = [w * (available * 0.6) / total for w in widths]
        return widths

    def _cell(
        self, x: float, y: float, width: float, text: str, column: Column, font: QFont, colour: str
    ) -> None:
        metrics = QFontMetricsF(font)
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width - 2 * self.PAD)
        align = Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
        rect = QRectF(x + self.PAD, y, width - 2 * self.PAD, self.ROW)
        self.pdf.text(rect, shown, font, colour, int(align | Qt.AlignmentFlag.AlignVCenter))

    def _header_row(self) -> None:
        pdf, y = self.pdf, self.pdf.at.y
        x = 0.0
        for column, width in zip(self.columns, self.widths, strict=True):
            self._cell(x, y, width, column.header, column, self.bold, MUTED)
            x += width
        pdf.painter.setPen(QPen(QColor(BORDER), 1))
        pdf.painter.drawLine(0, int(y + self.ROW), int(sum(self.widths)), int(y + self.ROW))
        pdf.at.y += self.ROW + 2

    def _title(self, suffix: str = "") -> None:
        pdf = self.pdf
        pdf.text(
            QRectF(0, pdf.at.y, pdf.area.width(), 20),
            self.table.title + suffix,
            _font(11, bold=True),
            TEXT,
        )
        pdf.at.y += 20
        if self.table.note and not suffix:
            pdf.text(QRectF(0, pdf.at.y, pdf.area.width(), 14), self.table.note, _font(8), MUTED)
            pdf.at.y += 15

    def write(self) -> None:
        pdf = self.pdf
        pdf.room_for(20 + 15 + self.ROW * 3)
        if pdf.at.y > 0:
            pdf.at.y += 8
        self._title()
        if not self.table.rows:
            pdf.text(
                QRectF(0, pdf.at.y, pdf.area.width(), 16), self.table.empty_text, _font(8.5), MUTED
            )
            pdf.at.y += 26
            pdf.step(self.table.title)
            return
        self._header_row()
        for index in range(len(self.table.rows)):
            if pdf.at.y + self.ROW > pdf.body_bottom:
                pdf.new_page()
                self._title(" (continued)")
                self._header_row()
            if index % 2:
                pdf.painter.fillRect(
                    QRectF(0, pdf.at.y, sum(self.widths), self.ROW), QColor(STRIPE)
                )
            x = 0.0
            for column, width in zip(self.columns, self.widths, strict=True):
                self._cell(
                    x, pdf.at.y, width, self.table.text(index, column), column, self.font, TEXT
                )
                x += width
            pdf.at.y += self.ROW
            if index % ROWS_PER_STEP == ROWS_PER_STEP - 1:
                pdf.step(self.table.title)
        pdf.step(self.table.title)
        pdf.at.y += 10


def export_pdf(document: ReportDocument, out: Path, *, progress: Progress | None = None) -> Path:
    """Write the whole report as one PDF; returns its path."""
    ensure_app()
    progress = progress or Progress()
    out = Path(out)
    partial = out.with_name(out.name + ".part")
    writer = QPdfWriter(str(partial))
    writer.setResolution(DPI)
    writer.setTitle(f"{document.studio} — {document.title}, {document.range_text}")
    writer.setCreator("Studio Desk")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    report = _PdfReport(writer, document, progress)
    try:
        report.header()
        report.figures()
        report.charts()
        report.tables()
    except BaseException:
        report.painter.end()
        partial.unlink(missing_ok=True)
        raise
    report.painter.end()
    del writer
    os.replace(partial, out)
    return out
