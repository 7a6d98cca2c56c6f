"""The composition root: open the database, start the worker, sign in, show the window.

Everything the screens use is built here and passed down explicitly; nothing in `desk/ui`
reaches for a global application, database or window.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from desk.resources import resource_path
from desk.services.settings import get_policy
from desk.store.db import Database
from desk.store.migrate import DatabaseError
from desk.store.open import open_database
from desk.store.types import utcnow
from desk.ui import context as pages
from desk.ui import style
from desk.ui.context import DeskContext, SignedIn
from desk.ui.main_window import MainWindow
from desk.ui.pages import default_pages
from desk.ui.sign_in import SignInDialog
from desk.ui.sync_bridge import NOT_SET_UP, SyncBridge, status_text
from desk.ui.worker import MEMBERS, SALES, SCHEDULE, SETTINGS, Background

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: How often a running desk looks for bookings the automatic no-show is due on.
AUTO_NOSHOW_EVERY_MS = 5 * 60 * 1000


def application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Studio Desk")
    app.setOrganizationName("StudioDesk")
    app.setWindowIcon(QIcon(str(resource_path("ui-icons", "schedule.svg"))))
    style.apply(app)
    return app


def desk_context(
    background: Background, who: SignedIn, *, sync: SyncBridge | None = None
) -> DeskContext:
    """Everything a screen is handed (the studio's timezone read once, here)."""
    tz = background.db.query(get_policy).tz
    if sync is None:
        return DeskContext(background=background, who=who, studio_tz=tz)
    return DeskContext(
        background=background, who=who, send_queued_messages=sync.nudge, studio_tz=tz
    )


def build_window(
    background: Background, who: SignedIn, studio_name: str, *, sync: SyncBridge | None = None
) -> MainWindow:
    ctx = desk_context(background, who, sync=sync)
    return MainWindow(ctx, default_pages(), studio_name=studio_name)


def mark_due_noshows(session: Session, *, now: datetime) -> int:
    """One round of the automatic no-show: how many bookings it marked (none while it is off)."""
    if get_policy(session).auto_noshow_after_hours is None:  # None is "Off" in Settings
        return 0
    from desk.services import attendance  # loaded with the first page; not needed to start

    # A booking marked in an earlier round is no longer BOOKED, so it is never marked twice.
    return len(attendance.auto_noshow_due(session, now=now))


class AutoNoShows(QObject):
    """Marks the bookings nobody checked in once the studio's delay after the class has passed:
    at start and every few minutes, on the database worker, while the desk runs (locked too)."""

    #: A round finished: how many bookings it marked.
    marked = Signal(int)

    def __init__(
        self,
        background: Background,
        *,
        clock: Callable[[], datetime] = utcnow,
        every_ms: int = AUTO_NOSHOW_EVERY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.background = background
        self.clock = clock
        #: Whether Settings has it on: a desk with it off does not take the write lock for it.
        self.enabled = False
        self._running = False
        self.timer = QTimer(self)
        self.timer.setInterval(every_ms)
        self.timer.timeout.connect(self.run)

    def start(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.timer.start()
        # The first round once the event loop runs: it queues behind nothing the window needs.
        QTimer.singleShot(0, self.run)

    def stop(self) -> None:
        self.timer.stop()

    def run(self) -> None:
        """One round, unless it is off or the last round has not come back yet."""
        if not self.enabled or self._running:
            return
        self._running = True
        now = self.clock()
        op = self.background.write(lambda s: mark_due_noshows(s, now=now), changes=())
        op.success(self._done).failure(self._failed).run()

    def _done(self, marked: int) -> None:
        self._running = False
        if marked:
            # The same areas a no-show marked at the roster touches: Today, the schedule,
            # members' standing and their packages refresh.
            self.background.changed.emit(frozenset({SCHEDULE, MEMBERS, SALES}))
        self.marked.emit(marked)

    def _failed(self, error: BaseException) -> None:
        self._running = False
        log.warning("Automatic no-shows not marked this round: %s", error)


class Desk:
    """One running desk: the database worker, the WhatsApp sync, the window, and signing in
    again after a lock. The sync keeps running while the desk is locked."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.background = Background(db)
        self.sync = SyncBridge()
        self.auto_noshows = AutoNoShows(self.background)
        # A freed seat may have offered itself to the waitlist: send that message now.
        self.auto_noshows.marked.connect(lambda marked: self.sync.nudge() if marked else None)
        policy = db.query(get_policy)
        self.tz = policy.tz
        self.window: MainWindow | None = None
        self.sync.status_changed.connect(self._sync_status)
        self.background.changed.connect(self._settings_changed)
        self.auto_noshows.start(enabled=policy.auto_noshow_after_hours is not None)

    def start_sync(self) -> None:
        if not self.sync.start_from_settings(self.db):
            self._show_sync(NOT_SET_UP)

    def sign_in(self) -> bool:
        dialog = SignInDialog(self.background)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.who is None:
            return False
        self.window = build_window(self.background, dialog.who, dialog.title.text(), sync=self.sync)
        self.window.signed_out.connect(self._signed_out)
        self.window.page_built.connect(self._wire_page)
        self._show_sync(status_text(self.sync.last, self.tz) if self.sync.last else None)
        self.window.show()
        return True

    def _wire_page(self, key: str, page: object) -> None:
        # A staff reply waits in the outbox: push it now rather than at the next sync round.
        if key != pages.INBOX:
            return
        from desk.ui.inbox.view import InboxView  # loaded already: the page was just built

        if isinstance(page, InboxView):
            page.reply_queued.connect(lambda _key: self.sync.nudge())

    def _sync_status(self, status: object) -> None:
        self._show_sync(status_text(status, self.tz))  # type: ignore[arg-type]

    def _show_sync(self, text: str | None) -> None:
        if self.window is not None and text:
            self.window.set_sync_state(text)

    def _settings_changed(self, areas: frozenset[str]) -> None:
        # A new relay address or token (Settings) takes effect without a restart.
        if SETTINGS in areas:
            policy = self.db.query(get_policy)
            self.tz = policy.tz
            self.auto_noshows.enabled = policy.auto_noshow_after_hours is not None
            self.auto_noshows.run()  # a delay just switched on (or shortened) applies now
            self.start_sync()

    def _signed_out(self) -> None:
        old, self.window = self.window, None
        if old is not None:
            old.hide()
            old.deleteLater()
        if not self.sign_in():
            QApplication.quit()

    def stop(self) -> None:
        """Stop the sync and the database worker; the database stays open."""
        self.auto_noshows.stop()
        self.sync.stop()
        self.background.shutdown()

    def close(self) -> None:
        self.stop()
        self.db.close()  # refreshes SQLite's planner statistics where the day's reads need them


def run_gui(db_path: Path) -> int:
    """`desk --db PATH` / `desk --demo`: the app until its window closes; the exit code."""
    app = application()
    app.setQuitOnLastWindowClosed(True)
    try:
        db = open_database(db_path)
    except DatabaseError as exc:
        QMessageBox.critical(None, "Studio Desk", f"Cannot open {db_path}:\n{exc}")
        return 2
    desk = Desk(db)
    try:
        # The sync's imports (the relay client, the assistant) wait until the sign-in dialog
        # is on screen: the first thing the receptionist sees does not pay for them.
        QTimer.singleShot(0, desk.start_sync)
        if not desk.sign_in():
            return 0
        app.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus, False)
        return int(app.exec())
    finally:
        desk.close()
