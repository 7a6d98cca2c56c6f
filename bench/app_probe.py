"""Run in a fresh process by `bench.app_start`: start the desk and say when it is usable.

    python -m bench.app_probe --db PATH      # the real app, composed as desk/app.py does
    python -m bench.app_probe --bare         # the floor: an empty PySide6 main window

The desk is built the way `desk.app.run_gui` builds it (application(), open_database(), Desk
with its worker and sync bridge, build_window() with the default pages), signed in as the owner
without the PIN dialog, then sent to the Schedule page. "Usable" is the first paint of the
schedule grid after the week's sessions arrived from the worker. Then the app visits Today,
Members and the busiest member's profile, and reports its peak RSS (VmHWM). One JSON line on
stdout: monotonic instants, the CPU seconds spent until usable (`cpu_s`) and the RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

WAIT_S = 60.0


def _peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM).

    Not `getrusage().ru_maxrss`: Linux carries that high-water mark across fork and exec, so a
    probe spawned by a big parent would report the parent's peak instead of its own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes elsewhere


def _wait(app: Any, ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not become ready")
        app.processEvents()
        time.sleep(0.001)


def _painted_after(widget: Any, condition: Callable[[], bool]) -> Callable[[], bool]:
    """A flag that turns true once `widget` has painted while `condition()` held."""
    from PySide6.QtCore import QEvent, QObject

    seen = {"painted": False}

    class PaintWatch(QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint and condition():
                seen["painted"] = True
            return False

    watch = PaintWatch(widget)
    widget.installEventFilter(watch)
    return lambda: seen["painted"]


def bare() -> dict[str, float]:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    text = QLabel("Studio Desk")
    window.setCentralWidget(text)
    window.resize(1280, 760)
    painted = _painted_after(text, lambda: True)
    window.show()
    _wait(app, painted)
    return {"usable": time.monotonic(), "cpu_s": time.process_time(), "rss_mb": _peak_rss_mb()}


def _owner(db: Any) -> Any:
    from desk.domain.enums import StaffRole
    from desk.services import staff
    from desk.services.staff import StaffSession
    from desk.ui.context import SignedIn

    with db.read() as s:
        owner = next(u for u in staff.list_staff(s) if u.role is StaffRole.OWNER)
    return SignedIn(StaffSession(owner.id, owner.name, owner.role))


def _studio_name(db: Any) -> str:
    from desk.services.settings import get_policy

    with db.read() as s:
        return get_policy(s).studio_name


def desk(path: Path) -> dict[str, float]:
    """What `desk.app.run_gui` does, with the owner signed in instead of the PIN dialog."""
    from PySide6.QtCore import QTimer

    from desk.app import Desk, application, build_window
    from desk.store.open import open_database
    from desk.ui import context as pages

    marks = {"imported": time.monotonic()}
    app = application()
    db = open_database(path)
    running = Desk(db)
    QTimer.singleShot(0, running.start_sync)  # as run_gui: once the event loop runs
    marks["opened"] = time.monotonic()
    window = build_window(running.background, _owner(db), _studio_name(db))
    running.window = window
    page = window.navigate(pages.SCHEDULE)
    painted = _painted_after(page.grid.canvas, lambda: page.calendar is not None)
    window.show()
    marks["shown"] = time.monotonic()
    _wait(app, painted)
    marks["usable"] = time.monotonic()
    # The process's CPU seconds to get here: what a loaded, shared machine does not inflate.
    marks["cpu_s"] = time.process_time()
    marks["rss_usable_mb"] = _peak_rss_mb()
    _browse(app, window, path)
    marks["rss_mb"] = _peak_rss_mb()
    # Not running.close(): its PRAGMA optimize would write planner statistics into the
    # benchmark studio, and the benchmarks after this one would read a different database.
    running.stop()
    db.dispose()
    return marks


def _browse(app: Any, window: Any, path: Path) -> None:
    """Today, Members and the busiest member's profile: a receptionist's first minute."""
    import sqlite3

    from desk.ui import context as pages

    today = window.navigate(pages.TODAY)
    _wait(app, lambda: getattr(today, "calendar", None) is not None)
    members = window.navigate(pages.MEMBERS)
    _wait(app, lambda: members.rows.rowCount() > 0)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    busiest = conn.execute(
        "SELECT member_id FROM bookings GROUP BY member_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    conn.close()
    members.open_member(busiest)
    profile = members.profile
    _wait(app, lambda: profile.data is not None and profile.data.member.id == busiest)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.app_probe")
    parser.add_argument("--db", type=Path)
    parser.add_argument("--bare", action="store_true")
    args = parser.parse_args()
    marks = bare() if args.bare else desk(args.db)
    print(json.dumps(marks), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
