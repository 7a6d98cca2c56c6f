"""Week by week through the studio's history: the timetable's sessions, who wants which class,
private training in the trainers' free hours, and what each session's outcome does to the
ledger, in time order.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bench.gen_ledger import Ledger, noshow_row
from bench.gen_people import Person, season, slot_of
from bench.gen_sessions import Outcome, Request, SessionPlan, SessionRun
from bench.gen_write import Row, Rows
from desk.domain.enums import (
    Channel,
    NoShowReason,
    ServiceKind,
    SessionKind,
    SessionStatus,
)
from desk.domain.timeutil import local_date, local_datetime

STUDIO_CANCEL_RATE = 0.004
DROP_IN_RATE = 0.02
GOODWILL_RATE = 0.25
SLOT_POPULARITY = {"early": 1.0, "midday": 0.7, "evening": 1.35, "weekend": 1.0}
FLUSH_AT = 150_000


@dataclass(frozen=True)
class Entry:
    """A weekly timetable entry, as the generator needs it."""

    id: int
    service_id: int
    trainer_id: int
    room_id: int
    weekday: int
    start: time
    minutes: int
    capacity: int

    @property
    def slot(self) -> str:
        return slot_of(self.weekday, self.start)


@dataclass(frozen=True)
class Studio:
    entries: tuple[Entry, ...]
    service_kinds: dict[int, ServiceKind]
    pt_service: int
    pt_minutes: int
    #: trainer -> weekday -> free whole hours for private sessions
    pt_hours: dict[int, dict[int, tuple[int, ...]]]
    tz: ZoneInfo


class History:
    def __init__(
        self,
        studio: Studio,
        people: list[Person],
        ledger: Ledger,
        rows: Rows,
        rng: random.Random,
        span: tuple[date, date, datetime],
        flush: Callable[[], None],
    ) -> None:
        self.studio, self.people, self.ledger = studio, people, ledger
        self.rows, self.rng, self.flush = rows, rng, flush
        self.first_day, self.last_day, self.now = span
        self.started: set[int] = set()
        self.sessions_by_id: dict[int, SessionPlan] = {}

    def run(self) -> None:
        monday = self.first_day - timedelta(days=self.first_day.weekday())
        while monday <= self.last_day:
            self.week(monday)
            if self.rows.pending >= FLUSH_AT:
                self.flush()
            monday += timedelta(days=7)
        self.ledger.finish()
        self.flush()

    def years_in(self, at: datetime) -> float:
        return (local_date(at, self.studio.tz) - self.first_day).days / 365

    # -- one week -----------------------------------------------------------------------------

    def week(self, monday: date) -> None:
        tz = self.studio.tz
        start = local_datetime(monday, time(0), tz)
        end = local_datetime(monday + timedelta(days=7), time(0), tz)
        active = [p for p in self.people if p.active(start, end)]
        classes = self.timetabled(monday)
        self.group_demand(monday, classes, [p for p in active if p.pt_trainer is None])
        private = self.private_demand(monday, [p for p in active if p.pt_trainer is not None])
        plans = sorted(classes + private, key=lambda plan: (plan.starts_at, plan.id))
        self.sessions_by_id = {plan.id: plan for plan in plans}
        outcomes: list[Outcome] = []
        for plan in plans:
            outcomes += SessionRun(plan, self.rows, self.rng, self.now).run()
        for outcome in sorted(outcomes, key=lambda o: (o.at, o.booking["id"])):
            self.settle(outcome)

    def session_row(self, kind: SessionKind, parts: dict[str, object], created: datetime) -> Row:
        row = {
            "id": self.rows.next_id("class_sessions"),
            "kind": kind,
            "status": SessionStatus.SCHEDULED,
            "waitlist_mode": None,
            "note": "",
            "created_at": created,
            **parts,
        }
        return self.rows.add("class_sessions", row)

    def timetabled(self, monday: date) -> list[SessionPlan]:
        plans = []
        for entry in self.studio.entries:
            day = monday + timedelta(days=entry.weekday)
            if not self.first_day <= day <= self.last_day:
                continue
            starts = local_datetime(day, entry.start, self.studio.tz)
            parts = {
                "service_id": entry.service_id,
                "trainer_id": entry.trainer_id,
                "room_id": entry.room_id,
                "timetable_entry_id": entry.id,
                "starts_at": starts,
                "ends_at": starts + timedelta(minutes=entry.minutes),
                "capacity": entry.capacity,
            }
            # Generated four weeks ahead, as the desk's timetable generation does.
            created = min(starts - timedelta(days=28), self.now)
            row = self.session_row(SessionKind.CLASS, parts, created)
            plan = SessionPlan(row, self.studio.service_kinds[entry.service_id])
            if self.rng.random() < STUDIO_CANCEL_RATE:
                plan.cancelled_at = starts - timedelta(hours=self.rng.uniform(2, 30))
            plans.append(plan)
        return plans

    # -- who books what -----------------------------------------------------------------------

    def rate_for(self, person: Person, monday: date, at: datetime) -> int:
        rate = person.visits_a_week * season(monday) * person.taper(at)
        whole = int(rate)
        return whole + (1 if self.rng.random() < rate - whole else 0)

    def group_demand(self, monday: date, classes: list[SessionPlan], people: list[Person]) -> None:
        mid_week = local_datetime(monday + timedelta(days=3), time(12), self.studio.tz)
        entry_of = {e.id: e for e in self.studio.entries}
        choices: dict[tuple[tuple[int, ...], str], tuple[list[SessionPlan], list[float]]] = {}
        for person in people:
            wanted = self.rate_for(person, monday, mid_week)
            if not wanted:
                continue
            key = (person.services, person.profile)
            if key not in choices:
                choices[key] = _weighted(classes, entry_of, person)
            population, cumulative = choices[key]
            if not population:
                continue
            picked = self.rng.choices(population, cum_weights=cumulative, k=wanted * 2)
            for plan in list(dict.fromkeys(picked))[:wanted]:
                self.request(plan, person, self.lead_time())

    def lead_time(self) -> timedelta:
        roll = self.rng.random()
        if roll < 0.3:
            return timedelta(hours=self.rng.uniform(1, 12))
        if roll < 0.8:
            return timedelta(hours=self.rng.uniform(12, 72))
        return timedelta(hours=self.rng.uniform(72, 168))

    def request(self, plan: SessionPlan, person: Person, lead: timedelta) -> bool:
        at = max(plan.starts_at - lead, person.joined + timedelta(minutes=5))
        too_late = at >= plan.starts_at - timedelta(minutes=10) or plan.starts_at > person.leaves
        if too_late or at > self.now:
            return False
        if person.id not in self.started:
            self.started.add(person.id)
            if person.starts_with_trial:
                self.ledger.sell(person.id, "trial", at - timedelta(minutes=1), 0.0)
        online = self.rng.random() < person.whatsapp_share * min(1.0, self.years_in(at) / 3)
        staff = None if online else self.ledger.staff.on_duty(at, self.studio.tz)
        drop_in = not online and self.rng.random() < DROP_IN_RATE
        channel = Channel.WHATSAPP if online else Channel.DESK
        plan.requests.append(Request(at, person, channel, drop_in, staff))
        return True

    def private_demand(self, monday: date, people: list[Person]) -> list[SessionPlan]:
        mid_week = local_datetime(monday + timedelta(days=3), time(12), self.studio.tz)
        taken: set[tuple[int, date, int]] = set()
        plans = []
        for person in people:
            assert person.pt_trainer is not None
            hours = self.studio.pt_hours[person.pt_trainer]
            for _ in range(self.rate_for(person, monday, mid_week)):
                day = monday + timedelta(days=self.rng.choice(sorted(hours)))
                free = [h for h in hours[day.weekday()] if (person.pt_trainer, day, h) not in taken]
                if not free or not self.first_day <= day <= self.last_day:
                    continue
                hour = self.rng.choice(free)
                plan = self.appointment(person, day, hour)
                if plan is not None:
                    taken.add((person.pt_trainer, day, hour))
                    plans.append(plan)
        return plans

    def appointment(self, person: Person, day: date, hour: int) -> SessionPlan | None:
        starts = local_datetime(day, time(hour), self.studio.tz)
        lead = timedelta(hours=self.rng.uniform(6, 144))
        at = max(starts - lead, person.joined + timedelta(minutes=5))
        if at >= starts - timedelta(minutes=10) or at > self.now:
            return None
        parts = {
            "service_id": self.studio.pt_service,
            "trainer_id": person.pt_trainer,
            "room_id": None,
            "timetable_entry_id": None,
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=self.studio.pt_minutes),
            "capacity": 1,
        }
        row = self.session_row(SessionKind.APPOINTMENT, parts, at)
        plan = SessionPlan(row, ServiceKind.PRIVATE)
        self.request(plan, person, lead)
        return plan

    # -- what happened, into the ledger -------------------------------------------------------

    def settle(self, outcome: Outcome) -> None:
        booking, person = outcome.booking, outcome.person
        plan = self.sessions_by_id[booking["class_session_id"]]
        service = (plan.row["service_id"], plan.service_kind)
        on = local_date(plan.starts_at, self.studio.tz)
        online = min(0.35, 0.05 + 0.03 * self.years_in(outcome.at))
        staff = self.ledger.staff.on_duty(outcome.at, self.studio.tz)
        if outcome.what == "check_in":
            if not booking["is_drop_in"]:
                self.ledger.check_in(booking, service, on, outcome.at, person.renewal, online)
        elif outcome.what == "no_show":
            noshow_row(self.rows, booking, plan.service_kind, NoShowReason.NO_SHOW, staff)
            if plan.service_kind is ServiceKind.PRIVATE and not booking["is_drop_in"]:
                self.ledger.consume(booking, service[0], on, outcome.at, None, online, "no-show")
        elif outcome.what == "late_cancel":
            reason = "late cancellation"
            self.ledger.consume(booking, service[0], on, outcome.at, None, online, reason)
        elif outcome.what == "studio_cancel" and self.rng.random() < GOODWILL_RATE:
            self.ledger.goodwill(person.id, on, outcome.at + timedelta(hours=1))


def _weighted(
    classes: list[SessionPlan], entry_of: dict[int, Entry], person: Person
) -> tuple[list[SessionPlan], list[float]]:
    population, cumulative, total = [], [], 0.0
    for plan in classes:
        entry = entry_of[plan.row["timetable_entry_id"]]
        if entry.service_id not in person.services:
            continue
        total += SLOT_POPULARITY[entry.slot] * (3.0 if entry.slot == person.profile else 1.0)
        population.append(plan)
        cumulative.append(total)
    return population, cumulative
