"""The front desk window: navigation on the left, one page at a time, a status bar below."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desk.resources import resource_path
from desk.services.members import MemberProfile
from desk.ui import context as pages
from desk.ui.context import DeskContext
from desk.ui.widgets.common import EmptyState, label
from desk.ui.widgets.member_picker import MemberPicker

#: (page key, navigation label, icon file)
NAVIGATION = (
    (pages.TODAY, "Today", "today.svg"),
    (pages.SCHEDULE, "Schedule", "schedule.svg"),
    (pages.MEMBERS, "Members", "members.svg"),
    (pages.SALES, "Sales", "sales.svg"),
    (pages.INBOX, "Inbox", "inbox.svg"),
    (pages.REPORTS, "Reports", "reports.svg"),
    (pages.SETTINGS, "Settings", "settings.svg"),
)

PageFactory = Callable[[DeskContext, "MainWindow"], QWidget]


def icon(name: str) -> QIcon:
    return QIcon(str(resource_path("ui-icons", name)))


class SearchPopup(QDialog):
    """Ctrl+K / Ctrl+F: find a member from anywhere and open their profile."""

    def __init__(self, ctx: DeskContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find a member")
        self.setObjectName("SearchPopup")
        self.resize(460, 380)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        self.picker = MemberPicker(ctx.background, placeholder="Find a member: name or phone…")
        layout.addWidget(self.picker)
        self.picker.picked.connect(lambda _m: self.accept())


class MainWindow(QMainWindow):
    """Pages are built by the factories the composition root hands in."""

    signed_out = Signal()
    #: A page was built (on its first visit): (key, widget), for the composition root to wire.
    page_built = Signal(str, object)

    def __init__(
        self, ctx: DeskContext, factories: dict[str, PageFactory], *, studio_name: str = ""
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(f"Studio Desk — {studio_name}" if studio_name else "Studio Desk")
        self.resize(1280, 760)
        self.setMinimumSize(1024, 640)
        self.factories = factories
        #: The pages this role may open, in navigation order.
        self.allowed: list[str] = []
        #: The pages built so far: each is built on its first visit, so signing in is quick and
        #: no screen loads data nobody looked at.
        self.pages: dict[str, QWidget] = {}
        self.stack = QStackedWidget()
        self.nav = QListWidget()
        self.nav.setObjectName("NavBar")
        self.nav.setIconSize(QSize(18, 18))
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for key, text, icon_file in NAVIGATION:
            if not ctx.who.may_open(key):
                continue
            self.allowed.append(key)
            item = QListWidgetItem(icon(icon_file), text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._show_row)
        self.setCentralWidget(self._body(studio_name))
        self._status_bar()
        self._shortcuts()
        self.navigate(pages.TODAY)

    # -- layout -------------------------------------------------------------------------------

    def _body(self, studio_name: str) -> QWidget:
        side = QWidget()
        side.setObjectName("Side")
        side.setFixedWidth(196)
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        brand = label("Studio Desk")
        brand.setObjectName("Brand")
        studio = label(studio_name or " ")
        studio.setObjectName("BrandStudio")
        column.addWidget(brand)
        column.addWidget(studio)
        column.addWidget(self.nav, 1)
        self.lock_button = QPushButton(icon("lock.svg"), "  Lock / switch user")
        self.lock_button.setObjectName("LockButton")
        self.lock_button.setAutoDefault(False)
        self.lock_button.setToolTip("Sign out; the next person signs in with their PIN.")
        self.lock_button.clicked.connect(lambda _c=False: self.signed_out.emit())
        column.addWidget(self.lock_button)
        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(side)
        row.addWidget(self.stack, 1)
        return body

    def _status_bar(self) -> None:
        bar = self.statusBar()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setFixedWidth(90)
        self.busy.setTextVisible(False)
        self.busy.hide()
        bar.addWidget(self.busy)
        self.sync_state = label("Sync: not set up")
        self.sync_state.setObjectName("SyncState")
        who = self.ctx.who
        self.user_label = label(f"Signed in: {who.name} · {who.role.value.capitalize()}")
        self.user_label.setObjectName("SignedInUser")
        bar.addPermanentWidget(self.sync_state)
        bar.addPermanentWidget(self.user_label)
        self.ctx.background.busy_changed.connect(self._busy)
        self.ctx.background.unhandled.connect(lambda text: bar.showMessage(text, 8000))

    def _busy(self, pending: int) -> None:
        self.busy.setVisible(pending > 0)

    def _shortcuts(self) -> None:
        # Ctrl+1, Ctrl+2… jump to the pages in the order the navigation lists them.
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            key = item.data(Qt.ItemDataRole.UserRole)
            item.setToolTip(f"Ctrl+{row + 1}")
            jump = QShortcut(QKeySequence(f"Ctrl+{row + 1}"), self)
            jump.activated.connect(lambda key=key: self.navigate(key))
        if not self.ctx.who.may_open(pages.MEMBERS):
            return
        for keys in ("Ctrl+K", "Ctrl+F"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(self.open_search)

    # -- navigation ---------------------------------------------------------------------------

    def navigate(self, key: str) -> QWidget | None:
        """Show a page; refused (returns None) when the signed-in role may not open it."""
        if key not in self.allowed:
            self.statusBar().showMessage("Your role cannot open that page.", 5000)
            return None
        self.nav.setCurrentRow(self.allowed.index(key))
        return self.page(key)

    def page(self, key: str) -> QWidget:
        """The page for `key`, built now if this is its first visit."""
        if key not in self.pages:
            factory = self.factories.get(key)
            page = factory(self.ctx, self) if factory else _placeholder(key)
            page.setObjectName("Page")
            self.pages[key] = page
            self.stack.addWidget(page)
            self.page_built.emit(key, page)
        return self.pages[key]

    @property
    def current_page(self) -> str:
        item = self.nav.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def _show_row(self, row: int) -> None:
        page = self.page(self.allowed[row])
        self.stack.setCurrentWidget(page)
        activate = getattr(page, "activate", None)
        if callable(activate):
            activate()

    def open_search(self) -> SearchPopup:
        popup = SearchPopup(self.ctx, self)
        popup.picker.picked.connect(self.open_member)
        popup.show()
        popup.picker.focus()
        self.search_popup = popup
        return popup

    def open_member(self, member: MemberProfile) -> None:
        page = self.navigate(pages.MEMBERS)
        opener = getattr(page, "open_member", None)
        if callable(opener):
            opener(member.id)

    def set_sync_state(self, text: str) -> None:
        self.sync_state.setText(text)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ctx.background.shutdown()
        super().closeEvent(event)


def _placeholder(key: str) -> QWidget:
    texts = {
        pages.INBOX: (
            "WhatsApp inbox",
            "Messages from members will appear here once WhatsApp sync is set up.",
        ),
        pages.REPORTS: (
            "Reports",
            "Occupancy, revenue and no-show reports are coming in a later update.",
        ),
    }
    title, hint = texts.get(key, (key.capitalize(), "This screen is on its way."))
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(24, 24, 24, 24)
    layout.addWidget(label(title, role="h1"))
    layout.addWidget(EmptyState(title, hint), 1)
    return page
