"""What the Reports screen offers to filter by, and the studio's own day for its date presets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.timeutil import local_date
from desk.services.reports.common import now_or_default, studio_of
from desk.store.models import Room, Service, Trainer


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    active: bool


@dataclass(frozen=True)
class ReportChoices:
    studio: str
    timezone: str
    currency: str
    #: The studio-local day it is now, for "this month", "last 4 weeks"...
    today: date
    services: tuple[Choice, ...]
    trainers: tuple[Choice, ...]
    rooms: tuple[Choice, ...]


def report_choices(session: Session, *, now: datetime | None = None) -> ReportChoices:
    """Every service, trainer and room (retired ones too: old reports still name them)."""
    studio = studio_of(session)

    def listed(model: type[Service] | type[Trainer] | type[Room]) -> tuple[Choice, ...]:
        rows = session.execute(select(model.id, model.name, model.active).order_by(model.name))
        return tuple(Choice(i, n, a) for i, n, a in rows)

    return ReportChoices(
        studio=studio.name,
        timezone=studio.timezone,
        currency=studio.currency,
        today=local_date(now_or_default(now), studio.tz),
        services=listed(Service),
        trainers=listed(Trainer),
        rooms=listed(Room),
    )
