"""Run a report by name and lay it out: the one entry point for the screen, CSV, PDF and CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.errors import InvalidInput
from desk.reports.layouts import members as members_layout
from desk.reports.layouts import noshows as noshows_layout
from desk.reports.layouts import occupancy as occupancy_layout
from desk.reports.layouts import packages as packages_layout
from desk.reports.layouts.common import Heading
from desk.reports.model import ReportDocument
from desk.services.reports.common import SessionFilter, now_or_default, studio_of
from desk.services.reports.members import members
from desk.services.reports.noshows import no_shows
from desk.services.reports.occupancy import occupancy
from desk.services.reports.packages import packages
from desk.store.models import Room, Service, Trainer

#: Report names as the CLI and the screen know them, with their titles.
KINDS: dict[str, str] = {
    "occupancy": "Occupancy",
    "noshows": "No-shows and late cancels",
    "members": "Members",
    "packages": "Packages and money",
}
#: Reports that can be narrowed to one service, trainer or room.
FILTERABLE = frozenset({"occupancy", "noshows"})


@dataclass(frozen=True)
class ReportRequest:
    kind: str
    date_from: date
    date_to: date
    service_id: int | None = None
    trainer_id: int | None = None
    room_id: int | None = None
    #: The clock the report runs at (tests pin it); None is now.
    now: datetime | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidInput(f"Unknown report {self.kind!r}; pick one of {', '.join(KINDS)}.")
        if not self.filters.is_empty and self.kind not in FILTERABLE:
            raise InvalidInput(f"The {KINDS[self.kind].lower()} report covers the whole studio.")

    @property
    def filters(self) -> SessionFilter:
        return SessionFilter(self.service_id, self.trainer_id, self.room_id)


def _scope(session: Session, request: ReportRequest) -> str:
    parts = []
    for label, model, wanted in (
        ("Service", Service, request.service_id),
        ("Trainer", Trainer, request.trainer_id),
        ("Room", Room, request.room_id),
    ):
        if wanted is None:
            continue
        name = session.scalar(select(model.name).where(model.id == wanted))
        if name is None:
            raise InvalidInput(f"There is no {label.lower()} #{wanted}.")
        parts.append(f"{label}: {name}")
    return " · ".join(parts)


def build(session: Session, request: ReportRequest) -> ReportDocument:
    """Run the requested report in `session` (a read transaction) and lay it out."""
    now = now_or_default(request.now)
    heading = Heading(studio_of(session).name, _scope(session, request), now)
    r = request
    if r.kind == "occupancy":
        occ = occupancy(session, date_from=r.date_from, date_to=r.date_to, filters=r.filters)
        return occupancy_layout.document(occ, heading)
    if r.kind == "noshows":
        missed = no_shows(
            session, date_from=r.date_from, date_to=r.date_to, filters=r.filters, now=now
        )
        return noshows_layout.document(missed, heading)
    if r.kind == "members":
        people = members(session, date_from=r.date_from, date_to=r.date_to, now=now)
        return members_layout.document(people, heading)
    money = packages(session, date_from=r.date_from, date_to=r.date_to, now=now)
    return packages_layout.document(money, heading)
