"""The benchmark studio's settings, staff, catalog, hours and timetable, through the real services.

These are a few dozen rows; going through the services means they obey every rule the desk
enforces (unique names, no trainer or room clash in the timetable, valid hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bench import studio_data as data
from bench.gen_ledger import ProductTerms, Staff
from bench.gen_weeks import Entry, Studio
from desk.domain.enums import StaffRole
from desk.domain.timeutil import zone
from desk.services import catalog, settings, staff, timetable, trainers
from desk.services.actor import SYSTEM, Actor


@dataclass(frozen=True)
class Catalog:
    studio: Studio
    staff: Staff
    services: dict[str, int]
    trainers: dict[str, int]
    products: dict[str, ProductTerms]


def _staff(session: Session) -> dict[str, Actor]:
    actors: dict[str, Actor] = {}
    creator = SYSTEM
    for name, role, pin, _ in data.STAFF:
        view = staff.create_staff(session, name=name, role=role, pin=pin, actor=creator)
        actors[name] = Actor.staff(view.id, view.role, view.name)
        creator = actors["Owner"]
    return actors


def _services(session: Session, owner: Actor) -> dict[str, int]:
    ids = {}
    for name, kind, minutes, capacity, colour in data.SERVICES:
        ids[name] = catalog.create_service(
            session,
            name=name,
            kind=kind,
            duration_minutes=minutes,
            default_capacity=capacity,
            colour=colour,
            actor=owner,
        ).id
    return ids


def _trainers(session: Session, actors: dict[str, Actor]) -> dict[str, int]:
    ids = {}
    coaches = [(login, full) for login, _, _, full in data.STAFF if full is not None]
    for (login, full_name), colour in zip(coaches, data.TRAINER_COLOURS, strict=True):
        ids[full_name] = trainers.create_trainer(
            session,
            name=full_name,
            staff_user_id=actors[login].staff_user_id,
            colour=colour,
            actor=actors["Owner"],
        ).id
    for name, (weekdays, start, end) in data.PT_HOURS.items():
        windows = [trainers.WeeklyWindow(day, start, end) for day in weekdays]
        trainers.set_weekly_availability(
            session, trainer_id=ids[name], windows=windows, actor=actors["Owner"]
        )
    return ids


def _products(session: Session, owner: Actor, services: dict[str, int]) -> dict[str, ProductTerms]:
    terms = {}
    for key, name, kind, count, days, cap, price, scope in data.PRODUCTS:
        view = catalog.create_product(
            session,
            name=name,
            kind=kind,
            sessions=count,
            valid_days=days,
            weekly_cap=cap,
            price_minor=price,
            service_ids=[services[s] for s in scope],
            actor=owner,
        )
        ids = frozenset(services[s] for s in scope)
        terms[key] = ProductTerms(view.id, key, name, kind, count, days, cap, price, ids)
    return terms


def _timetable(
    session: Session, owner: Actor, ids: dict[str, dict[str, int]], opened: date, now: datetime
) -> list[Entry]:
    minutes = {name: m for name, _, m, _, _ in data.SERVICES}
    capacity = {name: c for name, _, _, c, _ in data.SERVICES}
    entries = []
    for service, coach, room, weekdays, start in data.TIMETABLE:
        for weekday in weekdays:
            view = timetable.create_entry(
                session,
                service_id=ids["services"][service],
                trainer_id=ids["trainers"][coach],
                room_id=ids["rooms"][room],
                weekday=weekday,
                start_time=start,
                valid_from=opened,
                actor=owner,
                now=now,
            )
            entries.append(
                Entry(view.id, ids["services"][service], ids["trainers"][coach],
                      ids["rooms"][room], weekday, start, minutes[service], capacity[service])
            )  # fmt: skip
    return entries


def _free_hours(entries: list[Entry], trainer_id: int, weekday: int, hours: range) -> list[int]:
    """Whole hours in which the trainer teaches no class (a private session is an hour)."""
    busy = [
        (e.start.hour * 60 + e.start.minute, e.start.hour * 60 + e.start.minute + e.minutes)
        for e in entries
        if e.trainer_id == trainer_id and e.weekday == weekday
    ]
    return [h for h in hours if all(end <= h * 60 or start >= h * 60 + 60 for start, end in busy)]


def _pt_hours(
    entries: list[Entry], coaches: dict[str, int]
) -> dict[int, dict[int, tuple[int, ...]]]:
    result: dict[int, dict[int, tuple[int, ...]]] = {}
    for name, (weekdays, start, end) in data.PT_HOURS.items():
        span = range(start.hour, end.hour)
        result[coaches[name]] = {
            day: tuple(_free_hours(entries, coaches[name], day, span)) for day in weekdays
        }
    return result


def build_catalog(session: Session, opened: date, now: datetime) -> Catalog:
    settings.update_policy(
        session,
        actor=SYSTEM,
        studio_name=data.STUDIO_NAME,
        timezone=data.TIMEZONE,
        currency=data.CURRENCY,
        phone_region="TR",
    )
    actors = _staff(session)
    owner = actors["Owner"]
    services = _services(session, owner)
    rooms = {name: catalog.create_room(session, name=name, actor=owner).id for name in data.ROOMS}
    coaches = _trainers(session, actors)
    products = _products(session, owner, services)
    ids = {"services": services, "rooms": rooms, "trainers": coaches}
    entries = _timetable(session, owner, ids, opened, now)
    kinds = {services[name]: kind for name, kind, _, _, _ in data.SERVICES}
    pt_minutes = next(m for name, _, m, _, _ in data.SERVICES if name == data.PT)
    studio = Studio(
        entries=tuple(entries),
        service_kinds=kinds,
        pt_service=services[data.PT],
        pt_minutes=pt_minutes,
        pt_hours=_pt_hours(entries, coaches),
        tz=zone(data.TIMEZONE),
    )
    desks = [actors[n].staff_user_id for n, role, _, _ in data.STAFF if role is StaffRole.RECEPTION]
    assert owner.staff_user_id is not None and desks[0] is not None and desks[1] is not None
    crew = Staff(owner.staff_user_id, (desks[0], desks[1]))
    return Catalog(studio, crew, services, coaches, products)


def opening_day(today: date, years: float) -> date:
    return today - timedelta(days=round(365.25 * years))
