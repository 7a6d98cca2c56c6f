"""Check-in and the ledger: consume once, restore once, rounds, unpaid, no-shows, expiry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from desk.domain.enums import (
    BookingStatus,
    EntitlementStatus,
    LedgerKind,
    NoShowReason,
    ProductKind,
    ServiceKind,
)
from desk.domain.errors import InvalidTransition, NotAllowed, NotFound
from desk.services import appointments, attendance, sales, settings
from desk.services.actor import Actor
from desk.store.models import AuditEntry, Booking, LedgerEntry, NoShowRecord, Sale

from .conftest import NOW, Scene

SOON = NOW + timedelta(days=2)


def ledger(scene: Scene, booking_id: int) -> list[tuple[LedgerKind, int, int]]:
    with scene.db.read() as s:
        rows = s.scalars(
            select(LedgerEntry).where(LedgerEntry.booking_id == booking_id).order_by(LedgerEntry.id)
        )
        return [(r.kind, r.delta, r.completion_round) for r in rows]


def complete(scene: Scene, booking_id: int, **kw: object) -> attendance.AttendanceResult:
    kw.setdefault("actor", scene.desk)
    kw.setdefault("now", SOON)
    with scene.db.write() as s:
        return attendance.complete(s, booking_id=booking_id, **kw)  # type: ignore[arg-type]


def revert(scene: Scene, booking_id: int) -> attendance.AttendanceResult:
    with scene.db.write() as s:
        return attendance.revert_completion(s, booking_id=booking_id, actor=scene.desk, now=SOON)


def booked_member(scene: Scene, **terms: object) -> tuple[int, int, int]:
    """(member, sale, booking) for a fresh member with a package, booked into a new class."""
    member, sale = scene.member_with(scene.product(**terms))
    cs = scene.class_at(SOON)
    return member, sale, scene.book(cs, member).booking_id


def test_completion_consumes_once_and_a_double_click_changes_nothing(scene: Scene) -> None:
    _member, sale, bid = booked_member(scene, sessions=10)
    first = complete(scene, bid)
    assert first.status is BookingStatus.COMPLETED and not first.already_done
    assert first.consumption is not None
    assert (first.consumption.sale_id, first.consumption.delta) == (sale, -1)
    assert first.consumption.remaining == 9 and not first.unpaid
    again = complete(scene, bid)
    assert again.already_done and again.consumption == first.consumption
    assert ledger(scene, bid) == [(LedgerKind.CONSUME, -1, 0)]
    assert scene.balance(sale) == 9


def test_revert_restores_once_and_a_new_round_consumes_again(scene: Scene) -> None:
    _member, sale, bid = booked_member(scene, sessions=10)
    complete(scene, bid)
    undone = revert(scene, bid)
    assert undone.status is BookingStatus.BOOKED and undone.completion_round == 1
    assert undone.consumption is not None and undone.consumption.delta == 1
    assert not undone.already_done
    assert revert(scene, bid).already_done
    assert scene.balance(sale) == 10
    complete(scene, bid)
    assert ledger(scene, bid) == [
        (LedgerKind.CONSUME, -1, 0),
        (LedgerKind.RESTORE, 1, 0),
        (LedgerKind.CONSUME, -1, 1),
    ]
    assert scene.balance(sale) == 9


def test_revert_of_a_booking_never_checked_in_is_refused(scene: Scene) -> None:
    _member, _sale, bid = booked_member(scene)
    before = scene.counts()
    with pytest.raises(InvalidTransition, match="not checked in"):
        revert(scene, bid)
    assert scene.counts() == before


def test_membership_visit_writes_a_zero_consume_and_counts_for_the_weekly_cap(
    scene: Scene,
) -> None:
    member = scene.member()
    gold = scene.sell(
        member, scene.product(kind=ProductKind.MEMBERSHIP, weekly_cap=1, sessions=None)
    )
    pack = scene.sell(member, scene.product(sessions=3))
    first = scene.book(scene.class_at(SOON), member).booking_id
    done = complete(scene, first)
    assert done.consumption is not None
    assert (done.consumption.sale_id, done.consumption.delta) == (gold, 0)
    assert done.consumption.remaining is None
    # Same week, second visit: the membership's week is full, the package pays.
    second = scene.book(scene.class_at(SOON + timedelta(days=1)), member).booking_id
    paid = complete(scene, second, now=SOON + timedelta(days=1))
    assert paid.consumption is not None and paid.consumption.sale_id == pack
    assert scene.balance(gold) == 0 and scene.balance(pack) == 2


def test_nothing_to_pay_at_completion_completes_unpaid_and_flags_it(scene: Scene) -> None:
    member, sale, bid = booked_member(scene, sessions=1)
    with scene.db.write() as s:
        sales.adjust(s, sale_id=sale, delta=-1, reason="refunded", actor=scene.desk, now=NOW)
    result = complete(scene, bid)
    assert result.unpaid and result.status is BookingStatus.COMPLETED
    assert result.consumption is not None
    assert result.consumption.unpaid_reason == attendance.UNPAID.unpaid_reason
    assert complete(scene, bid) == attendance.AttendanceResult(
        bid, BookingStatus.COMPLETED, 0, attendance.UNPAID, already_done=True
    )
    with scene.db.read() as s:
        why = s.scalars(select(AuditEntry.detail).where(AuditEntry.action == "booking.unpaid"))
        assert "used up" in why.one()
    assert ledger(scene, bid) == []
    with scene.db.read() as s:
        row = s.get(Booking, bid)
        assert row is not None and row.is_drop_in
    walk_in = scene.book(scene.class_at(SOON), scene.member(), drop_in=True).booking_id
    assert complete(scene, walk_in).unpaid and ledger(scene, walk_in) == []
    assert member


def test_activation_on_first_visit_starts_the_validity_on_the_class_day(scene: Scene) -> None:
    member, sale = scene.member_with(
        scene.product(sessions=5, valid_days=30, activation_on_first_visit=True)
    )
    with scene.db.read() as s:
        row = s.get(Sale, sale)
        assert row is not None and row.starts_on is None and row.expires_on is None
    bid = scene.book(scene.class_at(SOON), member).booking_id
    complete(scene, bid)
    with scene.db.read() as s:
        row = s.get(Sale, sale)
        assert row is not None
        assert (row.starts_on, row.expires_on) == (date(2025, 3, 3), date(2025, 4, 1))
        kinds = set(s.scalars(select(AuditEntry.action)))
        assert {"sale.activate", "booking.complete"} <= kinds


@pytest.mark.parametrize("who", ["whatsapp", "too_early", "cancelled", "missing"])
def test_completion_refusals_write_nothing(scene: Scene, who: str) -> None:
    _member, _sale, bid = booked_member(scene)
    kw: dict[str, object] = {}
    error: type[Exception] = InvalidTransition
    if who == "whatsapp":
        kw["actor"], error = Actor.whatsapp("905"), NotAllowed
    elif who == "too_early":
        kw["now"] = SOON - timedelta(hours=2)
    elif who == "cancelled":
        with scene.db.write() as s:
            from desk.services import cancellation

            cancellation.cancel(s, booking_id=bid, actor=scene.desk, now=NOW)
    else:
        bid, error = 999, NotFound
    before = scene.counts()
    with pytest.raises(error):
        complete(scene, bid, **kw)
    assert scene.counts() == before


def test_a_trainer_can_check_people_in(scene: Scene) -> None:
    _member, _sale, bid = booked_member(scene)
    assert complete(scene, bid, actor=scene.coach).status is BookingStatus.COMPLETED


def _first_consume(member: int, sale: int, booking: int) -> LedgerEntry:
    """The consume row a completion's first round writes, as another desk would have."""
    return LedgerEntry(
        sale_id=sale,
        member_id=member,
        kind=LedgerKind.CONSUME,
        delta=-1,
        booking_id=booking,
        completion_round=0,
    )


