"""The Settings page (owner only): one tab per part of the catalog and the studio."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desk.ui.context import DeskContext
from desk.ui.settings.catalog_tabs import ProductsTab, RoomsTab, ServicesTab
from desk.ui.settings.people_tabs import StaffTab, TrainersTab
from desk.ui.settings.studio_tab import StudioTab
from desk.ui.settings.timetable_tab import TimetableTab
from desk.ui.widgets.common import label


class SettingsPage(QWidget):
    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.studio = StudioTab(ctx)
        self.services = ServicesTab(ctx)
        self.rooms = RoomsTab(ctx)
        self.trainers = TrainersTab(ctx)
        self.products = ProductsTab(ctx)
        self.timetable = TimetableTab(ctx)
        self.staff = StaffTab(ctx)
        self.tabs = QTabWidget()
        for tab, title in (
            (self.studio, "Studio and policies"),
            (self.services, "Services"),
            (self.rooms, "Rooms"),
            (self.trainers, "Trainers"),
            (self.products, "Packages and memberships"),
            (self.timetable, "Timetable"),
            (self.staff, "Staff"),
        ):
            self.tabs.addTab(tab, title)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_current())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(12)
        layout.addWidget(label("Settings", role="h1"))
        layout.addWidget(self.tabs, 1)
        self._loaded: set[int] = set()

    def activate(self) -> None:
        self._refresh_current()

    def _refresh_current(self) -> None:
        """Each tab loads the first time it is shown; afterwards change notices keep it fresh."""
        index = self.tabs.currentIndex()
        if index in self._loaded:
            return
        self._loaded.add(index)
        tab = self.tabs.widget(index)
        refresh = getattr(tab, "refresh", None)
        if callable(refresh):
            refresh()

    def open_tab(self, tab: QWidget) -> None:
        self.tabs.setCurrentWidget(tab)
        self._refresh_current()
