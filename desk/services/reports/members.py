"""Members: who came, how often, who is new, who is coming less (tapering) and who stopped.

A visit is a completed booking (class or appointment) of a session that was not cancelled; it
happens on the session's studio-local day. Every list is one grouped SQL statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, case, cast, func, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from desk.domain.enums import BookingStatus, SessionStatus
from desk.domain.errors import InvalidInput
from desk.domain.timeutil import day_bounds, local_date, week_start
from desk.services.reports.common import (
    Period,
    local_clock,
    local_day,
    local_week,
    now_or_default,
    parse_day,
    period_of,
)
from desk.store.models import Booking, ClassSession, Member
from desk.store.types import UTCDateTime


@dataclass(frozen=True)
class TaperRule:
    """Tapering: a member's recent visit rate fell to at most `max_ratio` of their own earlier rate.

    Recent = the `recent_days` ending on the as-of day; earlier = the `baseline_days` before that.
    Only members with at least `min_baseline_visits` earlier visits are judged.
    """

    recent_days: int = 28
    baseline_days: int = 84
    min_baseline_visits: int = 6
    max_ratio: float = 0.5

    def __post_init__(self) -> None:
        if self.recent_days < 7 or self.baseline_days < 7:
            raise InvalidInput("Tapering windows must be at least a week long.")
        if self.min_baseline_visits < 1 or not 0 < self.max_ratio < 1:
            raise InvalidInput("Tapering needs at least one earlier visit and a drop below 100%.")


@dataclass(frozen=True)
class MemberVisits:
    member_id: int
    name: str
    phone: str
    visits: int
    first_visit: date
    last_visit: date
    visits_per_week: float


@dataclass(frozen=True)
class NewMember:
    member_id: int
    name: str
    phone: str
    joined: date
    #: First visit ever (it may be after the period), None if they never came.
    first_visit: date | None
    visits_in_period: int


@dataclass(frozen=True)
class TaperingMember:
    member_id: int
    name: str
    phone: str
    baseline_visits: int
    recent_visits: int
    baseline_per_week: float
    recent_per_week: float
    last_visit: date

    @property
    def drop(self) -> float:
        """How much the weekly rate fell, 0..1 (1 = stopped coming)."""
        return 1 - self.recent_per_week / self.baseline_per_week


@dataclass(frozen=True)
class LapsedMember:
    member_id: int
    name: str
    phone: str
    last_visit: date
    days_since: int
    visits_ever: int


@dataclass(frozen=True)
class WeekMembers:
    week_of: date
    visits: int
    active_members: int
    new_members: int


@dataclass(frozen=True)
class MembersReport:
    period: Period
    #: Tapering and lapsed are judged as of this studio day (the period's end, or today).
    as_of: date
    active_members: int
    visits: int
    members: tuple[MemberVisits, ...]
    new_members: tuple[NewMember, ...]
    tapering: tuple[TaperingMember, ...]
    lapsed: tuple[LapsedMember, ...]
    lapsed_after_days: int
    taper_rule: TaperRule
    weeks: tuple[WeekMembers, ...]

    @property
    def visits_per_member(self) -> float | None:
        return self.visits / self.active_members if self.active_members else None


class UnindexedKey(FunctionElement[Any]):
    """`expr` as a grouping key SQLite must not serve from an index: `+expr` there (SQLite's
    documented way to take a term away from the planner), `expr` elsewhere.

    Without statistics SQLite groups visits by member by walking every booking in member order
    (ix_bookings_member_status) and looking up each one's session: 7-8 s for a year on a
    ten-year studio. Kept off that index it range-scans sessions by start time and reaches their
    bookings by session: ~1.5 s, same rows. (PostgreSQL would refuse `GROUP BY +x` beside a
    plain `SELECT x`, and plans by its statistics anyway.)
    """

    inherit_cache = True

    def __init__(self, expr: ColumnElement[Any]) -> None:
        super().__init__(expr)
        self.type = expr.type


@compiles(UnindexedKey)
def _plain_key(element: UnindexedKey, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(UnindexedKey, "sqlite")
def _sqlite_key(element: UnindexedKey, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)


def _visits(*keys: Any) -> Select[*tuple[Any, ...]]:
    """Completed bookings of sessions that ran, grouped by `keys` (filters are added after)."""
    return (
        select(*keys)
        .select_from(Booking)
        .join(ClassSession, ClassSession.id == Booking.class_session_id)
        .where(
            Booking.status == BookingStatus.COMPLETED,
            ClassSession.status == SessionStatus.SCHEDULED,
        )
        .group_by(*(UnindexedKey(key) for key in keys))
    )


def _in(starts: datetime, ends: datetime) -> ColumnElement[bool]:
    return (ClassSession.starts_at >= starts) & (ClassSession.starts_at < ends)


def _who(session: Session, ids: Any) -> dict[int, tuple[str, str]]:
    rows = session.execute(
        select(Member.id, Member.full_name, Member.phone).where(Member.id.in_(ids))
    )
    return {mid: (name, phone or "") for mid, name, phone in rows}


def _period_visits(session: Session, period: Period) -> tuple[MemberVisits, ...]:
    clock = local_clock(session, ClassSession.starts_at, period.tz, period.starts, period.ends)
    day = local_day(clock)
    query = _visits(Booking.member_id).add_columns(func.count(), func.min(day), func.max(day))
    found = session.execute(query.where(_in(period.starts, period.ends))).all()
    names = _who(session, [row[0] for row in found])
    rows = [
        MemberVisits(
            mid, *names[mid], count, parse_day(first), parse_day(last), count / period.weeks
        )
        for mid, count, first, last in found
    ]
    return tuple(sorted(rows, key=lambda r: (-r.visits, r.name.casefold())))


def _weeks(session: Session, period: Period, new: tuple[NewMember, ...]) -> tuple[WeekMembers, ...]:
    clock = local_clock(session, ClassSession.starts_at, period.tz, period.starts, period.ends)
    week = local_week(session, clock)
    query = _visits(week).add_columns(func.count(), func.count(func.distinct(Booking.member_id)))
    found = {
        parse_day(w): (n, people)
        for w, n, people in session.execute(query.where(_in(period.starts, period.ends)))
    }
    joined: dict[date, int] = {}
    for member in new:
        monday = week_start(member.joined)
        joined[monday] = joined.get(monday, 0) + 1
    return tuple(WeekMembers(m, *found.get(m, (0, 0)), joined.get(m, 0)) for m in period.mondays())


def _new_members(session: Session, period: Period, visits: dict[int, int]) -> tuple[NewMember, ...]:
    joined = session.execute(
        select(Member.id, Member.full_name, Member.phone, Member.created_at)
        .where(Member.created_at >= period.starts, Member.created_at < period.ends)
        .order_by(Member.created_at, Member.id)
    ).all()
    ids = [row[0] for row in joined]
    first_at = type_coerce(func.min(ClassSession.starts_at), UTCDateTime())
    firsts = dict(
        (mid, first)
        for mid, first in session.execute(
            _visits(Booking.member_id).add_columns(first_at).where(Booking.member_id.in_(ids))
        )
    )
    tz = period.tz
    return tuple(
        NewMember(
            mid,
            name,
            phone or "",
            local_date(created, tz),
            None if firsts.get(mid) is None else local_date(firsts[mid], tz),
            visits.get(mid, 0),
        )
        for mid, name, phone, created in joined
    )


def _tapering(
    session: Session, period: Period, as_of: date, rule: TaperRule
) -> list[TaperingMember]:
    tz = period.tz
    recent_start = day_bounds(as_of - timedelta(days=rule.recent_days - 1), tz)[0]
    baseline_start = day_bounds(
        as_of - timedelta(days=rule.recent_days + rule.baseline_days - 1), tz
    )[0]
    end = day_bounds(as_of, tz)[1]
    is_recent = ClassSession.starts_at >= recent_start
    recent = cast(func.sum(case((is_recent, 1), else_=0)), Integer)
    baseline = cast(func.sum(case((is_recent, 0), else_=1)), Integer)
    last = type_coerce(func.max(ClassSession.starts_at), UTCDateTime())
    query = (
        _visits(Booking.member_id)
        .add_columns(baseline, recent, last)
        .join(Member, Member.id == Booking.member_id)
        .where(_in(baseline_start, end), Member.archived.is_(False))
        .having(baseline >= rule.min_baseline_visits)
    )
    found = session.execute(query).all()
    names = _who(session, [row[0] for row in found])
    result = []
    for mid, before, lately, last_at in found:
        base_rate = before / (rule.baseline_days / 7)
        recent_rate = lately / (rule.recent_days / 7)
        if recent_rate <= rule.max_ratio * base_rate:
            result.append(
                TaperingMember(
                    mid,
                    *names[mid],
                    before,
                    lately,
                    base_rate,
                    recent_rate,
                    local_date(last_at, tz),
                )
            )
    return sorted(result, key=lambda t: (-t.drop, -t.baseline_visits, t.name.casefold()))


def _lapsed(session: Session, period: Period, as_of: date, days: int) -> list[LapsedMember]:
    tz = period.tz
    # "No visit in N days": nothing on the N studio days ending with the as-of day.
    cutoff = day_bounds(as_of - timedelta(days=days - 1), tz)[0]
    end = day_bounds(as_of, tz)[1]
    last = type_coerce(func.max(ClassSession.starts_at), UTCDateTime())
    query = (
        _visits(Booking.member_id)
        .add_columns(last, func.count())
        .join(Member, Member.id == Booking.member_id)
        .where(ClassSession.starts_at < end, Member.archived.is_(False))
        .having(func.max(ClassSession.starts_at) < cutoff)
    )
    found = session.execute(query).all()
    names = _who(session, [row[0] for row in found])
    rows = [
        LapsedMember(mid, *names[mid], local_date(at, tz), (as_of - local_date(at, tz)).days, count)
        for mid, at, count in found
    ]
    return sorted(rows, key=lambda r: (r.days_since, r.name.casefold()))


def members(
    session: Session,
    *,
    date_from: date,
    date_to: date,
    lapsed_after_days: int = 30,
    taper_rule: TaperRule | None = None,
    now: datetime | None = None,
) -> MembersReport:
    """Visits, new, tapering and lapsed members for studio days date_from..date_to."""
    if lapsed_after_days < 1:
        raise InvalidInput("Lapsed needs at least one day without a visit.")
    rule = taper_rule or TaperRule()
    period = period_of(session, date_from=date_from, date_to=date_to)
    as_of = period.as_of(now_or_default(now))
    visits = _period_visits(session, period)
    new = _new_members(session, period, {v.member_id: v.visits for v in visits})
    lapsed = _lapsed(session, period, as_of, lapsed_after_days)
    lapsed_ids = {m.member_id for m in lapsed}
    return MembersReport(
        period=period,
        as_of=as_of,
        active_members=len(visits),
        visits=sum(v.visits for v in visits),
        members=visits,
        new_members=new,
        tapering=tuple(
            t for t in _tapering(session, period, as_of, rule) if t.member_id not in lapsed_ids
        ),
        lapsed=tuple(lapsed),
        lapsed_after_days=lapsed_after_days,
        taper_rule=rule,
        weeks=_weeks(session, period, new),
    )
