"""Which widget each navigation entry shows. The composition root hands this to the window."""

from __future__ import annotations

from desk.ui import context as pages
from desk.ui.inbox.view import InboxView
from desk.ui.main_window import PageFactory
from desk.ui.members.list_view import MembersPage
from desk.ui.reports import ReportsView
from desk.ui.sales_page import SalesPage
from desk.ui.schedule.page import SchedulePage, TodayWithRoster
from desk.ui.settings.page import SettingsPage


def default_pages() -> dict[str, PageFactory]:
    return {
        pages.TODAY: lambda ctx, _window: TodayWithRoster(ctx),
        pages.SCHEDULE: lambda ctx, _window: SchedulePage(ctx),
        pages.MEMBERS: lambda ctx, _window: MembersPage(ctx),
        pages.SALES: lambda ctx, _window: SalesPage(ctx),
        pages.INBOX: lambda ctx, _window: InboxView(ctx),
        pages.REPORTS: lambda ctx, _window: ReportsView(
            ctx.background, ctx.who.actor, clock=ctx.clock
        ),
        pages.SETTINGS: lambda ctx, _window: SettingsPage(ctx),
    }
