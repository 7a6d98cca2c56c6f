"""The screen's table model and sort proxy, without widgets."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from desk.reports.documents import ReportRequest, build
from desk.reports.model import Column, Table
from desk.ui.reports.table_model import SORT_ROLE, VALUE_ROLE, ReportSortProxy, ReportTableModel


def test_model_shows_what_the_pdf_prints_and_sorts_numbers_as_numbers(qapp):
    table = Table(
        "t",
        "T",
        (
            Column("Name", "text", lambda r: r[0]),
            Column("Fill", "percent", lambda r: r[1], "booked ÷ seats"),
            Column("Secret", "text", lambda r: "x", export_only=True),
        ),
        (("b", 0.9), ("a", None), ("c", 0.25)),
    )
    model = ReportTableModel()
    model.set_table(table)
    assert (model.rowCount(), model.columnCount()) == (3, 2)  # export-only column hidden
    assert model.index(0, 1).data() == "90.0%"
    assert model.index(1, 1).data() == "–"
    assert model.index(2, 1).data(VALUE_ROLE) == 0.25
    assert model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == (
        "booked ÷ seats"
    )
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) == right
    proxy = ReportSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(1, Qt.SortOrder.DescendingOrder)
    # 90 % > 25 % > nothing ("–" sorts as the smallest)
    assert [proxy.index(r, 0).data() for r in range(3)] == ["b", "c", "a"]
    assert proxy.index(0, 1).data(SORT_ROLE) == 0.9
    proxy.setFilterFixedString("C")
    assert proxy.rowCount() == 1


def test_model_over_a_real_report(db, occupancy_studio, qapp):
    with db.read() as s:
        doc = build(s, ReportRequest("noshows", date(2024, 3, 4), date(2024, 3, 17)))
    model = ReportTableModel()
    model.set_table(doc.table("by-service"))
    rates = {
        model.index(r, 0).data(): model.index(r, model.column_index("No-show %")).data()
        for r in range(model.rowCount())
    }
    # Reformer 1 of 9, Spinning 1 of 4, PT 0 of 1 (see test_noshows)
    assert rates == {"PT 1:1": "0.0%", "Reformer": "11.1%", "Spinning": "25.0%"}
