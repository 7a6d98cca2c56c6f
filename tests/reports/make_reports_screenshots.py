"""Render the Reports page offscreen, inside the real main window, one PNG per report:

    .venv/bin/desk demo --db /tmp/demo.sqlite3 --today 2024-06-03
    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/reports/make_reports_screenshots.py \
        /tmp/demo.sqlite3 OUT_DIR [WIDTHxHEIGHT]

The default size is 1366x768, the narrowest laptop screen the desk is laid out for.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desk.domain.enums import StaffRole
from desk.services import staff
from desk.services.settings import get_policy
from desk.services.staff import StaffSession
from desk.store.open import open_database
from desk.ui import context as pages
from desk.ui import style
from desk.ui.context import SignedIn
from desk.ui.main_window import MainWindow
from desk.ui.pages import default_pages
from desk.ui.reports import ReportsView
from desk.ui.screenshots import settle
from desk.ui.worker import Background


def main(db_path: Path, out_dir: Path, size: tuple[int, int]) -> list[Path]:
    from desk.app import application, desk_context

    app = application()
    style.apply(app, dark=os.environ.get("REPORTS_DARK") == "1")
    out_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(db_path)
    background = Background(db)
    written = []
    try:
        with db.read() as s:
            owner = next(u for u in staff.list_staff(s) if u.role is StaffRole.OWNER)
            studio_name = get_policy(s).studio_name
        who = SignedIn(StaffSession(owner.id, owner.name, owner.role))
        window = MainWindow(desk_context(background, who), default_pages(), studio_name=studio_name)
        window.resize(*size)
        window.show()
        view = window.navigate(pages.REPORTS)
        assert isinstance(view, ReportsView)
        for kind, choice in view.kind_buttons.items():
            choice.setChecked(True)
            settle(lambda k=kind: _shown(view, k))
            path = out_dir / f"reports-{kind}.png"
            window.grab().save(str(path))
            written.append(path)
        window.close()
    finally:
        background.shutdown()
        db.dispose()
    return written


def _shown(view: ReportsView, kind: str) -> bool:
    doc = view.document
    return doc is not None and doc.kind == kind and not view.busy.isVisibleTo(view)


if __name__ == "__main__":
    width, height = (int(n) for n in (sys.argv[3] if len(sys.argv) > 3 else "1366x768").split("x"))
    for path in main(Path(sys.argv[1]), Path(sys.argv[2]), (width, height)):
        print(path)
