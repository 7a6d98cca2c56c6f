"""Members known answers: visits, new, tapering and lapsed on a hand-built studio (Istanbul)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

from desk.domain.enums import BookingStatus
from desk.domain.errors import InvalidInput
from desk.services.reports import members as members_report
from desk.services.reports.members import TaperRule, members
from desk.store.db import Database
from desk.store.models import Booking, Member
from tests.reports.studio import Studio

MARCH_1, MARCH_31 = date(2024, 3, 1), date(2024, 3, 31)
LATER = datetime(2024, 6, 1, tzinfo=UTC)


def days(first: date, last: date, weekdays: tuple[int, ...]) -> list[date]:
    out, day = [], first
    while day <= last:
        if day.weekday() in weekdays:
            out.append(day)
        day += timedelta(days=1)
    return out


@dataclass
class Gym:
    studio: Studio
    service: int
    trainer: int
    room: int
    classes: dict[date, int]

    def visit(self, member: int, day: date, status=BookingStatus.COMPLETED) -> None:
        if day not in self.classes:
            self.classes[day] = self.studio.session(
                self.service, self.trainer, self.room, day, time(9), capacity=50
            )
        self.studio.book(self.classes[day], member, status)


@pytest.fixture
def gym(db):
    """As of Sun 31 Mar 2024 the default rule compares 4–31 Mar (recent, 28 days) with
    10 Dec 2023 – 3 Mar 2024 (baseline, 84 days = 12 weeks); lapsed = no visit on 2–31 Mar."""
    st = Studio(db)
    g = Gym(st, st.service("Open Gym", capacity=50), st.trainer("Tan"), st.room("Floor"), {})
    winter = (date(2023, 12, 11), date(2024, 3, 3))
    spring = (date(2024, 3, 4), MARCH_31)
    ana, ben, cem, dila, efe = (st.member(n) for n in ("Ana", "Ben", "Cem", "Dila", "Efe"))
    for day in days(*winter, (0, 3)) + days(*spring, (0, 3)):  # Mon + Thu: 24 then 8
        g.visit(ana, day)
    g.visit(ana, date(2024, 3, 5), BookingStatus.NO_SHOW)  # a no-show is not a visit
    for day in [*days(*winter, (0, 3)), date(2024, 3, 4), date(2024, 3, 18)]:  # 24 then 2
        g.visit(ben, day)
    for day in [*days(*winter, (0,)), date(2024, 3, 11), date(2024, 3, 25)]:  # 12 then 2
        g.visit(cem, day)
    for day in days(date(2024, 1, 29), date(2024, 2, 26), (0,)):  # 5 Mondays, last 26 Feb
        g.visit(dila, day)
    for day in [*days(*winter, (0,)), MARCH_1]:  # 12 Mondays + Fri 1 Mar, then nothing
        g.visit(efe, day)
    fay = st.member("Fay", joined=st.at(date(2024, 3, 2), time(9)))
    g.visit(fay, date(2024, 3, 2))
    st.member("Gul", joined=st.at(date(2024, 3, 15), time(12)))
    st.member("Hale", joined=st.at(MARCH_31, time(23, 30)))  # 20:30 UTC: still March here
    st.member("Ida", joined=st.at(date(2024, 4, 1), time(0, 30)))  # 31 Mar 21:30 UTC: April
    gone = st.member("Jale")
    g.visit(gone, date(2024, 1, 8))
    with db.write() as s:
        s.get(Member, gone).archived = True
    return g


def report(db, **kw):
    kw.setdefault("now", LATER)
    with db.read() as s:
        return members(s, date_from=MARCH_1, date_to=MARCH_31, **kw)


def test_visits_and_active_members(db, gym):
    rep = report(db)
    # March visits: Ana 8 (Mon + Thu from the 4th), Ben 2, Cem 2, Efe 1 (1 Mar), Fay 1 (2 Mar)
    assert [(m.name, m.visits) for m in rep.members] == [
        ("Ana", 8),
        ("Ben", 2),
        ("Cem", 2),
        ("Efe", 1),
        ("Fay", 1),
    ]
    assert (rep.active_members, rep.visits) == (5, 14)
    assert rep.visits_per_member == pytest.approx(14 / 5)
    ana = rep.members[0]
    assert (ana.first_visit, ana.last_visit) == (date(2024, 3, 4), date(2024, 3, 28))
    assert ana.visits_per_week == pytest.approx(8 / (31 / 7))


def test_new_members_by_studio_day(db, gym):
    rep = report(db)
    # Fay (2 Mar, came that day), Gul (15 Mar, never came), Hale (31 Mar 23:30 local);
    # Ida joined at 00:30 on 1 April local time, which is still 31 March in UTC: not new.
    assert [(m.name, m.joined, m.first_visit, m.visits_in_period) for m in rep.new_members] == [
        ("Fay", date(2024, 3, 2), date(2024, 3, 2), 1),
        ("Gul", date(2024, 3, 15), None, 0),
        ("Hale", MARCH_31, None, 0),
    ]


def test_tapering(db, gym):
    rep = report(db)
    assert rep.as_of == MARCH_31
    taper = {t.name: t for t in rep.tapering}
    # Ben: 24 visits in 12 weeks = 2/week, then 2 in 4 weeks = 0.5/week → down 75 %
    # Cem: 12 in 12 weeks = 1/week, then 2 in 4 weeks = 0.5/week → exactly half: tapering
    # Ana: 2/week both times → steady. Dila: only 5 earlier visits (< 6) → not judged.
    # Efe: 13 earlier, 0 recent, but already on the lapsed list → listed there only.
    assert list(taper) == ["Ben", "Cem"]
    ben = taper["Ben"]
    assert (ben.baseline_visits, ben.recent_visits) == (24, 2)
    assert (ben.baseline_per_week, ben.recent_per_week) == (2.0, 0.5)
    assert ben.drop == pytest.approx(0.75)
    assert ben.last_visit == date(2024, 3, 18)
    assert taper["Cem"].drop == pytest.approx(0.5)
    stricter = report(db, taper_rule=TaperRule(max_ratio=0.4))
    assert [t.name for t in stricter.tapering] == ["Ben"]  # Cem's 0.5 is not ≤ 0.4


def test_lapsed(db, gym):
    rep = report(db)
    # Efe: last visit Fri 1 Mar, none on the 30 days 2–31 Mar → lapsed, 30 days ago
    # Dila: last visit Mon 26 Feb → 34 days (3 left in Feb + 31 in Mar). Fay came on 2 Mar:
    # inside the 30 days, not lapsed. Jale is archived. Gul and Hale never came: not lapsed.
    assert [(m.name, m.last_visit, m.days_since, m.visits_ever) for m in rep.lapsed] == [
        ("Efe", MARCH_1, 30, 13),
        ("Dila", date(2024, 2, 26), 34, 5),
    ]
    assert [m.name for m in report(db, lapsed_after_days=31).lapsed] == ["Dila"]


def test_as_of_is_today_inside_the_period(db, gym):
    # Seen on Fri 15 Mar: recent = 17 Feb–15 Mar; Dila (last 26 Feb) is 18 days away: not lapsed
    now = gym.studio.at(date(2024, 3, 15), time(20))
    rep = report(db, now=now)
    assert rep.as_of == date(2024, 3, 15)
    assert rep.lapsed == ()


def test_weeks(db, gym):
    weeks = report(db).weeks
    # Week of 26 Feb counts 1–3 Mar only: Efe (1st) and Fay (2nd); Fay joined that week.
    # Then each week Ana ×2 and one of Ben/Cem; Gul joined week of 11 Mar, Hale of 25 Mar.
    assert [(w.week_of, w.visits, w.active_members, w.new_members) for w in weeks] == [
        (date(2024, 2, 26), 2, 2, 1),
        (date(2024, 3, 4), 3, 2, 0),
        (date(2024, 3, 11), 3, 2, 1),
        (date(2024, 3, 18), 3, 2, 0),
        (date(2024, 3, 25), 3, 2, 1),
    ]


def test_bad_arguments(db):
    with pytest.raises(InvalidInput):
        TaperRule(max_ratio=1.5)
    with db.read() as s, pytest.raises(InvalidInput):
        members(s, date_from=MARCH_1, date_to=MARCH_31, lapsed_after_days=0)


# --- the query shape (issue 8: a year took 7-8 s on a ten-year studio) ------------------------

GENERATED_TODAY = date(2025, 3, 12)
#: A year, a month and a quarter of the generated half-year studio, seen after it.
RANGES = (
    (date(2024, 3, 12), date(2025, 3, 11)),
    (date(2025, 1, 1), date(2025, 1, 31)),
    (date(2024, 10, 1), date(2024, 12, 31)),
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Half a year of a realistic studio (no-shows, cancels, churn) from the bench generator."""
    from bench.generate import generate

    path = tmp_path_factory.mktemp("generated") / "studio.sqlite3"
    generate(path, years=0.5, members=150, seed=3, today=GENERATED_TODAY)
    database = Database.open_file(path)
    yield database
    database.dispose()


