"""The Reports screen on the hand-built studios: the same figures in its cards and table model."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCharts import QValueAxis
from PySide6.QtCore import Qt as QtNS
from PySide6.QtCore import QTimer

from desk.domain.enums import StaffRole
from desk.reports.model import BarChart, Series
from desk.services.actor import Actor
from desk.ui import style
from desk.ui.reports import ReportsView, charts
from desk.ui.reports.table_model import VALUE_ROLE
from desk.ui.worker import Background
from tests.reports.test_packages import shop  # noqa: F401  (fixture)

pytestmark = pytest.mark.ui

OWNER = Actor.staff(1, StaffRole.OWNER, "Olga")
NOW = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.fixture
def background(db, qtbot):
    worker = Background(db)
    yield worker
    worker.shutdown()


@pytest.fixture
def screen(background, qtbot, tmp_path):
    saved: list[str] = []

    def ask(_parent, _title, suggested, _filter):
        path = tmp_path / "exports" / suggested.rsplit("/", 1)[-1]
        path.parent.mkdir(exist_ok=True)
        saved.append(str(path))
        return str(path)

    view = ReportsView(background, OWNER, clock=lambda: NOW, ask_path=ask)
    view.saved = saved
    qtbot.addWidget(view)
    view.resize(1366, 768)
    qtbot.waitUntil(lambda: view.choices is not None)
    return view


def show(qtbot, view, date_from, date_to, kind=None):
    """Ask for a range and wait for *that* report (the preset's may still be on its way)."""
    view.set_range(date_from, date_to)

    def arrived():
        doc = view.document
        return (
            doc is not None
            and (doc.date_from, doc.date_to) == (date_from, date_to)
            and doc.kind == (kind or view.kind)
            and not view.busy.isVisibleTo(view)
        )

    qtbot.waitUntil(arrived, timeout=10000)
    return view.document


def cell(view, row_text, header):
    model = view.model
    column = model.column_index(header)
    for row in range(model.rowCount()):
        if model.index(row, 0).data() == row_text:
            return model.index(row, column)
    raise AssertionError(f"no row {row_text!r}")


def test_occupancy_figures_and_table_on_screen(qtbot, occupancy_studio, screen):
    doc = show(qtbot, screen, date(2024, 3, 4), date(2024, 3, 17))
    assert doc.kind == "occupancy"
    figures = screen.figures.values()
    # 4 classes; 12 booked of 22 seats; 9 attended of 22 (see conftest.occupancy_studio)
    assert figures["Classes"] == "4"
    assert figures["Fill rate"] == "54.5%"
    assert figures["Attended"] == "40.9%"
    screen.show_table("by-service")
    reformer = cell(screen, "Reformer", "Fill")
    assert reformer.data() == "66.7%"  # 8 booked of 12 seats
    assert reformer.data(VALUE_ROLE) == pytest.approx(8 / 12)
    assert cell(screen, "Spinning", "Booked").data() == "4"
    # Sort by fill, highest first, through the proxy the view shows.
    header = screen.model.column_index("Fill")
    screen.table.sortByColumn(header, QtNS.SortOrder.DescendingOrder)
    assert screen.proxy.index(0, 0).data() == "Reformer"
    screen.search.setText("spin")
    assert screen.proxy.rowCount() == 1
    screen.show_table("classes")
    assert screen.model.rowCount() == 4
    assert screen.charts.count() == 4


def test_trainer_filter(qtbot, occupancy_studio, screen):
    show(qtbot, screen, date(2024, 3, 4), date(2024, 3, 17))
    index = screen.trainer.findText("Can")
    assert index > 0
    with qtbot.waitSignal(screen.document_shown, timeout=10000) as shown:
        screen.trainer.setCurrentIndex(index)
    doc = shown.args[0]
    assert doc.scope == "Trainer: Can"
    # Can teaches S3 (4 of 10) and S4 (3 of 4): 7 booked of 14 seats
    assert screen.figures.values()["Fill rate"] == "50.0%"


def test_packages_through_the_picker_and_exports(qtbot, shop, screen, tmp_path):  # noqa: F811
    show(qtbot, screen, date(2024, 3, 1), date(2024, 3, 31))
    with qtbot.waitSignal(screen.document_shown, timeout=10000):
        qtbot.mouseClick(screen.kind_buttons["packages"], QtNS.MouseButton.LeftButton)
    assert not screen.trainer.isVisibleTo(screen)  # packages cover the whole studio
    figures = screen.figures.values()
    assert figures["Revenue"] == "11,750.00 TRY"
    assert figures["Outstanding liability"] == "11,791.67 TRY"
    screen.show_table("liability")
    assert cell(screen, "3 Spin", "Value").data() == "666.67 TRY"
    with qtbot.waitSignal(screen.exported, timeout=20000) as done:
        screen.export_csv()
    (path,) = done.args[0]
    with path.open(encoding="utf-8-sig") as stream:
        rows = {r["Product"]: r for r in csv.DictReader(stream)}
    assert rows["3 Spin"]["Value"] == "666.67"
    with qtbot.waitSignal(screen.exported, timeout=30000) as done:
        screen.export_pdf()
    (pdf,) = done.args[0]
    assert pdf.name == "packages-2024-03-01-2024-03-31.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert "Saved" in screen.message.text()


def test_cancelling_an_export_saves_nothing(qtbot, occupancy_studio, screen, tmp_path):
    show(qtbot, screen, date(2024, 3, 4), date(2024, 3, 17))
    # The dialog's Cancel is pressed while the PDF is being written.
    QTimer.singleShot(0, lambda: screen.runner.dialog.cancel())
    screen.export_pdf()
    assert "cancelled" in screen.message.text()
    assert not any((tmp_path / "exports").iterdir())


def test_reception_cannot_see_reports(background, qtbot):
    view = ReportsView(background, Actor.staff(2, StaffRole.RECEPTION, "Ece"))
    qtbot.addWidget(view)
    assert view.allowed is False
    assert background.pending == 0  # nothing was even read


#: The Reports page's width in a 1366-px main window (the navigation column takes 196 px).
PAGE_ON_A_LAPTOP = (1366 - 196, 700)


@pytest.mark.parametrize("kind", ["occupancy", "noshows", "members", "packages"])
def test_every_report_fits_a_1366_px_screen(qapp, qtbot, occupancy_studio, screen, kind):
    style.apply(qapp, dark=False)  # the app's own paddings decide what fits
    screen.resize(*PAGE_ON_A_LAPTOP)
    screen.show()
    qtbot.waitExposed(screen)
    screen.kind_buttons[kind].setChecked(True)
    show(qtbot, screen, date(2024, 3, 4), date(2024, 3, 17), kind)
    # A window cannot shrink below what its controls need; in the main window the page would be
    # squeezed instead, cutting them short.
    assert screen.width() == PAGE_ON_A_LAPTOP[0], f"the page needs {screen.width()} px"
    controls = [*screen.kind_buttons.values(), screen.preset, screen.date_from, screen.date_to]
    if kind in ("occupancy", "noshows"):
        controls += [screen.service, screen.trainer, screen.room]
    squeezed = [w for w in controls if w.width() < w.sizeHint().width()]
    assert squeezed == [], [(w.width(), w.sizeHint().width()) for w in squeezed]
    for tabs in (screen.charts.tabBar(), screen.table_tabs):
        last = tabs.tabRect(tabs.count() - 1)
        assert last.right() < tabs.width(), f"{tabs.tabText(tabs.count() - 1)!r} runs off"


@pytest.mark.parametrize("unit", ["count", "money"])
def test_an_empty_chart_counts_in_whole_steps(qapp, unit):
    empty = BarChart("Revenue by product", ("A", "B"), (Series("Revenue", (0.0, None)),), unit)
    chart = charts.bar_chart(empty)
    (axis,) = (a for a in chart.axes() if isinstance(a, QValueAxis))
    step = (axis.max() - axis.min()) / (axis.tickCount() - 1)
    assert axis.min() == 0
    assert step >= 1 and step == int(step)  # labels 0, 1, 2...: never "0 0 0 1 1 1"
