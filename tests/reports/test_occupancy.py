"""Occupancy known answers on the hand-built studio of conftest.occupancy_studio."""

from __future__ import annotations

from datetime import date, time

import pytest

from desk.domain.errors import InvalidInput
from desk.services.reports.common import SessionFilter
from desk.services.reports.occupancy import Fill, occupancy
from tests.reports.studio import Studio

MARCH_4, MARCH_17 = date(2024, 3, 4), date(2024, 3, 17)


def report(db, **kw):
    with db.read() as s:
        return occupancy(s, date_from=MARCH_4, date_to=MARCH_17, **kw)


def test_per_session_counts(db, occupancy_studio):
    o = occupancy_studio
    rep = report(db)
    by_id = {row.session_id: row for row in rep.sessions}
    # Only S1..S4: the cancelled session, the PT appointment and the two classes just outside
    # the range (Sun 3 Mar 23:30, Mon 18 Mar 00:30 local) are left out.
    assert sorted(by_id) == sorted([o.s1, o.s2, o.s3, o.s4])
    s1 = by_id[o.s1]
    # booked = completed 2 + no-show 1 + still booked 1 = 4; cancelled and late-cancelled don't
    assert (s1.capacity, s1.booked, s1.attended) == (4, 4, 2)
    assert (s1.no_shows, s1.late_cancels, s1.waitlist_peak) == (1, 1, 2)
    assert s1.fill.fill_rate == 1.0 and s1.fill.attendance_rate == 0.5
    s3 = by_id[o.s3]
    assert (s3.capacity, s3.booked, s3.attended, s3.no_shows) == (10, 4, 3, 1)
    assert (s3.weekday, s3.hour) == (0, 7)
    assert s3.starts_local.strftime("%Y-%m-%d %H:%M") == "2024-03-04 07:30"
    # Rows come in start order: S3 (Mon 07:30), S1 (Mon 18:00), S2 (Wed), S4 (next Mon).
    assert [r.session_id for r in rep.sessions] == [o.s3, o.s1, o.s2, o.s4]


def test_totals(db, occupancy_studio):
    total = report(db).total
    # seats 4+4+10+4 = 22; booked 4+1+4+3 = 12; attended 2+1+3+3 = 9
    assert total == Fill(
        sessions=4,
        seats=22,
        booked=12,
        attended=9,
        no_shows=2,  # S1 1 + S3 1
        late_cancels=1,  # S1
        waitlisted=2,  # S1's two entries
        full_sessions=1,  # S1: 4 of 4
    )
    assert total.fill_rate == pytest.approx(12 / 22)
    assert total.attendance_rate == pytest.approx(9 / 22)
    assert total.show_rate == pytest.approx(9 / 12)


def test_roll_ups_by_service_trainer_room(db, occupancy_studio):
    rep = report(db)
    service = {g.name: g.fill for g in rep.by_service}
    # Reformer: S1, S2, S4 → seats 12, booked 4+1+3 = 8, attended 2+1+3 = 6
    assert (service["Reformer"].sessions, service["Reformer"].seats) == (3, 12)
    assert (service["Reformer"].booked, service["Reformer"].attended) == (8, 6)
    assert service["Reformer"].fill_rate == pytest.approx(8 / 12)
    # Spinning: S3 only
    assert (service["Spinning"].seats, service["Spinning"].booked) == (10, 4)
    assert set(service) == {"Reformer", "Spinning"}  # PT appointments are not classes
    trainer = {g.name: g.fill for g in rep.by_trainer}
    # Ayşe: S1 + S2 → seats 8, booked 5, attended 3; Can: S3 + S4 → seats 14, booked 7, att 6
    assert (trainer["Ayşe"].seats, trainer["Ayşe"].booked, trainer["Ayşe"].attended) == (8, 5, 3)
    assert (trainer["Can"].seats, trainer["Can"].booked, trainer["Can"].attended) == (14, 7, 6)
    room = {g.name: g.fill for g in rep.by_room}
    assert (room["Studio A"].seats, room["Studio A"].booked) == (12, 8)
    assert (room["Studio B"].seats, room["Studio B"].booked) == (10, 4)


def test_heatmap_by_local_weekday_and_hour(db, occupancy_studio):
    cells = {(c.weekday, c.hour): c.fill for c in report(db).heatmap}
    assert set(cells) == {(0, 7), (0, 18), (2, 18)}
    # Mon 18:00: S1 + S4 → seats 8, booked 4+3 = 7, attended 2+3 = 5
    assert (cells[0, 18].seats, cells[0, 18].booked, cells[0, 18].attended) == (8, 7, 5)
    assert cells[0, 18].fill_rate == pytest.approx(7 / 8)
    assert cells[0, 18].attendance_rate == pytest.approx(5 / 8)
    # Mon 07:00: S3 → 4/10; Wed 18:00: S2 → 1/4
    assert cells[0, 7].fill_rate == pytest.approx(0.4)
    assert cells[2, 18].fill_rate == pytest.approx(0.25)


def test_week_over_week(db, occupancy_studio):
    weeks = report(db).weeks
    assert [w.week_of for w in weeks] == [date(2024, 3, 4), date(2024, 3, 11)]
    # week 1: S1+S2+S3 → booked 9 of 18 seats = 50 %; week 2: S4 → 3 of 4 = 75 %
    assert weeks[0].fill.fill_rate == pytest.approx(0.5)
    assert weeks[0].fill_change is None
    assert weeks[1].fill.fill_rate == pytest.approx(0.75)
    assert weeks[1].fill_change == pytest.approx(0.25)


