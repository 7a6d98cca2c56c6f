"""The owner's Reports screen (mount `ReportsView` in the main window's Reports page)."""

from desk.ui.reports.view import ReportsView

__all__ = ["ReportsView"]
