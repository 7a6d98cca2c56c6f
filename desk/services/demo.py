"""A realistic, deterministic demo studio (docs/demo.md says what is in it).

The catalog, staff, timetable, members and sales go through the real services, so the demo
obeys every rule they enforce. Attendance history (completed bookings with their `consume`
ledger rows, no-shows, cancellations) and upcoming bookings are written straight through the
models, following the booking engine's rules by hand: the lowest free seat, one consumption per
completed booking, group no-shows recorded but not deducted, PT no-shows deducted.
TODO: once desk/services/booking (and attendance) exist, book and complete through them instead.

Same seed and same `today` give the same studio: every random choice comes from one
`random.Random(seed)` and every instant is derived from `today`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain import phone as phones
from desk.domain.entitlements import Holding
from desk.domain.errors import InvalidInput
from desk.domain.timeutil import local_date, local_datetime, week_start, zone
from desk.services import catalog, demo_data, members, sales, settings, staff, timetable, trainers
from desk.services.actor import SYSTEM, Actor
from desk.services.demo_attendance import Attendance
from desk.store.models import Member, Sale, StaffUser
from desk.store.types import utcnow

TIMEZONE = "Europe/Istanbul"
HISTORY_WEEKS = 4
FUTURE_WEEKS = 4  # the current week and the three after it
MEMBER_COUNT = 60


@dataclass(frozen=True)
class DemoSummary:
    studio_name: str
    today: date
    staff: tuple[tuple[str, str, str], ...]  # (sign-in name, role, PIN)
    members: int
    services: int
    timetable_entries: int
    sessions: int
    bookings: int
    sales: int
    no_shows: int
    waitlisted: int
    skipped_sessions: int

    def describe(self) -> str:
        logins = ", ".join(f"{name}/{pin}" for name, _, pin in self.staff)
        return (
            f"{self.studio_name}: {self.members} members, {self.services} services, "
            f"{self.timetable_entries} weekly classes, {self.sessions} sessions, "
            f"{self.bookings} bookings, {self.sales} sales, {self.no_shows} no-shows. "
            f"Sign in with {logins}."
        )


@dataclass(frozen=True)
class _Ids:
    owner: Actor
    reception: Actor
    services: dict[str, int]
    rooms: dict[str, int]
    trainers: dict[str, int]
    products: dict[str, int]


def _clock(today: date | None) -> tuple[date, datetime]:
    """Today and "now": a given day is frozen at local noon so the demo is reproducible."""
    tz = zone(TIMEZONE)
    if today is None:
        now = utcnow()
        return local_date(now, tz), now
    return today, local_datetime(today, time(12), tz)


def _refuse_non_empty(session: Session) -> None:
    for model in (StaffUser, Member):
        if session.scalar(select(func.count()).select_from(model)):
            raise InvalidInput("The demo studio needs an empty database.")


def _staff(session: Session) -> dict[str, Actor]:
    actors: dict[str, Actor] = {}
    creator = SYSTEM
    for name, role, pin, _ in demo_data.STAFF:
        view = staff.create_staff(session, name=name, role=role, pin=pin, actor=creator)
        actors[name] = Actor.staff(view.id, view.role, view.name)
        creator = actors["Owner"]
    return actors


def _catalog(session: Session, actors: dict[str, Actor]) -> _Ids:
    owner = actors["Owner"]
    services = {}
    for name, kind, minutes, capacity, colour, description in demo_data.SERVICES:
        services[name] = catalog.create_service(
            session,
            name=name,
            kind=kind,
            duration_minutes=minutes,
            default_capacity=capacity,
            colour=colour,
            description=description,
            actor=owner,
        ).id
    rooms = {
        name: catalog.create_room(session, name=name, actor=owner).id for name in demo_data.ROOMS
    }
    coaches = {}
    for login, _, _, full_name in demo_data.STAFF:
        if full_name is not None:
            coaches[full_name] = trainers.create_trainer(
                session,
                name=full_name,
                staff_user_id=actors[login].staff_user_id,
                colour=demo_data.TRAINER_COLOURS[full_name],
                actor=owner,
            ).id
    products = {}
    for key, name, product_kind, count, days, cap, price, scope in demo_data.PRODUCTS:
        products[key] = catalog.create_product(
            session,
            name=name,
            kind=product_kind,
            sessions=count,
            valid_days=days,
            weekly_cap=cap,
            price_minor=price,
            service_ids=[services[s] for s in scope],
            actor=owner,
        ).id
    return _Ids(owner, actors["Reception"], services, rooms, coaches, products)


def _hours(session: Session, ids: _Ids) -> None:
    for name, (weekdays, start, end) in demo_data.WORKING_HOURS.items():
        windows = [trainers.WeeklyWindow(day, start, end) for day in weekdays]
        trainers.set_weekly_availability(
            session, trainer_id=ids.trainers[name], windows=windows, actor=ids.owner
        )


def _timetable(session: Session, ids: _Ids, today: date, now: datetime) -> tuple[int, int]:
    first_monday = week_start(today) - timedelta(weeks=HISTORY_WEEKS)
    entries = 0
    for service, coach, room, weekdays, start in demo_data.TIMETABLE:
        for weekday in weekdays:
            timetable.create_entry(
                session,
                service_id=ids.services[service],
                trainer_id=ids.trainers[coach],
                room_id=ids.rooms[room],
                weekday=weekday,
                start_time=start,
                valid_from=first_monday - timedelta(weeks=8),
                actor=ids.owner,
                now=now,
            )
            entries += 1
    # Deniz is away for two days in the last generated week: those classes are skipped.
    away = week_start(today) + timedelta(weeks=FUTURE_WEEKS - 1, days=1)
    trainers.add_days_off(
        session,
        trainer_id=ids.trainers["Deniz Arslan"],
        first_day=away,
        last_day=away + timedelta(days=1),
        note="Workshop in İzmir",
        actor=ids.owner,
    )
    summary = timetable.generate(
        session,
        weeks=HISTORY_WEEKS + FUTURE_WEEKS,
        from_day=first_monday,
        actor=ids.owner,
        now=now,
    )
    return entries, len(summary.skipped)


def _phone(rng: random.Random, taken: set[str]) -> str:
    while True:
        prefix = rng.choice(demo_data.MOBILE_PREFIXES)
        digits = (rng.randrange(100, 1000), rng.randrange(10, 100), rng.randrange(10, 100))
        raw = f"0{prefix} {digits[0]} {digits[1]} {digits[2]}"
        e164 = phones.try_normalise(raw, "TR")
        if e164 is not None and e164 not in taken:
            taken.add(e164)
            return raw


def member_names(rng: random.Random) -> list[str]:
    pairs = [(f, s) for f in demo_data.FIRST_NAMES for s in demo_data.SURNAMES]
    chosen = rng.sample(pairs, MEMBER_COUNT - len(demo_data.VISITORS))
    return [f"{f} {s}" for f, s in chosen] + [name for name, _ in demo_data.VISITORS]


def _email(name: str) -> str:
    return members.search_key(name).replace(" ", ".") + "@example.com"


def _members(session: Session, rng: random.Random, ids: _Ids, now: datetime) -> list[int]:
    taken: set[str] = set()
    visitors = dict(demo_data.VISITORS)
    created = []
    for index, name in enumerate(member_names(rng)):
        joined = now - timedelta(days=rng.randrange(20, 400), minutes=rng.randrange(600))
        profile = members.add_member(
            session,
            full_name=name,
            phone=visitors.get(name) or _phone(rng, taken),
            email=_email(name) if rng.random() < 0.6 else None,
            notes=demo_data.NOTES[index % len(demo_data.NOTES)] if index % 9 == 0 else "",
            whatsapp_consent=rng.random() < 0.85,
            actor=ids.reception,
            now=joined,
        )
        created.append(profile.id)
    return created


@dataclass(frozen=True)
class _Plan:
    habit: tuple[str, ...]
    renewal: str | None


def _sell(session: Session, ids: _Ids, member_id: int, product: str, when: datetime) -> int:
    return sales.sell(
        session,
        member_id=member_id,
        product_id=ids.products[product],
        actor=ids.reception,
        now=when,
    ).sale_id


def _sales(
    session: Session, rng: random.Random, ids: _Ids, member_ids: list[int], now: datetime
) -> dict[int, _Plan]:
    """Sell each member a first package or membership; some lapsed long ago."""
    plans: dict[int, _Plan] = {}
    weights = [weight for _, _, weight, _ in demo_data.PLANS]
    for member_id in member_ids:
        product, habit, _, renewal = rng.choices(demo_data.PLANS, weights=weights)[0]
        roll = rng.random()
        if roll < 0.12:
            # lapsed: bought long ago, expired, never came back
            _sell(session, ids, member_id, product, now - timedelta(days=rng.randrange(130, 200)))
            plans[member_id] = _Plan((), None)
            continue
        if roll < 0.3:
            # an older purchase, expired before the current one
            ago = timedelta(days=rng.randrange(140, 180))
            _sell(session, ids, member_id, product, now - ago)
        ago = timedelta(days=rng.randrange(HISTORY_WEEKS * 7, HISTORY_WEEKS * 7 + 10), hours=3)
        _sell(session, ids, member_id, product, now - ago)
        plans[member_id] = _Plan(habit, renewal if rng.random() < 0.8 else None)
    return plans


class _Renewals:
    """A member whose package ran out buys the next one at the desk (most of them do)."""

    def __init__(
        self,
        session: Session,
        rng: random.Random,
        ids: _Ids,
        plans: dict[int, _Plan],
        now: datetime,
    ) -> None:
        self.session, self.rng, self.ids, self.plans, self.now = session, rng, ids, plans, now

    def __call__(self, member_id: int, before: datetime) -> Holding | None:
        renewal = self.plans[member_id].renewal
        if renewal is None:
            return None
        earlier = self.now - timedelta(minutes=self.rng.randrange(5, 600))
        when = min(before - timedelta(hours=self.rng.randrange(2, 30)), earlier)
        sale = self.session.get(Sale, _sell(self.session, self.ids, member_id, renewal, when))
        assert sale is not None
        return Holding(sales.terms_of(sale), sale.sessions)


def _holdings(session: Session, member_ids: list[int]) -> dict[int, dict[int, Holding]]:
    result: dict[int, dict[int, Holding]] = {}
    for member_id in member_ids:
        owned = sales.member_sales(session, member_id)
        balances = sales.ledger_balances(session, (s.id for s in owned))
        result[member_id] = {
            s.id: Holding(sales.terms_of(s), None if s.sessions is None else balances[s.id])
            for s in owned
        }
    return result


def build_demo(session: Session, *, seed: int = 0, today: date | None = None) -> DemoSummary:
    """Fill an empty database with the demo studio. Same seed and today, same studio."""
    _refuse_non_empty(session)
    rng = random.Random(seed)
    today, now = _clock(today)
    settings.update_policy(
        session,
        actor=SYSTEM,
        studio_name=demo_data.STUDIO_NAME,
        timezone=TIMEZONE,
        currency="TRY",
        phone_region="TR",
    )
    ids = _catalog(session, _staff(session))
    _hours(session, ids)
    entries, skipped = _timetable(session, ids, today, now)
    member_ids = _members(session, rng, ids, now)
    plans = _sales(session, rng, ids, member_ids, now)
    habits = {member_id: plan.habit for member_id, plan in plans.items()}
    renew = _Renewals(session, rng, ids, plans, now)
    attendance = Attendance(session, rng, ids.reception, _holdings(session, member_ids), now, renew)
    attendance.group_classes(habits)
    attendance.private_sessions(habits, ids.services["PT 1:1"])
    sales.adjust(
        session,
        sale_id=attendance.goodwill_sale(),
        delta=1,
        reason="Goodwill: class cancelled by the studio",
        actor=ids.owner,
        now=now - timedelta(days=3),
    )
    session.flush()
    return DemoSummary(
        studio_name=demo_data.STUDIO_NAME,
        today=today,
        staff=tuple((n, r.value, p) for n, r, p, _ in demo_data.STAFF),
        members=len(member_ids),
        services=len(demo_data.SERVICES),
        timetable_entries=entries,
        sessions=attendance.session_count(),
        bookings=attendance.bookings,
        sales=attendance.sale_count(),
        no_shows=attendance.no_shows,
        waitlisted=attendance.waitlisted,
        skipped_sessions=skipped,
    )
