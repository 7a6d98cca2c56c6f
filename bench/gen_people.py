"""The benchmark studio's members: who they are, when they join and leave, and their habits.

Churn is the point: about 5,000 people pass through in ten years, but only the few hundred
who are active at a time book. Lifetimes mix trial-and-gone visitors (weeks), regulars
(months to two years) and the loyal core (years); visits taper off before a member leaves.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bench import studio_data as data
from desk.domain import phone as phones
from desk.domain.timeutil import local_datetime
from desk.services.members import search_key

#: Time-of-day habits; a member's own slot is three times as likely as the others.
PROFILES = ("early", "midday", "evening", "weekend")
#: The share of the opening batch among all members, and when the studio opens its doors.
OPENING_SHARE = 0.1
OPENING_DAYS = 60
_QUARTER = timedelta(days=90)


@dataclass(frozen=True)
class Person:
    id: int
    joined: datetime
    leaves: datetime
    plan: str
    #: Service ids the member comes to.
    services: tuple[int, ...]
    #: Product bought (at the desk, before the class) when nothing pays any more.
    renewal: str
    visits_a_week: float
    profile: str
    noshow_rate: float
    cancel_rate: float
    #: Share of bookings made over WhatsApp once the studio offers it.
    whatsapp_share: float
    pt_trainer: int | None
    starts_with_trial: bool

    def active(self, start: datetime, end: datetime) -> bool:
        return self.joined < end and self.leaves > start

    def taper(self, at: datetime) -> float:
        """1.0 normally, falling to 0.35 over the last quarter of a member's time here."""
        span = (self.leaves - self.joined).total_seconds()
        left = (self.leaves - at).total_seconds()
        if span <= 0 or left >= span / 4:
            return 1.0
        return 0.35 + 0.65 * max(left, 0.0) / (span / 4)


def _lifetime(rng: random.Random) -> timedelta:
    roll = rng.random()
    if roll < 0.35:
        days = rng.uniform(10, 120)
    elif roll < 0.8:
        days = rng.uniform(150, 1000)
    else:
        days = rng.uniform(900, 3650)
    return timedelta(days=days)


def _joined(rng: random.Random, first: datetime, span: timedelta) -> datetime:
    if rng.random() < OPENING_SHARE:
        offset = rng.uniform(0, min(span.total_seconds(), OPENING_DAYS * 86400))
    else:
        # Word of mouth: joins grow a little over the years (density rising by a half).
        u = rng.random()
        offset = span.total_seconds() * ((1 + 1.25 * u) ** 0.5 - 1) / ((2.25) ** 0.5 - 1)
    return first + timedelta(seconds=offset)


def _habits(rng: random.Random) -> tuple[float, float]:
    roll = rng.random()
    noshow = 0.02 if roll < 0.8 else 0.09 if roll < 0.97 else 0.28
    return noshow, rng.uniform(0.15, 0.35)


def make_people(
    rng: random.Random,
    count: int,
    first: datetime,
    now: datetime,
    services: dict[str, int],
    trainers: dict[str, int],
) -> list[Person]:
    weights = [plan[2] for plan in data.PLANS]
    pt_trainers = [trainers[name] for name in data.PT_HOURS]
    span = now - first
    joins = sorted(_joined(rng, first, span) for _ in range(count))
    people = []
    for index, joined in enumerate(joins, start=1):
        key, habit, _, renewal, (low, high) = rng.choices(data.PLANS, weights=weights)[0]
        noshow, cancel = _habits(rng)
        is_pt = data.PT in habit
        people.append(
            Person(
                id=index,
                joined=joined,
                leaves=joined + _lifetime(rng),
                plan=key,
                services=tuple(services[name] for name in habit),
                renewal=renewal,
                visits_a_week=rng.uniform(low, high),
                profile=rng.choices(PROFILES, weights=(3, 1, 5, 2))[0],
                noshow_rate=noshow,
                cancel_rate=cancel,
                whatsapp_share=rng.uniform(0.3, 0.95),
                pt_trainer=rng.choice(pt_trainers) if is_pt else None,
                starts_with_trial=not is_pt and rng.random() < 0.25,
            )
        )
    return people


def _phone(rng: random.Random, taken: set[str]) -> str:
    while True:
        prefix = rng.choice(data.MOBILE_PREFIXES)
        parts = (rng.randrange(100, 1000), rng.randrange(10, 100), rng.randrange(10, 100))
        raw = f"0{prefix} {parts[0]} {parts[1]} {parts[2]}"
        e164 = phones.try_normalise(raw, "TR")
        if e164 is not None and e164 not in taken:
            taken.add(e164)
            return e164


def member_rows(rng: random.Random, people: list[Person], now: datetime) -> list[dict[str, object]]:
    """The `members` rows, as the desk's own add_member would store them."""
    taken: set[str] = set()
    rows = []
    for person in people:
        name = f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.SURNAMES)}"
        e164 = _phone(rng, taken) if rng.random() < 0.97 else None
        email = search_key(name).replace(" ", ".") + f"{person.id}@example.com"
        rows.append(
            {
                "id": person.id,
                "full_name": name,
                "search_name": search_key(name),
                "phone": e164,
                "whatsapp_id": phones.whatsapp_id_of(e164) if e164 else None,
                "email": email if rng.random() < 0.6 else None,
                "notes": rng.choice(data.NOTES) if rng.random() < 0.05 else "",
                "whatsapp_consent": rng.random() < 0.85,
                "restriction_lifted_at": None,
                "restriction_lifted_by": None,
                # Some who left long ago were archived by reception; their history stays.
                "archived": person.leaves < now - _QUARTER and rng.random() < 0.15,
                "created_at": person.joined,
            }
        )
    return rows


def season(day: date) -> float:
    """January resolutions, quiet summers."""
    return {1: 1.2, 2: 1.1, 7: 0.75, 8: 0.7, 12: 0.85}.get(day.month, 1.0)


def slot_of(weekday: int, start: time) -> str:
    if weekday >= 5:
        return "weekend"
    if start.hour < 11:
        return "early"
    if start.hour < 15:
        return "midday"
    return "evening"


def local_noon(day: date, tz: ZoneInfo) -> datetime:
    return local_datetime(day, time(12), tz)
