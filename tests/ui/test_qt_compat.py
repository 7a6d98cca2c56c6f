"""The binding bug the UI guards against (see desk/ui/qt_compat.py)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLabel

from desk.ui import qt_compat

pytestmark = pytest.mark.ui


def test_reading_an_unset_property_does_not_endanger_none(qtbot):
    qt_compat.protect_singletons()
    widget = QLabel()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(1000):
        assert widget.property("never-set") is None
    # Whatever the binding does to the count, None stays far from being freed.
    assert sys.getrefcount(None) > 1_000_000
    assert sys.getrefcount(None) >= before - 1000
