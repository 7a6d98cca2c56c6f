"""The Schedule and Today pages with their roster panels and the PT booking button."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desk.ui.context import DeskContext
from desk.ui.schedule.pt_booking import PtBookingDialog
from desk.ui.schedule.roster import RosterPanel
from desk.ui.schedule.view import ScheduleView
from desk.ui.today import TodayPage
from desk.ui.widgets.common import button


class SchedulePage(ScheduleView):
    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.roster = RosterPanel(ctx)
        self.set_side_panel(self.roster)
        self.session_opened.connect(self.roster.show_session)
        self.dialog: PtBookingDialog | None = None
        self.pt_button = button("Book private session", kind="primary", on_click=self.book_pt)
        self.add_action(self.pt_button)

    def book_pt(self) -> PtBookingDialog:
        dialog = PtBookingDialog(self.ctx, self)
        dialog.setModal(True)
        dialog.show()
        self.dialog = dialog
        return dialog


class TodayWithRoster(TodayPage):
    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.roster = RosterPanel(ctx)
        self.set_side_panel(self.roster)
        self.session_opened.connect(self.roster.show_session)
