"""Regression guard for the bindings: PySide6 6.12.0 on CPython 3.11 dropped a reference to None
at every void call and every invalid QVariant handed to Python, until the process aborted
("none_dealloc"). pyproject pins PySide6 below 6.12 and the app carries no workaround; this fails
if such a build comes back."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QLabel

pytestmark = pytest.mark.ui

CALLS = 3000


class _Empty(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):  # noqa: B008
        return 2

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 2

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        return None


class _Emitter(QObject):
    fired = Signal(object)


def _drift(call) -> int:
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        call()
    return sys.getrefcount(None) - before


def test_void_calls_leave_none_alone(qtbot):
    widget = QLabel()
    qtbot.addWidget(widget)
    assert abs(_drift(lambda: widget.setText("x"))) < 10
    assert abs(_drift(widget.update)) < 10


def test_invalid_qvariants_reaching_python_leave_none_alone(qtbot):
    widget = QLabel()
    qtbot.addWidget(widget)
    model = _Empty()
    emitter = _Emitter()
    emitter.fired.connect(lambda _v: None)
    assert abs(_drift(lambda: widget.property("never-set"))) < 10
    assert abs(_drift(lambda: model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole))) < 10
    assert abs(_drift(lambda: emitter.fired.emit(None))) < 10
