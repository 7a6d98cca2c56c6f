"""The "when"s of a message: day/time phrases (see `mentions`) grouped and resolved against
`now` in the studio's timezone, with the from/to sides of a move ("Saturday to Monday",
"cumartesiyi pazartesiye").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from desk.assistant import dates
from desk.assistant.dates import PartOfDay, When
from desk.assistant.mentions import Clock, Mention, Role, find_mentions

__all__ = ["Found", "Role", "find"]


@dataclass
class _Cluster:
    mentions: list[Mention] = field(default_factory=list)
    role: Role | None = None
    closed: bool = False

    def conflicts(self, m: Mention) -> bool:
        return any(
            (m.days and c.days) or (m.clock and c.clock) or (m.part and c.part)
            for c in self.mentions
        )


@dataclass(frozen=True)
class Found:
    """Every day/time phrase in a message, grouped into "when"s in order of appearance."""

    whens: tuple[tuple[When, Role | None], ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    #: Two "when"s, one of them with a Turkish case ending ("cumartesi dersimi pazartesiye"):
    #: Turkish says "move" with the endings alone ("...pazartesiye alabilir miyim?").
    suffix_move: bool = False

    @property
    def first(self) -> When | None:
        return self.whens[0][0] if self.whens else None

    def move(self) -> tuple[When | None, When | None]:
        """(from, to) for a reschedule; a lone day is what the member wants to move."""
        roles = _assign_roles([role for _, role in self.whens])
        source = next(
            (w for (w, _), r in zip(self.whens, roles, strict=True) if r is Role.FROM), None
        )
        target = next(
            (w for (w, _), r in zip(self.whens, roles, strict=True) if r is Role.TO), None
        )
        if source and target and not target.day_given and source.first_day == source.last_day:
            # "move my Saturday 10:00 to 18:00": the target inherits the source's day.
            target = replace(target, first_day=source.first_day, last_day=source.last_day)
        return source, target


def _assign_roles(roles: list[Role | None]) -> list[Role | None]:
    if not roles:
        return []
    known = {r for r in roles if r is not None}
    if len(known) == 1:
        other = Role.TO if Role.FROM in known else Role.FROM
        return [r if r is not None else other for r in roles]
    if not known:
        return [Role.FROM, Role.TO, *([None] * (len(roles) - 2))][: len(roles)]
    return roles


_LEAD_TO = re.compile(r"(?:\b(?:to|into|onto|till|until|for)|- >|→|= >|>)(?: (?:the|my|a|on))? $")
_LEAD_FROM = re.compile(r"(?:\binstead of|\bfrom|\brather than)(?: (?:the|my|on))? $")
_TAIL_AFTER = re.compile(r"^ (?:(?P<from>yerine|degil)|(?P<to>instead)\b(?! of))")
_TIME_SUFFIX = re.compile(r"^ (?:(?P<to>e|a|ye|ya)|(?P<from>i|u|yi|yu|daki|deki|taki|teki|ki))\b")


def find(flat: str, *, now: datetime, tz: ZoneInfo) -> Found:
    """All the "when"s in a folded message, each resolved to a `When`; never raises on text."""
    local_now = now.astimezone(tz)
    mentions = [_with_roles(flat, m) for m in find_mentions(flat, local_now)]
    whens = tuple(_resolve(cluster, local_now, tz) for cluster in _clusters(mentions))
    return Found(
        whens=whens,
        spans=tuple((m.start, m.end) for m in mentions),
        suffix_move=len(whens) >= 2 and any(m.tail_role is not None for m in mentions),
    )


def _with_roles(flat: str, m: Mention) -> Mention:
    before, after = flat[: m.start], flat[m.end :]
    lead = Role.TO if _LEAD_TO.search(before) else Role.FROM if _LEAD_FROM.search(before) else None
    tail = m.tail_role
    if (marker := _TAIL_AFTER.match(after)) is not None:
        tail = Role.FROM if marker.group("from") else Role.TO
    elif m.clock is not None and (suffix := _TIME_SUFFIX.match(after)) is not None:
        tail = Role.TO if suffix.group("to") else Role.FROM
    return replace(m, lead_role=lead, tail_role=tail)


# --- from mentions to "when"s --------------------------------------------------------------


def _clusters(mentions: list[Mention]) -> list[_Cluster]:
    clusters: list[_Cluster] = []
    current = _Cluster()
    for m in mentions:
        if current.mentions and (current.closed or m.lead_role is not None or current.conflicts(m)):
            clusters.append(current)
            current = _Cluster()
        current.mentions.append(m)
        current.role = m.lead_role or current.role
        if m.tail_role is not None:
            current.role, current.closed = m.tail_role, True
    if current.mentions:
        clusters.append(current)
    return clusters


def _resolve(cluster: _Cluster, now: datetime, tz: ZoneInfo) -> tuple[When, Role | None]:
    days = next((m.days for m in cluster.mentions if m.days), None)
    clock = next((m.clock for m in cluster.mentions if m.clock), None)
    part = next((m.part for m in cluster.mentions if m.part), None)
    at = _wall_time(clock, part) if clock else None
    if days is None:
        day = now.date()
        # A time or part of day alone means its next occurrence: "18:00" at 19:00 is tomorrow.
        passed = at if at is not None else dates.part_end(part) if part is not None else None
        if passed is not None and passed <= now.time():
            day += timedelta(days=1)
        when = When(day, day, tz, at=at, part=part, day_given=False)
    else:
        when = When(days[0], days[1], tz, at=at, part=part)
    return when, cluster.role


def _wall_time(clock: Clock, part: PartOfDay | None) -> time:
    hour = clock.hour
    if clock.meridiem == "am" and hour == 12:
        hour = 0
    elif (clock.meridiem == "pm" and hour < 12) or _afternoon_hour(clock, part):
        hour += 12
    return time(hour % 24, clock.minute)


def _afternoon_hour(clock: Clock, part: PartOfDay | None) -> bool:
    """Whether an hour said without am/pm means the afternoon: "akşam 7" is 19:00; a bare
    "at 5" is 17:00 (nobody books a 5 a.m. class) but "at 7" stays 07:00, when studios open."""
    if clock.meridiem is not None or clock.padded or clock.hour >= 12:
        return False
    if part in (PartOfDay.AFTERNOON, PartOfDay.EVENING):
        return True
    if part is PartOfDay.NOON:
        return clock.hour < 6
    return part is None and 1 <= clock.hour <= 6
