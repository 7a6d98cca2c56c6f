"""What every screen is handed by the composition root: the worker, who is signed in, a clock.

Screens never reach for globals: `desk/app.py` builds one `DeskContext` and passes it down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from desk.domain.enums import StaffRole
from desk.services.actor import Actor
from desk.services.staff import StaffSession
from desk.store.types import utcnow
from desk.ui.worker import Background

TODAY = "today"
SCHEDULE = "schedule"
MEMBERS = "members"
SALES = "sales"
INBOX = "inbox"
REPORTS = "reports"
SETTINGS = "settings"

_PAGES: dict[StaffRole, frozenset[str]] = {
    StaffRole.OWNER: frozenset({TODAY, SCHEDULE, MEMBERS, SALES, INBOX, REPORTS, SETTINGS}),
    StaffRole.RECEPTION: frozenset({TODAY, SCHEDULE, MEMBERS, SALES, INBOX}),
    StaffRole.TRAINER: frozenset({TODAY, SCHEDULE}),
}


@dataclass(frozen=True)
class SignedIn:
    """The staff user at the desk and what their role lets them open."""

    staff: StaffSession
    #: A trainer sees only their own calendar and rosters.
    trainer_id: int | None = None

    @property
    def actor(self) -> Actor:
        return self.staff.actor

    @property
    def role(self) -> StaffRole:
        return self.staff.role

    @property
    def name(self) -> str:
        return self.staff.name

    def may_open(self, page: str) -> bool:
        return page in _PAGES[self.role]

    @property
    def is_owner(self) -> bool:
        return self.role is StaffRole.OWNER

    @property
    def may_edit_prices(self) -> bool:
        return self.is_owner

    @property
    def may_sell(self) -> bool:
        return self.role in (StaffRole.OWNER, StaffRole.RECEPTION)

    @property
    def may_manage_members(self) -> bool:
        return self.role in (StaffRole.OWNER, StaffRole.RECEPTION)

    @property
    def own_calendar_only(self) -> bool:
        return self.role is StaffRole.TRAINER


#: Until the composition root says otherwise (contexts built outside `desk/app.py`).
_UTC = ZoneInfo("UTC")


def _no_sync() -> None:
    """A desk without the WhatsApp sync: queued messages wait for it to be set up."""


@dataclass(frozen=True)
class DeskContext:
    background: Background
    who: SignedIn
    clock: Callable[[], datetime] = utcnow
    #: Call after a write that queued a WhatsApp message (a waitlist offer): the sync, if it
    #: runs, sends it now instead of at its next round. Screens stay free of the sync itself.
    send_queued_messages: Callable[[], None] = _no_sync
    #: The studio's timezone (Settings), read where the context is built so screens need no
    #: database round-trip for "today". A new timezone applies from the next sign-in.
    studio_tz: ZoneInfo = _UTC

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """The studio's date now: up to three hours after UTC midnight in Istanbul, say."""
        return self.now().astimezone(self.studio_tz).date()
