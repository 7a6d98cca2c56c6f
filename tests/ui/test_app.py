"""The composition root: `desk --db PATH` opens, signs in through the real dialog, closes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication

from desk.app import run_gui
from desk.ui.main_window import MainWindow
from desk.ui.sign_in import SignInDialog

pytestmark = pytest.mark.ui


GIVE_UP_MS = 20_000


def drive(steps):
    """Run each step once the previous one returned True (polling on the event loop).

    After GIVE_UP_MS every window is closed so a stuck step fails the test instead of hanging.
    """
    pending = list(steps)
    clock = QElapsedTimer()
    clock.start()

    def tick():
        if pending and pending[0]():
            pending.pop(0)
        if pending and clock.elapsed() > GIVE_UP_MS:
            for widget in QApplication.topLevelWidgets():
                widget.close()
            return
        if pending:
            QTimer.singleShot(20, tick)

    QTimer.singleShot(20, tick)
    return pending


def test_run_gui_signs_in_and_returns_when_the_window_closes(qtbot, db_path, studio):
    seen = {}

    def sign_in():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SignInDialog) or not dialog.submit.isEnabled():
            return False
        dialog.name.setCurrentText("Rita Reception")
        dialog.pin.setText("2222")
        dialog.submit.click()
        return True

    def close_window():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        shown = [w for w in windows if w.isVisible()]
        if not shown:
            return False
        seen["user"] = shown[0].user_label.text()
        seen["sync"] = shown[0].sync_state.text()
        seen["pages"] = list(shown[0].allowed)
        shown[0].close()
        return True

    left = drive([sign_in, close_window])
    assert run_gui(db_path) == 0
    assert not left
    assert seen["user"] == "Signed in: Rita Reception · Reception"
    assert seen["pages"] == ["today", "schedule", "members", "sales", "inbox"]
    assert seen["sync"] == "Sync: not set up"


def test_a_file_that_is_not_a_studio_database_is_refused_in_words(qtbot, tmp_path):
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("this is not a database")

    def dismiss():
        box = QApplication.activeModalWidget()
        if box is None:
            return False
        seen.append(box.text())
        box.close()
        return True

    seen: list = []
    drive([dismiss])
    assert run_gui(bogus) == 2
    assert seen[0].startswith(f"Cannot open {bogus}")


def test_the_status_bar_follows_the_whatsapp_sync(qtbot, db, db_path, studio):
    from desk.services.actor import Actor
    from desk.services.settings import update_policy

    with db.write() as s:
        # Nothing listens on the discard port: the relay is unreachable, the desk says offline.
        update_policy(s, actor=Actor.system(), relay_url="http://127.0.0.1:9", relay_token="t")
    seen = {}

    def sign_in():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SignInDialog) or not dialog.submit.isEnabled():
            return False
        dialog.name.setCurrentText("Olivia Owner")
        dialog.pin.setText("1234")
        dialog.submit.click()
        return True

    def offline_then_close():
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        shown = [w for w in shown if w.isVisible()]
        if not shown or not shown[0].sync_state.text().startswith("Sync: offline"):
            return False
        seen["sync"] = shown[0].sync_state.text()
        shown[0].close()
        return True

    left = drive([sign_in, offline_then_close])
    assert run_gui(db_path) == 0
    assert not left
    assert seen["sync"].startswith("Sync: offline · never synced")


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


#: Not needed for the first screen: each is imported when its page opens or the sync starts.
DEFERRED = (
    "dateparser",
    "rapidfuzz",
    "requests",
    "desk.assistant",
    "desk.sync",
    "desk.reports",
    "desk.services.reports",
    "PySide6.QtCharts",
    "alembic",
    "desk.ui.reports",
    "desk.ui.inbox",
    "desk.ui.settings",
)


def test_starting_the_desk_leaves_what_the_first_screen_does_not_need():
    loaded = _modules_after("import desk.app")
    assert "desk.ui.main_window" in loaded  # the probe sees the real imports
    early = sorted(m for m in loaded if any(m == d or m.startswith(f"{d}.") for d in DEFERRED))
    assert early == []


def test_each_page_is_built_on_its_first_visit_from_its_own_module(qtbot, owner_ctx):
    from desk.ui.inbox.view import InboxView
    from desk.ui.main_window import MainWindow
    from desk.ui.members.list_view import MembersPage
    from desk.ui.pages import default_pages
    from desk.ui.reports import ReportsView
    from desk.ui.sales_page import SalesPage
    from desk.ui.schedule.page import SchedulePage, TodayWithRoster
    from desk.ui.settings.page import SettingsPage

    window = MainWindow(owner_ctx, default_pages(), studio_name="Test Studio")
    qtbot.addWidget(window)
    assert list(window.pages) == ["today"]  # the window opens on Today and builds nothing else
    expected = {
        "today": TodayWithRoster,
        "schedule": SchedulePage,
        "members": MembersPage,
        "sales": SalesPage,
        "inbox": InboxView,
        "reports": ReportsView,
        "settings": SettingsPage,
    }
    for key, kind in expected.items():
        assert type(window.navigate(key)) is kind, key
    assert list(window.pages) == list(expected)
