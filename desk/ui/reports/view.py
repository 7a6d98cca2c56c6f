"""The owner's Reports screen: pick a report and a range; charts beside sortable tables; export.

Every figure comes from one `ReportDocument` built on the worker thread, the same document the
CSV and PDF exports write, so what the owner reads on screen is what they send their accountant.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk.domain.enums import StaffRole
from desk.reports.documents import FILTERABLE, KINDS, ReportRequest, build
from desk.reports.model import ReportDocument
from desk.reports.progress import ExportCancelled
from desk.services.actor import Actor
from desk.services.reports.choices import Choice, ReportChoices, report_choices
from desk.store.types import utcnow
from desk.ui.reports.chart_views import chart_widget
from desk.ui.reports.controls import (
    PRESETS,
    SHORT_NAMES,
    compact,
    preset_range,
    pydate,
    qdate,
    short_title,
)
from desk.ui.reports.exporting import AskPath, ExportRunner, ask_with_dialog, file_stem
from desk.ui.reports.figures import FigureStrip
from desk.ui.reports.table_model import ReportSortProxy, ReportTableModel
from desk.ui.widgets.common import EmptyState, InlineMessage, button, label
from desk.ui.worker import CATALOG, Background


class ReportsView(QWidget):
    #: A report arrived and is on screen.
    document_shown = Signal(object)
    #: An export finished: the files written.
    exported = Signal(list)

    def __init__(
        self,
        background: Background,
        actor: Actor,
        *,
        clock: Callable[[], datetime] = utcnow,
        ask_path: AskPath = ask_with_dialog,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.background = background
        self.actor = actor
        self.clock = clock
        self.ask_path = ask_path
        self.document: ReportDocument | None = None
        self.choices: ReportChoices | None = None
        self._generation = 0
        self.runner: ExportRunner | None = None
        self._table_for_kind: dict[str, int] = {}
        self._reload = QTimer(self, singleShot=True, interval=120)
        self._reload.timeout.connect(self.refresh)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(10)
        if actor.role is not StaffRole.OWNER and actor.label != "system":
            outer.addWidget(
                EmptyState(
                    "Reports are for the studio owner",
                    "Ask the owner to sign in to see occupancy, no-shows, members and money.",
                )
            )
            self.allowed = False
            return
        self.allowed = True
        outer.addLayout(self._build_header())
        outer.addLayout(self._build_controls())
        outer.addWidget(self._build_narrowing())
        self.message = InlineMessage()
        outer.addWidget(self.message)
        self.figures = FigureStrip()
        outer.addWidget(self.figures)
        self.notes = label("", role="muted", wrap=True)
        outer.addWidget(self.notes)
        outer.addWidget(self._build_body(), 1)
        self._set_exports_enabled(False)
        self._stale = False
        self._load_choices()
        background.changed.connect(self._data_changed)

    def _load_choices(self) -> None:
        self.background.read(lambda s: report_choices(s, now=self.clock()), owner=self).success(
            self._choices_loaded
        ).failure(self.message.show_error).run()

    def _data_changed(self, areas: frozenset[str]) -> None:
        """Something was written at the desk: names may have changed, figures surely did."""
        if CATALOG in areas:
            self._load_choices()
        if self.isVisible():
            self._reload.start()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.allowed:
            self._stale = False
            self._reload.start()

    # -- building -----------------------------------------------------------------------------

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(label("Reports", role="h1"))
        self.subtitle = label("", role="muted")
        row.addWidget(self.subtitle, 0, Qt.AlignmentFlag.AlignBottom)
        row.addStretch(1)
        self.busy = label("Updating…", role="muted")
        self.busy.hide()
        row.addWidget(self.busy)
        self.csv_button = button("Export CSV…", on_click=self.export_csv)
        self.csv_button.setToolTip("Save the table in view as a CSV file")
        self.pdf_button = button("Export PDF…", kind="primary", on_click=self.export_pdf)
        self.pdf_button.setToolTip("Save the whole report (figures, charts, tables) as a PDF")
        row.addWidget(self.csv_button)
        row.addWidget(self.pdf_button)
        return row

    def _build_controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.kinds = QButtonGroup(self)
        self.kind_buttons: dict[str, QPushButton] = {}
        for kind in KINDS:
            choice = QPushButton(SHORT_NAMES[kind])
            choice.setCheckable(True)
            choice.setToolTip(KINDS[kind])
            self.kinds.addButton(choice)
            self.kind_buttons[kind] = choice
            row.addWidget(choice)
        self.kind_buttons["occupancy"].setChecked(True)
        self.kinds.buttonToggled.connect(self._kind_changed)
        row.addSpacing(14)
        self.preset = QComboBox()
        self.preset.addItems(PRESETS)
        self.preset.setCurrentText("Last 12 weeks")
        self.preset.currentTextChanged.connect(self._preset_changed)
        row.addWidget(self.preset)
        self.date_from, self.date_to = QDateEdit(), QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
            edit.dateChanged.connect(self._dates_edited)
        row.addWidget(self.date_from)
        row.addWidget(label("–", role="muted"))
        row.addWidget(self.date_to)
        row.addStretch(1)
        return row

    def _build_narrowing(self) -> QWidget:
        """Service, trainer and room filters, on their own row: beside the report buttons and
        dates they squeezed everything out of shape on a 1366-px screen."""
        self.narrowing = QWidget()
        row = QHBoxLayout(self.narrowing)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.service, self.trainer, self.room = QComboBox(), QComboBox(), QComboBox()
        for combo, everything in (
            (self.service, "All services"),
            (self.trainer, "All trainers"),
            (self.room, "All rooms"),
        ):
            combo.addItem(everything, None)
            combo.setMinimumWidth(150)
            combo.currentIndexChanged.connect(lambda _i: self._reload.start())
            row.addWidget(combo)
        row.addStretch(1)
        return self.narrowing

    def _build_body(self) -> QSplitter:
        split = QSplitter(Qt.Orientation.Horizontal)
        self.charts = QTabWidget()
        self.charts.setDocumentMode(True)
        compact(self.charts.tabBar())
        split.addWidget(self.charts)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        bar = QHBoxLayout()
        self.table_tabs = QTabBar()
        self.table_tabs.setExpanding(False)
        self.table_tabs.setDrawBase(False)
        self.table_tabs.currentChanged.connect(self._table_changed)
        compact(self.table_tabs)
        bar.addWidget(self.table_tabs, 1)
        column.addLayout(bar)
        under = QHBoxLayout()
        self.table_note = label("", role="muted", wrap=True)
        under.addWidget(self.table_note, 1)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter rows…")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(220)
        under.addWidget(self.search)
        column.addLayout(under)
        self.model = ReportTableModel(self)
        self.proxy = ReportSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = self._table_view()
        self.empty = EmptyState("Nothing to show", "")
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(self.empty)
        column.addWidget(self.table_stack, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 6)
        split.setSizes([520, 760])
        split.setChildrenCollapsible(False)
        return split

    def _table_view(self) -> QTableView:
        view = QTableView()
        view.setModel(self.proxy)
        view.setSortingEnabled(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(30)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        return view

    # -- inputs -------------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        for kind, choice in self.kind_buttons.items():
            if choice.isChecked():
                return kind
        return "occupancy"

    def _choices_loaded(self, choices: ReportChoices) -> None:
        first = self.choices is None
        self.choices = choices
        self.subtitle.setText(f"{choices.studio} · studio time ({choices.timezone})")
        for combo, items in (
            (self.service, choices.services),
            (self.trainer, choices.trainers),
            (self.room, choices.rooms),
        ):
            self._fill(combo, items)
        if first:
            self._preset_changed(self.preset.currentText())

    @staticmethod
    def _fill(combo: QComboBox, items: tuple[Choice, ...]) -> None:
        """(Re)fill a filter, keeping what was picked if it still exists."""
        picked = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for item in items:
            combo.addItem(item.name if item.active else f"{item.name} (retired)", item.id)
        combo.setCurrentIndex(max(combo.findData(picked), 0))
        combo.blockSignals(False)

    def set_range(self, date_from: date, date_to: date) -> None:
        for edit, day in ((self.date_from, date_from), (self.date_to, date_to)):
            edit.blockSignals(True)
            edit.setDate(qdate(day))
            edit.blockSignals(False)
        self._reload.start()

    def _preset_changed(self, name: str) -> None:
        if self.choices is None:
            return
        span = preset_range(name, self.choices.today)
        if span is not None:
            self.set_range(*span)

    def _dates_edited(self, _day: QDate) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentText("Custom")
        self.preset.blockSignals(False)
        self._reload.start()

    def _kind_changed(self, _button: QPushButton, checked: bool) -> None:
        if not checked:
            return
        self.narrowing.setVisible(self.kind in FILTERABLE)
        self.search.clear()
        self._reload.start()

    def request(self) -> ReportRequest:
        narrowable = self.kind in FILTERABLE
        return ReportRequest(
            self.kind,
            pydate(self.date_from.date()),
            pydate(self.date_to.date()),
            self.service.currentData() if narrowable else None,
            self.trainer.currentData() if narrowable else None,
            self.room.currentData() if narrowable else None,
            now=self.clock(),
        )

    # -- loading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.choices is None:
            return
        self.message.clear_message()
        try:
            request = self.request()
        except Exception as exc:  # a refusal from ReportRequest, in plain words
            self.message.show_error(exc)
            return
        self._generation += 1
        generation = self._generation
        self.busy.show()
        self.background.read(lambda s: build(s, request), owner=self).success(
            functools.partial(self._arrived, generation)
        ).failure(functools.partial(self._refused, generation)).run()

    def _refused(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.busy.hide()
            self.message.show_error(error)

    def _arrived(self, generation: int, document: ReportDocument) -> None:
        if generation != self._generation:
            return  # an older request, overtaken while it ran
        self.busy.hide()
        self.document = document
        self.figures.show_figures(document.figures)
        self.notes.setText("  ·  ".join(filter(None, (document.scope, *document.notes))))
        self._show_charts(document)
        self._show_tables(document)
        self._set_exports_enabled(True)
        self.document_shown.emit(document)

    def _show_charts(self, document: ReportDocument) -> None:
        current = self.charts.currentIndex()
        while self.charts.count():
            widget = self.charts.widget(0)
            self.charts.removeTab(0)
            if widget is not None:
                widget.deleteLater()
        for spec in document.charts:
            self.charts.addTab(chart_widget(spec), spec.tab or short_title(spec.title))
        if 0 <= current < self.charts.count():
            self.charts.setCurrentIndex(current)

    def _show_tables(self, document: ReportDocument) -> None:
        wanted = self._table_for_kind.get(document.kind, 0)
        self.table_tabs.blockSignals(True)
        while self.table_tabs.count():
            self.table_tabs.removeTab(0)
        counted = len(document.tables) <= 6  # row counts on the tabs while they fit
        for table in document.tables:
            caption = table.tab or table.title
            self.table_tabs.addTab(f"{caption}  {len(table.rows):,}" if counted else caption)
            self.table_tabs.setTabToolTip(self.table_tabs.count() - 1, table.title)
        self.table_tabs.setCurrentIndex(min(wanted, len(document.tables) - 1))
        self.table_tabs.blockSignals(False)
        self._table_changed(self.table_tabs.currentIndex())

    def _table_changed(self, index: int) -> None:
        if self.document is None or not 0 <= index < len(self.document.tables):
            return
        self._table_for_kind[self.document.kind] = index
        table = self.document.tables[index]
        self.model.set_table(table)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.resizeColumnsToContents()
        self.table_note.setText(table.note)
        self.empty.set_text("Nothing to show", table.empty_text)
        self.table_stack.setCurrentWidget(self.table if table.rows else self.empty)

    def show_table(self, slug: str) -> None:
        """Bring one table into view by its slug (used by tests and the screenshot script)."""
        assert self.document is not None
        slugs = [t.slug for t in self.document.tables]
        self.table_tabs.setCurrentIndex(slugs.index(slug))

    # -- exports ------------------------------------------------------------------------------

    def _set_exports_enabled(self, enabled: bool) -> None:
        self.csv_button.setEnabled(enabled)
        self.pdf_button.setEnabled(enabled)

    def export_csv(self) -> None:
        document, table = self.document, self.model.table
        if document is None or table is None:
            return
        suggested = str(Path.home() / f"{file_stem(document)}-{table.slug}.csv")
        path = self.ask_path(self, f"Save “{table.title}” as CSV", suggested, "CSV files (*.csv)")
        if path:
            self._export(lambda runner: runner.csv(document, table.slug, Path(path)))

    def export_pdf(self) -> None:
        document = self.document
        if document is None:
            return
        suggested = str(Path.home() / f"{file_stem(document)}.pdf")
        path = self.ask_path(self, "Save the report as PDF", suggested, "PDF files (*.pdf)")
        if path:
            self._export(lambda runner: [runner.pdf(document, Path(path))])

    def _export(self, work: Callable[[ExportRunner], list[Path]]) -> None:
        self.runner = ExportRunner(self, "Preparing the export…")
        try:
            written = work(self.runner)
        except ExportCancelled:
            self.message.show_notice("Export cancelled; nothing was saved.")
            return
        except OSError as exc:
            self.message.show_error(f"Could not save: {exc.strerror or exc}.")
            return
        names = ", ".join(p.name for p in written)
        self.message.show_ok(f"Saved {names} in {written[0].parent}.")
        self.exported.emit(written)
