"""No-show and late-cancel known answers on conftest.occupancy_studio (plus its PT appointment)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from desk.domain.enums import ServiceKind
from desk.services.reports.common import SessionFilter
from desk.services.reports.noshows import Attendance, no_shows
from desk.store.models import StudioSettings

MARCH_4, MARCH_17 = date(2024, 3, 4), date(2024, 3, 17)
LATER = datetime(2024, 6, 1, tzinfo=UTC)


def report(db, **kw):
    kw.setdefault("now", LATER)
    with db.read() as s:
        return no_shows(s, date_from=MARCH_4, date_to=MARCH_17, **kw)


def test_totals_and_rates(db, occupancy_studio):
    rep = report(db)
    # S1: completed 2, no-show 1, late 1, unmarked 1 (in-time cancel ignored); S2: completed 1;
    # S3: completed 3, no-show 1; S4: completed 3; PT appointment Tue 5 Mar: completed 1.
    # The cancelled Spinning session is not counted at all.
    assert rep.total == Attendance(attended=10, no_shows=2, late_cancels=1, unmarked=1)
    assert rep.total.bookings == 14
    assert rep.total.no_show_rate == pytest.approx(2 / 14)
    assert rep.total.late_cancel_rate == pytest.approx(1 / 14)


def test_by_kind_and_service(db, occupancy_studio):
    rep = report(db)
    kinds = {k.kind: k.counts for k in rep.by_kind}
    # group: 9 attended + 2 no-shows + 1 late + 1 unmarked = 13; private: the PT visit
    assert kinds[ServiceKind.GROUP] == Attendance(9, 2, 1, 1)
    assert kinds[ServiceKind.PRIVATE] == Attendance(1, 0, 0, 0)
    assert kinds[ServiceKind.PRIVATE].no_show_rate == 0.0
    service = {r.service: r.counts for r in rep.by_service}
    # Reformer: S1 (2, 1, 1, 1) + S2 (1) + S4 (3) → 6 attended of 9 bookings, 1 no-show
    assert service["Reformer"] == Attendance(6, 1, 1, 1)
    assert service["Reformer"].no_show_rate == pytest.approx(1 / 9)
    assert service["Spinning"] == Attendance(3, 1, 0, 0)
    assert service["Spinning"].no_show_rate == pytest.approx(0.25)
    assert service["PT 1:1"] == Attendance(1, 0, 0, 0)


def test_by_time_slot(db, occupancy_studio):
    slots = {(r.weekday, r.hour): r.counts for r in report(db).by_slot}
    # Mon 18:00 = S1 + S4; Mon 07:00 = S3; Tue 10:00 = PT; Wed 18:00 = S2
    assert slots == {
        (0, 7): Attendance(3, 1, 0, 0),
        (0, 18): Attendance(5, 1, 1, 1),
        (1, 10): Attendance(1, 0, 0, 0),
        (2, 18): Attendance(1, 0, 0, 0),
    }


def test_by_member_and_chronic_list(db, occupancy_studio):
    rep = report(db, chronic_after=1)
    rows = [(r.name, r.counts) for r in rep.by_member]
    assert rows == [
        # Member 3: S1 no-show, S3 + S4 attended
        ("Member 3", Attendance(2, 1, 0, 0)),
        # Member 4: S1 never marked, S3 no-show
        ("Member 4", Attendance(0, 1, 0, 1)),
        # Member 6: the late cancel on S1
        ("Member 6", Attendance(0, 0, 1, 0)),
        # Member 1: S1, S2, S3, S4; Member 2: S1, S3, S4 and the PT session
        ("Member 1", Attendance(4, 0, 0, 0)),
        ("Member 2", Attendance(4, 0, 0, 0)),
    ]
    # Member 5 only cancelled in time, which is never counted.
    assert rep.by_member[0].last_no_show == date(2024, 3, 4)
    assert rep.by_member[3].last_no_show is None
    assert rep.by_member[0].counts.no_show_rate == pytest.approx(1 / 3)
    assert [m.name for m in rep.chronic] == ["Member 3", "Member 4"]
    assert report(db, chronic_after=2).chronic == ()


def test_chronic_threshold_defaults_to_the_studio_policy(db, occupancy_studio):
    assert report(db).chronic_after == 3 and report(db).chronic == ()
    with db.write() as s:
        s.get(StudioSettings, 1).group_noshow_threshold = 1
    assert [m.name for m in report(db).chronic] == ["Member 3", "Member 4"]


def test_weeks(db, occupancy_studio):
    weeks = report(db).weeks
    assert [w.week_of for w in weeks] == [date(2024, 3, 4), date(2024, 3, 11)]
    # week 1: S1 (2, 1, 1, 1) + S2 (1) + S3 (3, 1) + PT (1) → 7 attended, 2 no-shows, 11 in all
    assert weeks[0].counts == Attendance(7, 2, 1, 1)
    assert weeks[1].counts == Attendance(3, 0, 0, 0)


def test_only_sessions_that_have_started_count(db, occupancy_studio):
    now = occupancy_studio.studio.at(date(2024, 3, 6), time(12))
    rep = report(db, now=now)
    # By Wed 6 Mar noon only S1, S3 and the PT visit have started: 2 + 3 + 1 attended
    assert rep.total == Attendance(6, 2, 1, 1)
    assert rep.counted_until == now


def test_filters(db, occupancy_studio):
    o = occupancy_studio
    rep = report(db, filters=SessionFilter(trainer_id=o.can))
    # Can teaches S3 and S4: 3 + 3 attended, 1 no-show
    assert rep.total == Attendance(6, 1, 0, 0)
    assert report(db, filters=SessionFilter(service_id=o.pt)).total == Attendance(1, 0, 0, 0)
