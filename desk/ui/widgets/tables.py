"""Read-only tables over `RowsModel`s, sortable, one row selected at a time."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from desk.ui.table_model import ROW_ROLE, SORT_ROLE, RowsModel


def table(model: RowsModel[Any], *, sort_by: int | None = 0) -> QTableView:
    """`sort_by=None` keeps the rows in the order the service returned them until staff click
    a header."""
    view = QTableView()
    proxy = QSortFilterProxyModel(view)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(-1 if sort_by is None else sort_by, Qt.SortOrder.AscendingOrder)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.setShowGrid(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    )
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.verticalHeader().setDefaultSectionSize(34)
    return view


def selected_row(view: QTableView) -> Any:
    indexes = view.selectionModel().selectedRows() if view.selectionModel() else []
    return indexes[0].data(ROW_ROLE) if indexes else None
