"""The hand-built studios the report tests read. Every figure is derived by hand in the tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import pytest

from desk.domain.enums import (
    BookingStatus,
    ServiceKind,
    SessionKind,
    SessionStatus,
    WaitlistStatus,
)
from tests.reports.studio import Studio

B = BookingStatus


@dataclass
class OccupancyStudio:
    studio: Studio
    reformer: int
    spinning: int
    pt: int
    ayse: int
    can: int
    room_a: int
    room_b: int
    s1: int
    s2: int
    s3: int
    s4: int


@pytest.fixture
def occupancy_studio(db) -> OccupancyStudio:
    """Two studio weeks, Mon 4 – Sun 17 March 2024, in Istanbul (UTC+3 all year).

    S1 Reformer  Ayşe  Studio A  Mon 4 Mar 18:00  cap 4: completed 2, no-show 1, booked 1,
                                                 cancelled 1, late-cancelled 1; waitlist 2
    S2 Reformer  Ayşe  Studio A  Wed 6 Mar 18:00  cap 4: completed 1
    S3 Spinning  Can   Studio B  Mon 4 Mar 07:30  cap 10: completed 3, no-show 1
    S4 Reformer  Can   Studio A  Mon 11 Mar 18:00 cap 4: completed 3
    Not counted: a cancelled Spinning session, a PT appointment, and Reformer classes on
    Sun 3 Mar 23:30 and Mon 18 Mar 00:30 (just outside the range either side).
    """
    st = Studio(db)
    reformer = st.service("Reformer", capacity=4)
    spinning = st.service("Spinning", capacity=10)
    pt = st.service("PT 1:1", kind=ServiceKind.PRIVATE, capacity=1)
    ayse, can = st.trainer("Ayşe"), st.trainer("Can")
    room_a, room_b = st.room("Studio A"), st.room("Studio B")
    m = [st.member(f"Member {n}") for n in range(1, 9)]

    s1 = st.session(reformer, ayse, room_a, date(2024, 3, 4), time(18), capacity=4)
    for member, status in zip(
        m,
        [B.COMPLETED, B.COMPLETED, B.NO_SHOW, B.BOOKED, B.CANCELLED, B.LATE_CANCELLED],
        strict=False,
    ):
        st.book(s1, member, status)
    st.waitlist(s1, m[6], WaitlistStatus.PROMOTED)
    st.waitlist(s1, m[7], WaitlistStatus.LEFT)

    s2 = st.session(reformer, ayse, room_a, date(2024, 3, 6), time(18), capacity=4)
    st.book(s2, m[0], B.COMPLETED)

    s3 = st.session(spinning, can, room_b, date(2024, 3, 4), time(7, 30), capacity=10)
    for member, status in zip(m, [B.COMPLETED] * 3 + [B.NO_SHOW], strict=False):
        st.book(s3, member, status)

    s4 = st.session(reformer, can, room_a, date(2024, 3, 11), time(18), capacity=4)
    for member in m[:3]:
        st.book(s4, member, B.COMPLETED)

    gone = st.session(
        spinning, can, room_b, date(2024, 3, 12), time(9), status=SessionStatus.CANCELLED
    )
    st.book(gone, m[0], B.CANCELLED)
    appointment = st.session(
        pt, ayse, None, date(2024, 3, 5), time(10), capacity=1, kind=SessionKind.APPOINTMENT
    )
    st.book(appointment, m[1], B.COMPLETED)
    before = st.session(reformer, ayse, room_a, date(2024, 3, 3), time(23, 30), capacity=4)
    st.book(before, m[0], B.COMPLETED)
    after = st.session(reformer, ayse, room_a, date(2024, 3, 18), time(0, 30), capacity=4)
    st.book(after, m[0], B.COMPLETED)
    return OccupancyStudio(st, reformer, spinning, pt, ayse, can, room_a, room_b, s1, s2, s3, s4)
