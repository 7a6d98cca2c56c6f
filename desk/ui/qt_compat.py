"""Nothing left to guard: PySide6 is pinned below 6.12 (pyproject), whose 6.12.0 dropped a
reference to `None` on CPython 3.11 at every void call. tests/ui/test_qt_compat.py keeps that
from coming back. This no-op stays only while desk/reports/cli_command.py still calls it.
"""

from __future__ import annotations


def protect_singletons() -> None:
    """Formerly a reference cushion for None/True/False; the pinned bindings need none."""