def test_filters(db, occupancy_studio):
    o = occupancy_studio
    by_service = report(db, filters=SessionFilter(service_id=o.reformer))
    assert {r.session_id for r in by_service.sessions} == {o.s1, o.s2, o.s4}
    by_trainer = report(db, filters=SessionFilter(trainer_id=o.can))
    assert {r.session_id for r in by_trainer.sessions} == {o.s3, o.s4}
    assert by_trainer.total.booked == 7  # 4 + 3
    by_room = report(db, filters=SessionFilter(room_id=o.room_b))
    assert [r.session_id for r in by_room.sessions] == [o.s3]
    both = report(db, filters=SessionFilter(service_id=o.reformer, trainer_id=o.ayse))
    assert {r.session_id for r in both.sessions} == {o.s1, o.s2}


def test_empty_range_and_weeks_without_classes(db, occupancy_studio):
    with db.read() as s:
        rep = occupancy(s, date_from=date(2024, 5, 1), date_to=date(2024, 5, 14))
    assert rep.sessions == () and rep.total == Fill()
    assert rep.total.fill_rate is None
    # 1 May 2024 is a Wednesday: weeks of 29 Apr, 6 May and 13 May, all empty
    mondays = [date(2024, 4, 29), date(2024, 5, 6), date(2024, 5, 13)]
    assert [w.week_of for w in rep.weeks] == mondays
    assert all(w.fill.fill_rate is None for w in rep.weeks)


def test_bad_range_is_refused(db):
    with db.read() as s, pytest.raises(InvalidInput, match="after its end"):
        occupancy(s, date_from=date(2024, 3, 2), date_to=date(2024, 3, 1))


@pytest.mark.parametrize(
    "change_day, before, after",
    [
        # Spring forward in Berlin: Sun 31 Mar 2024, 02:00 → 03:00
        (date(2024, 3, 31), date(2024, 3, 30), date(2024, 4, 1)),
        # Fall back: Sun 27 Oct 2024, 03:00 → 02:00
        (date(2024, 10, 27), date(2024, 10, 26), date(2024, 10, 28)),
    ],
)
def test_dst_change_keeps_the_local_hour(db, change_day, before, after):
    st = Studio(db, timezone="Europe/Berlin", currency="EUR")
    service, trainer, room = st.service("Yoga"), st.trainer("Lena"), st.room("Hall")
    member = st.member("Mia")
    for day in (before, change_day, after):
        sid = st.session(service, trainer, room, day, time(7, 30), capacity=10)
        st.book(sid, member)
    # The UTC hours really differ (06:30Z in winter, 05:30Z in summer) …
    winter = st.at(date(2024, 3, 30), time(7, 30))
    summer = st.at(date(2024, 4, 1), time(7, 30))
    assert (winter.hour, summer.hour) == (6, 5)
    with db.read() as s:
        rep = occupancy(s, date_from=before, date_to=after)
    # … but all three classes land in the 07:00 row of their own local weekday.
    cells = {(c.weekday, c.hour): c.fill.sessions for c in rep.heatmap}
    assert cells == {(d.weekday(), 7): 1 for d in (before, change_day, after)}
    assert [r.starts_local.strftime("%d %H:%M") for r in rep.sessions] == [
        f"{d.day:02d} 07:30" for d in (before, change_day, after)
    ]


def test_late_sunday_class_counts_on_sunday_west_of_utc(db):
    # New York, Sun 10 Mar 2024 (its own DST day): 23:30 EDT is Mon 03:30 UTC.
    st = Studio(db, timezone="America/New_York", currency="USD")
    service, trainer, room = st.service("Spin"), st.trainer("Jo"), st.room("Loft")
    sunday = date(2024, 3, 10)
    late = st.session(service, trainer, room, sunday, time(23, 30))
    st.session(service, trainer, room, date(2024, 3, 11), time(0, 30))  # Monday, not in range
    assert st.at(sunday, time(23, 30)).weekday() == 0  # Monday in UTC
    with db.read() as s:
        rep = occupancy(s, date_from=sunday, date_to=sunday)
    assert [r.session_id for r in rep.sessions] == [late]
    assert [(c.weekday, c.hour) for c in rep.heatmap] == [(6, 23)]
    assert [w.week_of for w in rep.weeks] == [date(2024, 3, 4)]


def test_early_monday_class_counts_on_monday_east_of_utc(db):
    # Istanbul (UTC+3): Mon 01:30 local is Sun 22:30 UTC.
    st = Studio(db, timezone="Europe/Istanbul")
    service, trainer, room = st.service("Night Ride"), st.trainer("Ece"), st.room("Box")
    monday = date(2024, 3, 11)
    early = st.session(service, trainer, room, monday, time(1, 30))
    st.session(service, trainer, room, date(2024, 3, 10), time(23, 30))  # Sunday, not in range
    with db.read() as s:
        rep = occupancy(s, date_from=monday, date_to=monday)
    assert [r.session_id for r in rep.sessions] == [early]
    assert [(c.weekday, c.hour) for c in rep.heatmap] == [(0, 1)]
