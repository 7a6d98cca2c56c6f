"""The owner's Reports screen (mount `ReportsView` in the main window's Reports page), and the Qt
renderings of a report: `charts` and the PDF writer `pdf_export`.

The headless `desk report --format pdf` imports the PDF writer too, so the screen itself is
loaded only when `ReportsView` is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desk.ui.reports.view import ReportsView

__all__ = ["ReportsView"]


def __getattr__(name: str) -> object:
    if name == "ReportsView":
        from desk.ui.reports.view import ReportsView

        return ReportsView
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