def _reports(database):
    now = datetime.combine(GENERATED_TODAY, time(12), tzinfo=UTC)
    with database.read() as s:
        return [members(s, date_from=a, date_to=b, now=now) for a, b in RANGES]


def test_the_unindexed_grouping_gives_the_same_report_as_the_plain_one(generated, monkeypatch):
    shaped = _reports(generated)
    monkeypatch.setattr(members_report, "UnindexedKey", lambda key: key)
    plain = _reports(generated)
    assert shaped == plain
    year = shaped[0]
    # Not a vacuous comparison: every list of the report has rows.
    assert year.visits > 1000 and year.active_members > 50
    assert year.new_members and year.lapsed and year.tapering


def test_visits_by_member_range_scan_sessions_by_start_time(generated):
    """Grouped by member, SQLite must not walk every booking through the member index."""
    seen: list[tuple[str, tuple]] = []

    def record(_conn, _cursor, sql, params, _context, _many):
        seen.append((sql, params))

    event.listen(generated.engine, "before_cursor_execute", record)
    try:
        _reports(generated)
    finally:
        event.remove(generated.engine, "before_cursor_execute", record)
    grouped = [(sql, p) for sql, p in seen if "GROUP BY +bookings.member_id" in sql]
    assert len(grouped) == 4 * len(RANGES)  # visits, new members' first visit, tapering, lapsed
    with generated.engine.connect() as conn:
        plans = [
            " | ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", p))
            for sql, p in grouped
        ]
    assert not [plan for plan in plans if "SCAN bookings USING INDEX ix_bookings_member" in plan]
    ranged = [plan for plan in plans if "ix_class_sessions_starts_at" in plan]
    assert len(ranged) == 2 * len(RANGES)  # the period's visits and the tapering windows


def test_other_databases_get_the_plain_grouping():
    query = members_report._visits(Booking.member_id)
    assert "GROUP BY +bookings.member_id" in str(query.compile(dialect=sqlite.dialect()))
    plain = str(query.compile(dialect=postgresql.dialect()))
    assert "GROUP BY bookings.member_id" in plain and "+" not in plain
