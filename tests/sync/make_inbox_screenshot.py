"""Render the Inbox screen offscreen to docs/screenshots/inbox.png (the studio in
inbox_scenario.py, Ayşe's conversation open):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/sync/make_inbox_screenshot.py [OUT.png]
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication

from desk.domain.enums import StaffRole
from desk.services.staff import StaffSession
from desk.store import migrate
from desk.store.db import Database
from desk.ui import style
from desk.ui.context import DeskContext, SignedIn
from desk.ui.inbox import InboxView
from desk.ui.worker import Background
from sync.inbox_scenario import AYSE_WA, build_inbox

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def main(out: Path) -> None:
    app = QApplication.instance() or QApplication([])
    style.apply(app, dark=os.environ.get("INBOX_DARK") == "1")
    folder = Path(tempfile.mkdtemp())
    db = Database.open_file(folder / "inbox.sqlite3")
    migrate.upgrade(db, backup=False)
    studio = build_inbox(db, NOW)
    background = Background(db)
    who = SignedIn(
        StaffSession(id=studio.reception, name="Rita Reception", role=StaffRole.RECEPTION)
    )
    view = InboxView(DeskContext(background=background, who=who, clock=lambda: NOW))
    view.setObjectName("Page")
    view.resize(1280, 720)
    view.show()
    wait(app, lambda: view.list.count() == 3)
    view.open_conversation(AYSE_WA)
    wait(app, lambda: len(view.messages.bubbles) == 4)
    view.reply.editor.setPlainText(
        "Of course! Tell her to come 10 minutes early for a quick intro."
    )
    wait(app, lambda: False, rounds=30)
    out.parent.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(out))
    view.timer.stop()
    background.shutdown()
    db.dispose()
    print(f"wrote {out}")


def wait(app: QApplication, done, rounds: int = 500) -> None:
    import time

    for _ in range(rounds):
        app.processEvents()
        if done():
            return
        time.sleep(0.01)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots/inbox.png"))
