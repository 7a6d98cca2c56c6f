"""Which widget each navigation entry shows. The composition root hands this to the window.

Each page's module is imported on the page's first visit, not at start: the window opens on
Today, and Reports (QtCharts, the PDF writer), Inbox or Settings cost nothing until opened.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desk.ui import context as pages
from desk.ui.context import DeskContext
from desk.ui.main_window import MainWindow, PageFactory


def _today(ctx: DeskContext, _window: MainWindow) -> QWidget:
    from desk.ui.schedule.page import TodayWithRoster

    return TodayWithRoster(ctx)


def _schedule(ctx: DeskContext, _window: MainWindow) -> QWidget:
    from desk.ui.schedule.page import SchedulePage

    return SchedulePage(ctx)


def _members(ctx: DeskContext, _window: MainWindow) -> QWidget:
    from desk.ui.members.list_view import MembersPage

    return MembersPage(ctx)


def _sales(ctx: DeskContext, _window: MainWindow) -> QWidget:
    from desk.ui.sales_page import SalesPage

    return SalesPage(ctx)


def _inbox(ctx: DeskContext, _window: MainWindow) -> QWidget:
    from desk.ui.inbox.view import InboxView

    return InboxView(ctx)


def _reports(ctx: DeskContext, _window: MainWindow) -> QWidget:
    from desk.ui.reports import ReportsView

    return ReportsView(ctx.background, ctx.who.actor, clock=ctx.clock)


def _settings(ctx: DeskContext, _window: MainWindow) -> QWidget:
    from desk.ui.settings.page import SettingsPage

    return SettingsPage(ctx)


def default_pages() -> dict[str, PageFactory]:
    return {
        pages.TODAY: _today,
        pages.SCHEDULE: _schedule,
        pages.MEMBERS: _members,
        pages.SALES: _sales,
        pages.INBOX: _inbox,
        pages.REPORTS: _reports,
        pages.SETTINGS: _settings,
    }
