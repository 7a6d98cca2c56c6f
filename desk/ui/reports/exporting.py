"""Saving the report on screen: CSV of the table in view, or the whole report as a PDF.

The document is already in memory, so an export touches no database. It runs on the main thread
(QtCharts must) and keeps the window alive through the progress dialog, whose Cancel stops it
with nothing half-written left behind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QProgressDialog, QWidget

from desk.reports.csv_export import export_csv
from desk.reports.model import ReportDocument
from desk.reports.progress import Progress
from desk.ui.reports.pdf_export import export_pdf

#: (parent, title, suggested path, file filter) → the chosen path, or None when cancelled.
AskPath = Callable[[QWidget, str, str, str], str | None]


def ask_with_dialog(parent: QWidget, title: str, suggested: str, filter_: str) -> str | None:
    path, _chosen = QFileDialog.getSaveFileName(parent, title, suggested, filter_)
    return path or None


def file_stem(document: ReportDocument) -> str:
    return f"{document.kind}-{document.date_from:%Y-%m-%d}-{document.date_to:%Y-%m-%d}"


class ExportRunner:
    """One export with a progress dialog; `dialog` is kept for tests to press Cancel."""

    def __init__(self, parent: QWidget, label: str) -> None:
        self.dialog = QProgressDialog(label, "Cancel", 0, 100, parent)
        self.dialog.setWindowTitle("Exporting")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setValue(0)

    def progress(self) -> Progress:
        def report(done: int, total: int, label: str) -> None:
            self.dialog.setMaximum(max(total, 1))
            self.dialog.setValue(min(done, total))
            self.dialog.setLabelText(f"Writing {label}…")
            QApplication.processEvents()

        return Progress(report=report, cancelled=self.dialog.wasCanceled)

    def csv(self, document: ReportDocument, table: str, path: Path) -> list[Path]:
        try:
            return export_csv(document, path, table=table, progress=self.progress())
        finally:
            self.dialog.close()

    def pdf(self, document: ReportDocument, path: Path) -> Path:
        try:
            return export_pdf(document, path, progress=self.progress())
        finally:
            self.dialog.close()
