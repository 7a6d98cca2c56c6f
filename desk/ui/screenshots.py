"""`desk screenshots`: render the main screens offscreen to PNG, on a real studio database.

The same composition as the app (desk/app.py), signed in as the first owner, waiting on each
screen's own "loaded" signals — never on sleeps — before grabbing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEventLoop, QPoint, QTimer
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from desk.domain.enums import StaffRole
from desk.services import members, sales, staff
from desk.services.settings import get_policy
from desk.services.staff import StaffSession
from desk.store.db import Database
from desk.store.open import open_database
from desk.ui import context as pages
from desk.ui import style
from desk.ui.context import SignedIn
from desk.ui.main_window import MainWindow
from desk.ui.members.list_view import MembersPage
from desk.ui.pages import default_pages
from desk.ui.schedule.page import SchedulePage
from desk.ui.schedule.view import DAY
from desk.ui.settings.page import SettingsPage
from desk.ui.worker import Background

SIZE = (1440, 900)
WAIT_MS = 15_000


def settle(ready: Callable[[], bool], timeout_ms: int = WAIT_MS) -> None:
    """Run the event loop until `ready()` (results arrive by signal from the worker)."""
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(10)
    poll.timeout.connect(lambda: loop.quit() if ready() else None)
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(loop.quit)
    poll.start()
    give_up.start(timeout_ms)
    if not ready():
        loop.exec()
    poll.stop()
    if not ready():
        raise TimeoutError("a screen did not finish loading")
    # One more turn so the last paint happens.
    QApplication.processEvents()


def _owner(db: Database) -> SignedIn:
    with db.read() as s:
        owner = next(u for u in staff.list_staff(s) if u.role is StaffRole.OWNER)
    return SignedIn(StaffSession(owner.id, owner.name, owner.role))


def _member_worth_showing(db: Database, now: datetime) -> int:
    """The member with the most packages and memberships: a full profile reads best."""
    with db.read() as s:
        people = members.list_members(s, limit=500)
        counted = [(len(sales.entitlements(s, member_id=m.id, now=now)), -m.id) for m in people]
    return -max(counted)[1]


def _dimmed_with(window: QWidget, dialog: QWidget) -> QPixmap:
    """The window, darkened, with the dialog on top: how a modal dialog looks to staff."""
    shot = window.grab()
    painter = QPainter(shot)
    painter.fillRect(shot.rect(), QColor(15, 20, 25, 110))
    box = dialog.grab()
    painter.drawPixmap(
        QPoint((shot.width() - box.width()) // 2, (shot.height() - box.height()) // 3), box
    )
    painter.end()
    return shot


class _Shooter:
    def __init__(self, window: MainWindow, out_dir: Path) -> None:
        self.window = window
        self.out_dir = out_dir
        self.written: list[Path] = []

    def save(self, name: str, pixmap: QPixmap | None = None) -> None:
        path = self.out_dir / f"{name}.png"
        (pixmap or self.window.grab()).save(str(path))
        self.written.append(path)


def _today(window: MainWindow, shots: _Shooter) -> None:
    page = window.navigate(pages.TODAY)
    settle(lambda: getattr(page, "calendar", None) is not None)
    roster = getattr(page, "roster", None)
    if roster is not None and page.side.isVisible():
        settle(lambda: roster.data is not None)
    shots.save("today")


def _schedule(window: MainWindow, shots: _Shooter) -> None:
    page = window.navigate(pages.SCHEDULE)
    assert isinstance(page, SchedulePage)
    settle(lambda: page.calendar is not None and page.calendar.days == 7)
    page.grid.scroll_to_hour(7)
    shots.save("schedule-week")
    busiest = _busiest_upcoming(page, window.ctx.now())
    if busiest is None:
        return
    page.set_mode(DAY)
    page.go_to(busiest.session.starts_at.astimezone(page._tz()).date())
    settle(lambda: page.calendar is not None and page.calendar.days == 1)
    page.open_session(busiest.id)
    settle(lambda: page.roster.data is not None and page.roster.data.row.id == busiest.id)
    page.grid.scroll_to_hour(busiest.session.starts_at.astimezone(page._tz()).hour - 1)
    if page.roster.seat_rows.rowCount():
        page.roster.seat_table.selectRow(0)
    shots.save("class-roster")
    page.set_mode("week")


def _busiest_upcoming(page: SchedulePage, now: datetime):
    calendar = page.calendar
    if calendar is None:
        return None
    upcoming = [r for r in calendar.rows if r.session.starts_at > now and not r.is_appointment]
    return max(upcoming, key=lambda r: (r.booked + r.waiting, -r.id), default=None)


def _members(window: MainWindow, shots: _Shooter, member_id: int) -> None:
    page = window.navigate(pages.MEMBERS)
    assert isinstance(page, MembersPage)
    settle(lambda: page.rows.rowCount() > 0)
    page.open_member(member_id)
    settle(lambda: page.profile.data is not None and page.profile.data.member.id == member_id)
    shots.save("member-profile")
    dialog = page.profile.open_sell()
    assert dialog is not None
    settle(lambda: dialog.sell_button.isEnabled())
    dialog.adjustSize()
    shots.save("sell-dialog", _dimmed_with(window, dialog))
    dialog.reject()


def _settings(window: MainWindow, shots: _Shooter) -> None:
    page = window.navigate(pages.SETTINGS)
    assert isinstance(page, SettingsPage)
    page.open_tab(page.timetable)
    settle(lambda: page.timetable.has_loaded and page.timetable.service.count() > 0)
    shots.save("settings")


def render_screenshots(
    db_path: Path,
    out_dir: Path,
    *,
    dark: bool = False,
    size: tuple[int, int] = SIZE,
    at: datetime | None = None,
) -> list[Path]:
    """Today, Schedule week, class roster, member profile, sell dialog, settings as PNGs.

    `at` is the desk's "now" (default: the real time), e.g. a busy morning for the README.
    """
    from desk.app import application, desk_context

    out_dir.mkdir(parents=True, exist_ok=True)
    app = application()
    style.apply(app, dark=dark)
    db = open_database(db_path)
    background = Background(db)
    try:
        ctx = desk_context(background, _owner(db))
        if at is not None:
            ctx = replace(ctx, clock=lambda: at)
        with db.read() as s:
            studio_name = get_policy(s).studio_name
        window = MainWindow(ctx, default_pages(), studio_name=studio_name)
        window.resize(*size)
        window.show()
        shots = _Shooter(window, out_dir)
        _today(window, shots)
        _schedule(window, shots)
        _members(window, shots, _member_worth_showing(db, ctx.now()))
        _settings(window, shots)
        window.close()
        return shots.written
    finally:
        background.shutdown()
        db.dispose()
