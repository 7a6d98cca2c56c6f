"""The prepared path (Core compiled once, run on the DBAPI cursor) must answer exactly as
`session.execute` would, keep the database's refusals as SQLAlchemy errors, follow the session
from one transaction to the next, and keep check-in and its undo short and exact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from desk.domain.enums import BookingStatus, LedgerKind
from desk.services import attendance
from desk.store.models import Booking, ClassSession, LedgerEntry
from desk.store.prepared import Prepared, literal_in, prepared_insert

from .conftest import MONDAY_18, NOW, Scene, sqlite_statements

_B, _CS = Booking.__table__.c, ClassSession.__table__.c
_READ = select(
    _B.id, _B.status, _B.channel, _B.is_drop_in, _B.created_at, _B.status_changed_at,
    _CS.starts_at, _CS.ends_at,
).join_from(Booking.__table__, ClassSession.__table__).where(
    _B.member_id == bindparam("member_id"), _CS.starts_at >= bindparam("since"),
    literal_in(_B.status, [BookingStatus.BOOKED, BookingStatus.COMPLETED]),
).order_by(_B.id)  # fmt: skip


def test_rows_read_the_same_as_session_execute(scene: Scene) -> None:
    member, _ = scene.member_with(scene.product(sessions=10))
    for day in range(3):
        scene.book(scene.class_at(MONDAY_18 + timedelta(days=day)), member)
    params = {"member_id": member, "since": NOW}
    with scene.db.read() as s:
        expected = [tuple(row) for row in s.execute(_READ, params)]
        got = Prepared(_READ).rows(s, params)
    assert len(got) == 3
    assert got == expected  # aware UTC datetimes, enums by value, booleans
    assert all(row[4].tzinfo is not None and row[1] is BookingStatus.BOOKED for row in got)


def test_an_expanding_in_is_refused_rather_than_rendered_per_call(scene: Scene) -> None:
    statement = select(_B.id).where(_B.status.in_([BookingStatus.BOOKED]))
    with scene.db.read() as s, pytest.raises(TypeError, match="literal_in"):
        Prepared(statement).rows(s, {})


def test_a_refused_insert_is_sqlalchemys_integrity_error(scene: Scene) -> None:
    member, _ = scene.member_with(scene.product(sessions=10))
    taken = scene.book(scene.class_at(MONDAY_18), member)
    insert = prepared_insert(Booking.__table__)  # no ON CONFLICT: the unique index refuses
    row = {
        "member_id": member, "class_session_id": taken.class_session_id, "seat_no": 2,
        "status": BookingStatus.BOOKED, "channel": taken.channel, "is_drop_in": False,
        "created_by": None, "status_changed_at": NOW, "completion_round": 0,
        "rescheduled_from_id": None, "created_at": NOW,
    }  # fmt: skip
    before = scene.counts()
    with pytest.raises(IntegrityError), scene.db.write() as s:
        insert.write(s, row)
    assert scene.counts() == before


def test_each_transaction_uses_its_own_connection(scene: Scene) -> None:
    """The DBAPI connection is kept per transaction: after a commit or a rollback the next
    statement runs in the session's new transaction and sees what was committed."""
    member, _ = scene.member_with(scene.product(sessions=10))
    count = Prepared(select(_B.id).where(_B.member_id == bindparam("member_id")))
    with scene.db.write() as s:
        assert count.rows(s, {"member_id": member}) == []
        s.commit()
        scene.book(scene.class_at(MONDAY_18), member)  # another session commits meanwhile
        assert len(count.rows(s, {"member_id": member})) == 1
        s.rollback()
        assert len(count.rows(s, {"member_id": member})) == 1


def test_check_in_and_undo_are_short_and_exact(scene: Scene) -> None:
    member, sale = scene.member_with(scene.product(sessions=5))
    booked = scene.book(scene.class_at(MONDAY_18), member)
    at = booked.starts_at - timedelta(minutes=5)
    with sqlite_statements(scene.db) as sent, scene.db.write() as s:
        held = s.get(Booking, booked.booking_id)  # the caller's ORM copy must not go stale
        sent.clear()
        done = attendance.complete(s, booking_id=booked.booking_id, actor=scene.desk, now=at)
        # BEGIN went with the ORM read; then the booking, the payable sales, consume, update,
        # audit.
        assert len(sent) <= 5, sent
        assert held is not None and held.status is BookingStatus.COMPLETED  # re-read
    assert done.consumption is not None and done.consumption.remaining == 4
    assert scene.balance(sale) == 4
    with sqlite_statements(scene.db) as sent:
        undone = scene.run(attendance.revert_completion, booking_id=booked.booking_id,
                           actor=scene.desk, now=at)  # fmt: skip
    assert len(sent) <= 7, sent  # BEGIN, booking, consume row + balance, restore, update, audit
    assert undone.consumption is not None
    assert (undone.consumption.delta, undone.consumption.remaining) == (1, 5)
    assert (undone.status, undone.completion_round) == (BookingStatus.BOOKED, 1)
    again = scene.run(attendance.revert_completion, booking_id=booked.booking_id,
                      actor=scene.desk, now=at)  # fmt: skip
    assert again.already_done and again.consumption == undone.consumption
    with scene.db.read() as s:
        kinds = s.scalars(
            select(LedgerEntry.kind).where(LedgerEntry.booking_id == booked.booking_id)
        ).all()
    assert sorted(kinds) == [LedgerKind.CONSUME, LedgerKind.RESTORE]
    assert scene.balance(sale) == 5
