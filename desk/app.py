"""The composition root: open the database, start the worker, sign in, show the window.

Everything the screens use is built here and passed down explicitly; nothing in `desk/ui`
reaches for a global application, database or window.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.enums import BookingStatus, Channel, LedgerKind
from desk.resources import resource_path
from desk.store.db import Database
from desk.store.migrate import DatabaseError
from desk.store.models import (
    Booking,
    ClassSession,
    LedgerEntry,
    Member,
    Sale,
    Service,
    StaffUser,
    Trainer,
)
from desk.store.open import open_database
from desk.ui import qt_compat, style
from desk.ui.context import DeskContext, SignedIn
from desk.ui.main_window import MainWindow
from desk.ui.pages import default_pages
from desk.ui.sign_in import SignInDialog
from desk.ui.worker import Background


def application() -> QApplication:
    qt_compat.protect_singletons()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Studio Desk")
    app.setOrganizationName("StudioDesk")
    app.setWindowIcon(QIcon(str(resource_path("ui-icons", "schedule.svg"))))
    style.apply(app)
    return app


#: The profile shows this many bookings and ledger lines, newest first.
HISTORY_LIMIT = 300


@dataclass(frozen=True)
class SeatHolder:
    booking_id: int
    seat_no: int
    member_id: int
    member_name: str
    status: BookingStatus
    is_drop_in: bool


# --- Stop-gap reads ------------------------------------------------------------------------
# The services offer no roster, booking-history or ledger-history read yet
# (desk/ui/SERVICES_NEEDED.md). desk/ui must not query the database, so these three reads are
# wired here, in the composition root, and handed to the screens; each is replaced by one
# service call when the services grow it.


def seats_of_class(session: Session, class_session_id: int) -> list[SeatHolder]:
    """Who holds (or held) which seat of a class, for the roster panel."""
    rows = session.execute(
        select(Booking, Member.full_name)
        .join(Member, Member.id == Booking.member_id)
        .where(Booking.class_session_id == class_session_id)
        .order_by(Booking.seat_no, Booking.id)
    ).all()
    return [
        SeatHolder(b.id, b.seat_no, b.member_id, name, b.status, b.is_drop_in) for b, name in rows
    ]


@dataclass(frozen=True)
class BookingLine:
    booking_id: int
    starts_at: datetime
    service_name: str
    trainer_name: str
    seat_no: int
    status: BookingStatus
    is_drop_in: bool
    channel: Channel


def bookings_of_member(session: Session, member_id: int) -> list[BookingLine]:
    """Stop-gap: a member's bookings, newest first (see seats_of_class)."""
    rows = session.execute(
        select(Booking, ClassSession, Service.name, Trainer.name)
        .join(ClassSession, ClassSession.id == Booking.class_session_id)
        .join(Service, Service.id == ClassSession.service_id)
        .join(Trainer, Trainer.id == ClassSession.trainer_id)
        .where(Booking.member_id == member_id)
        .order_by(ClassSession.starts_at.desc(), Booking.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return [
        BookingLine(
            b.id, cs.starts_at, service, trainer, b.seat_no, b.status, b.is_drop_in, b.channel
        )
        for b, cs, service, trainer in rows
    ]


@dataclass(frozen=True)
class LedgerLine:
    at: datetime
    kind: LedgerKind
    delta: int
    product_name: str
    reason: str
    staff_name: str


def ledger_of_member(session: Session, member_id: int) -> list[LedgerLine]:
    """Stop-gap: every balance change of a member, newest first (see seats_of_class)."""
    rows = session.execute(
        select(LedgerEntry, Sale.product_name, StaffUser.name)
        .join(Sale, Sale.id == LedgerEntry.sale_id)
        .outerjoin(StaffUser, StaffUser.id == LedgerEntry.created_by)
        .where(LedgerEntry.member_id == member_id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return [
        LedgerLine(e.created_at, e.kind, e.delta, product, e.reason, staff or "")
        for e, product, staff in rows
    ]


def desk_context(background: Background, who: SignedIn) -> DeskContext:
    """Everything a screen is handed."""
    return DeskContext(
        background=background,
        who=who,
        seat_reader=seats_of_class,
        booking_history=bookings_of_member,
        ledger_history=ledger_of_member,
    )


def build_window(background: Background, who: SignedIn, studio_name: str) -> MainWindow:
    return MainWindow(desk_context(background, who), default_pages(), studio_name=studio_name)


class Desk:
    """One running desk: the worker, the window, and signing in again after a lock."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.background = Background(db)
        self.window: MainWindow | None = None

    def sign_in(self) -> bool:
        dialog = SignInDialog(self.background)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.who is None:
            return False
        self.window = build_window(self.background, dialog.who, dialog.title.text())
        self.window.signed_out.connect(self._signed_out)
        self.window.show()
        return True

    def _signed_out(self) -> None:
        old, self.window = self.window, None
        if old is not None:
            old.hide()
            old.deleteLater()
        if not self.sign_in():
            QApplication.quit()

    def close(self) -> None:
        self.background.shutdown()
        self.db.dispose()


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
        if not desk.sign_in():
            return 0
        app.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus, False)
        return int(app.exec())
    finally:
        desk.close()
