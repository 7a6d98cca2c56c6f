"""What the schedule screen reads in one unit of work: sessions with their counts and names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from desk.domain.enums import SessionKind, SessionStatus
from desk.domain.timeutil import day_bounds
from desk.services import catalog, occupancy, trainers
from desk.services.catalog import RoomView
from desk.services.settings import get_policy
from desk.services.timetable_sessions import SessionView, sessions_between
from desk.services.trainers import TrainerView
from desk.ui.style import fill_tone


@dataclass(frozen=True)
class CalendarRow:
    """One class or appointment with how full it is."""

    session: SessionView
    booked: int
    waiting: int
    on_offer: int

    @property
    def id(self) -> int:
        return self.session.id

    @property
    def label(self) -> str:
        return f"{self.booked}/{self.session.capacity}"

    @property
    def tone(self) -> str:
        return fill_tone(self.booked + self.on_offer, self.session.capacity)

    @property
    def is_appointment(self) -> bool:
        return self.session.kind is SessionKind.APPOINTMENT

    @property
    def cancelled(self) -> bool:
        return self.session.status is SessionStatus.CANCELLED


@dataclass(frozen=True)
class Calendar:
    first_day: date
    days: int
    timezone: str
    rows: tuple[CalendarRow, ...]
    rooms: tuple[RoomView, ...]
    trainers: tuple[TrainerView, ...]

    @property
    def day_list(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.days)]


def load_calendar(
    session: Session,
    *,
    first_day: date,
    days: int,
    now: datetime,
    trainer_id: int | None = None,
) -> Calendar:
    policy = get_policy(session)
    start = day_bounds(first_day, policy.tz)[0]
    end = day_bounds(first_day + timedelta(days=days - 1), policy.tz)[1]
    views = sessions_between(session, start, end, trainer_id=trainer_id, include_cancelled=True)
    counts = {
        o.class_session_id: o
        for o in occupancy.occupancy_between(
            session, starts_from=start, starts_before=end, include_cancelled=True, now=now
        )
    }
    rows = []
    for view in views:
        count = counts.get(view.id)
        rows.append(
            CalendarRow(
                session=view,
                booked=count.booked if count else 0,
                waiting=count.waiting if count else 0,
                on_offer=count.on_offer if count else 0,
            )
        )
    staff_trainers = trainers.list_trainers(session)
    if trainer_id is not None:
        staff_trainers = [t for t in staff_trainers if t.id == trainer_id]
    return Calendar(
        first_day=first_day,
        days=days,
        timezone=policy.timezone,
        rows=tuple(rows),
        rooms=tuple(catalog.list_rooms(session)),
        trainers=tuple(staff_trainers),
    )