def test_the_database_refuses_a_second_consume_for_the_same_round(scene: Scene) -> None:
    member, sale, bid = booked_member(scene)
    complete(scene, bid)
    with pytest.raises(IntegrityError), scene.db.write() as s:
        s.add(_first_consume(member, sale, bid))
        s.flush()


def test_a_consume_written_elsewhere_is_reported_as_already_done(scene: Scene) -> None:
    """Another desk consumed this round (its status change not seen yet): no second deduction."""
    member, sale, bid = booked_member(scene, sessions=10)
    with scene.db.write() as s:
        s.add(_first_consume(member, sale, bid))
    result = complete(scene, bid)
    assert result.already_done and result.status is BookingStatus.COMPLETED
    assert scene.balance(sale) == 9 and len(ledger(scene, bid)) == 1


def test_a_consume_collision_inside_the_insert_is_already_done(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The up-front read misses the row; the unique index catches the second insert."""
    from desk.services import ledger as ledger_service

    member, sale, bid = booked_member(scene, sessions=10)
    with scene.db.write() as s:
        s.add(_first_consume(member, sale, bid))
    real = ledger_service.ledger_row
    calls = {"n": 0}

    def blind_first(session, kind, booking, rnd):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return None if calls["n"] == 1 else real(session, kind, booking, rnd)

    monkeypatch.setattr(ledger_service, "ledger_row", blind_first)
    result = complete(scene, bid)
    assert result.already_done and scene.balance(sale) == 9 and len(ledger(scene, bid)) == 1


def test_group_noshow_records_frees_the_seat_and_does_not_deduct(scene: Scene) -> None:
    member, sale, bid = booked_member(scene, sessions=10)
    with scene.db.write() as s:
        before_start = pytest.raises(InvalidTransition, match="once the session has started")
        with before_start:
            attendance.mark_noshow(s, booking_id=bid, actor=scene.desk, now=NOW)
    with scene.db.write() as s:
        result = attendance.mark_noshow(s, booking_id=bid, actor=scene.coach, now=SOON)
    assert result.status is BookingStatus.NO_SHOW and result.consumption is None
    assert result.standing.count == 1 and not result.standing.restricted
    assert scene.balance(sale) == 10
    with scene.db.write() as s:
        again = attendance.mark_noshow(s, booking_id=bid, actor=scene.desk, now=SOON)
    assert again.already_done
    with scene.db.read() as s:
        records = s.scalars(select(NoShowRecord)).all()
        assert [(r.member_id, r.booking_id, r.reason) for r in records] == [
            (member, bid, NoShowReason.NO_SHOW)
        ]
        assert s.scalars(select(Booking.status)).one() is BookingStatus.NO_SHOW


def test_private_noshow_deducts_by_default(scene: Scene) -> None:
    member, sale = scene.member_with(scene.product(services=[scene.pt], sessions=5))
    starts = SOON.replace(minute=0)
    with scene.db.write() as s:
        appt = appointments.book_appointment(
            s,
            member_id=member,
            service_id=scene.pt,
            trainer_id=scene.mert,
            starts_at=starts,
            actor=scene.desk,
            now=NOW,
        )
    with scene.db.write() as s:
        result = attendance.mark_noshow(s, booking_id=appt.booking_id, actor=scene.desk, now=starts)
    assert result.consumption is not None and result.consumption.delta == -1
    assert result.standing.kind is ServiceKind.PRIVATE
    assert scene.balance(sale) == 4


def test_auto_noshow_marks_bookings_not_checked_in_after_n_hours(scene: Scene) -> None:
    pack = scene.product(sessions=10)
    (a, _), (b, _) = scene.member_with(pack), scene.member_with(pack)
    cs = scene.class_at(SOON)
    ba, bb = scene.book(cs, a).booking_id, scene.book(cs, b).booking_id
    complete(scene, ba)
    later = SOON + timedelta(hours=4)
    with scene.db.write() as s:
        assert attendance.auto_noshow_due(s, now=later) == []  # off by default
        settings.update_policy(s, actor=scene.owner, auto_noshow_after_hours=2)
    with scene.db.write() as s:
        assert attendance.auto_noshow_due(s, now=SOON + timedelta(hours=2)) == []
        marked = attendance.auto_noshow_due(s, now=later)
    assert [m.booking_id for m in marked] == [bb]
    with scene.db.read() as s:
        assert s.get(Booking, ba).status is BookingStatus.COMPLETED  # type: ignore[union-attr]
        record = s.scalars(select(NoShowRecord)).one()
        assert record.created_by is None


def test_expire_due_writes_off_what_is_left_once(scene: Scene) -> None:
    member, sale = scene.member_with(scene.product(sessions=10, valid_days=30))
    bid = scene.book(scene.class_at(SOON), member).booking_id
    complete(scene, bid)
    with scene.db.write() as s:
        assert attendance.expire_due(s, now=NOW + timedelta(days=29)) == []
    after = NOW + timedelta(days=31)
    with scene.db.write() as s:
        expired = attendance.expire_due(s, now=after)
    assert [(e.sale_id, e.sessions, e.expired_on) for e in expired] == [
        (sale, 9, date(2025, 3, 30))
    ]
    with scene.db.write() as s:
        assert attendance.expire_due(s, now=after + timedelta(days=1)) == []
        view = sales.entitlement(s, sale_id=sale, now=after)
    assert view.remaining == 0 and view.status is EntitlementStatus.EXPIRED
