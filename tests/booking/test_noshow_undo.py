"""Undoing a no-show marked by mistake: record, restriction, seat, ledger (once), refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from desk.domain.enums import BookingStatus, Channel, LedgerKind, ProductKind, ServiceKind
from desk.domain.errors import AlreadyBooked, InvalidTransition, NotAllowed, NotFound
from desk.services import appointments, attendance, noshows, sales, settings
from desk.services.actor import Actor
from desk.services.noshow_undo import NoShowUndone, undo_noshow
from desk.store.models import AuditEntry, Booking, NoShowRecord

from .conftest import NOW, Scene
from .test_attendance import ledger

SOON = NOW + timedelta(days=2)
#: Twenty minutes into the class: late enough to mark a no-show.
DURING = SOON + timedelta(minutes=20)


def no_show(scene: Scene, booking_id: int, now=DURING) -> attendance.NoShowResult:
    with scene.db.write() as s:
        return attendance.mark_noshow(s, booking_id=booking_id, actor=scene.desk, now=now)


def undo(scene: Scene, booking_id: int, *, now=DURING, **kw) -> NoShowUndone:
    kw.setdefault("actor", scene.desk)
    with scene.db.write() as s:
        return undo_noshow(s, booking_id=booking_id, now=now, **kw)


def booking_row(scene: Scene, booking_id: int) -> tuple[BookingStatus, int, int, bool]:
    with scene.db.read() as s:
        b = s.get(Booking, booking_id)
        assert b is not None
        return b.status, b.seat_no, b.completion_round, b.is_drop_in


def set_policy(scene: Scene, **changes) -> None:
    with scene.db.write() as s:
        settings.update_policy(s, actor=scene.owner, **changes)


def pt_booking(scene: Scene, member: int, starts) -> int:
    with scene.db.write() as s:
        return appointments.book_appointment(
            s,
            member_id=member,
            service_id=scene.pt,
            trainer_id=scene.mert,
            starts_at=starts,
            actor=scene.desk,
            now=NOW,
        ).booking_id


def test_undo_takes_the_noshow_off_the_record_and_lifts_the_restriction(scene: Scene) -> None:
    member, _ = scene.member_with(scene.product(sessions=10))
    bookings = []
    for day in range(3):
        cs = scene.class_at(SOON + timedelta(days=day))
        bookings.append(scene.book(cs, member).booking_id)
    for day, bid in enumerate(bookings):
        result = no_show(scene, bid, now=DURING + timedelta(days=day))
    assert result.standing.restricted and result.standing.count == 3
    later = DURING + timedelta(days=2, minutes=5)
    undone = undo(scene, bookings[1], now=later)
    assert undone.status is BookingStatus.BOOKED and not undone.moved_seat
    assert (undone.standing.count, undone.standing.restricted) == (2, False)
    assert undone.given_back is None  # a group no-show costs nothing by default
    assert undone.check_in is None
    with scene.db.read() as s:
        assert [e.booking_id for e in noshows.history(s, member_id=member)] == [
            bookings[2],
            bookings[0],
        ]
        group = noshows.standing(s, member_id=member, kind=ServiceKind.GROUP, now=later)
        audit = s.execute(
            select(AuditEntry.entity_id, AuditEntry.staff_user_id).where(
                AuditEntry.action == "booking.undo_noshow"
            )
        ).one()
    assert (group.count, group.restricted) == (2, False)
    assert tuple(audit) == (bookings[1], scene.desk.staff_user_id)
    assert booking_row(scene, bookings[1]) == (BookingStatus.BOOKED, 1, 0, False)
    assert ledger(scene, bookings[1]) == []


def test_a_deducted_noshow_is_given_back_once_and_check_in_charges_once(scene: Scene) -> None:
    member, sale = scene.member_with(scene.product(services=[scene.pt], sessions=5))
    starts = SOON.replace(minute=0)
    bid = pt_booking(scene, member, starts)
    no_show(scene, bid, now=starts + timedelta(minutes=15))
    assert scene.balance(sale) == 4
    undone = undo(scene, bid, now=starts + timedelta(minutes=20))
    assert undone.given_back is not None
    assert (undone.given_back.sale_id, undone.given_back.delta) == (sale, 1)
    assert undone.given_back.remaining == 5
    assert scene.balance(sale) == 5
    counts = scene.counts()
    with pytest.raises(InvalidTransition, match="not a no-show"):
        undo(scene, bid, now=starts + timedelta(minutes=21))
    assert scene.counts() == counts
    assert scene.balance(sale) == 5
    with scene.db.write() as s:
        attendance.complete(s, booking_id=bid, actor=scene.desk, now=starts + timedelta(minutes=22))
    assert scene.balance(sale) == 4
    assert ledger(scene, bid) == [
        (LedgerKind.CONSUME, -1, 0),
        (LedgerKind.RESTORE, 1, 0),
        (LedgerKind.CONSUME, -1, 1),
    ]
    with scene.db.read() as s:
        private = noshows.standing(s, member_id=member, kind=ServiceKind.PRIVATE, now=starts)
    assert private.count == 0


def test_undo_and_check_in_together(scene: Scene) -> None:
    member, sale = scene.member_with(scene.product(services=[scene.pt], sessions=5))
    starts = SOON.replace(minute=0)
    bid = pt_booking(scene, member, starts)
    no_show(scene, bid, now=starts + timedelta(minutes=15))
    undone = undo(scene, bid, now=starts + timedelta(hours=3), check_in=True)
    assert undone.status is BookingStatus.COMPLETED
    assert undone.check_in is not None and undone.check_in.consumption is not None
    assert undone.check_in.consumption.remaining == 4
    assert scene.balance(sale) == 4
    assert booking_row(scene, bid)[:3] == (BookingStatus.COMPLETED, 1, 1)
    with pytest.raises(InvalidTransition, match="completed, not a no-show"):
        undo(scene, bid, now=starts + timedelta(hours=3))
    # Reverting that check-in afterwards gives back its own round, once.
    with scene.db.write() as s:
        attendance.revert_completion(s, booking_id=bid, actor=scene.desk, now=starts)
    assert scene.balance(sale) == 5
    assert [kind for kind, _d, _r in ledger(scene, bid)] == [
        LedgerKind.CONSUME,
        LedgerKind.RESTORE,
        LedgerKind.CONSUME,
        LedgerKind.RESTORE,
    ]


def test_a_noshow_again_after_an_undo_is_undone_in_its_own_round(scene: Scene) -> None:
    member, sale = scene.member_with(scene.product(services=[scene.pt], sessions=5))
    starts = SOON.replace(minute=0)
    bid = pt_booking(scene, member, starts)
    for minute in (10, 30):
        no_show(scene, bid, now=starts + timedelta(minutes=minute))
        undo(scene, bid, now=starts + timedelta(minutes=minute + 5))
    assert scene.balance(sale) == 5
    assert ledger(scene, bid) == [
        (LedgerKind.CONSUME, -1, 0),
        (LedgerKind.RESTORE, 1, 0),
        (LedgerKind.CONSUME, -1, 1),
        (LedgerKind.RESTORE, 1, 1),
    ]


def test_a_membership_visit_is_given_back_as_a_zero_row(scene: Scene) -> None:
    set_policy(scene, group_noshow_deducts=True)
    member, sale = scene.member_with(scene.product(kind=ProductKind.MEMBERSHIP, valid_days=30))
    bid = scene.book(scene.class_at(SOON), member).booking_id
    no_show(scene, bid)
    undone = undo(scene, bid)
    assert undone.given_back is not None and undone.given_back.sale_id == sale
    assert ledger(scene, bid) == [(LedgerKind.CONSUME, 0, 0), (LedgerKind.RESTORE, 0, 0)]


def test_a_booking_the_noshow_left_unpaid_is_paid_again_at_check_in(scene: Scene) -> None:
    set_policy(scene, group_noshow_deducts=True)
    member, sale = scene.member_with(scene.product(sessions=1))
    bid = scene.book(scene.class_at(SOON), member).booking_id
    with scene.db.write() as s:
        sales.adjust(s, sale_id=sale, delta=-1, reason="test: used up", actor=scene.owner, now=NOW)
    result = no_show(scene, bid)
    assert result.consumption is not None and result.consumption.unpaid
    assert booking_row(scene, bid)[3] is True
    undo(scene, bid)
    assert booking_row(scene, bid)[3] is False
    with scene.db.write() as s:
        sales.adjust(s, sale_id=sale, delta=1, reason="test: one back", actor=scene.owner, now=NOW)
        paid = attendance.complete(s, booking_id=bid, actor=scene.desk, now=DURING)
    assert paid.consumption is not None and paid.consumption.sale_id == sale


def test_a_real_drop_in_stays_a_drop_in(scene: Scene) -> None:
    member = scene.member()
    bid = scene.book(scene.class_at(SOON), member, drop_in=True).booking_id
    no_show(scene, bid)
    undo(scene, bid)
    assert booking_row(scene, bid) == (BookingStatus.BOOKED, 1, 0, True)


def put_in_seat(scene: Scene, cs: int, seat_no: int) -> None:
    """A live booking written straight in (bookings close at the start, the seat may not)."""
    member = scene.member()
    with scene.db.write() as s:
        s.add(Booking(member_id=member, class_session_id=cs, seat_no=seat_no, channel=Channel.DESK))


def test_a_taken_seat_moves_the_member_and_a_full_class_refuses(scene: Scene) -> None:
    cs = scene.class_at(SOON, capacity=3)
    member, _ = scene.member_with(scene.product(sessions=10))
    bid = scene.book(cs, member).booking_id
    no_show(scene, bid)
    put_in_seat(scene, cs, 1)
    put_in_seat(scene, cs, 2)
    put_in_seat(scene, cs, 3)
    counts = scene.counts()
    with pytest.raises(InvalidTransition, match="full now"):
        undo(scene, bid)
    assert scene.counts() == counts
    with scene.db.write() as s:
        taken = s.scalars(select(Booking).where(Booking.seat_no == 2)).one()
        taken.status = BookingStatus.CANCELLED
    undone = undo(scene, bid)
    assert (undone.seat_no, undone.previous_seat_no, undone.moved_seat) == (2, 1, True)


def test_refusals_write_nothing(scene: Scene) -> None:
    member, _ = scene.member_with(scene.product(sessions=10))
    cs = scene.class_at(SOON)
    bid = scene.book(cs, member).booking_id
    counts = scene.counts()
    with pytest.raises(InvalidTransition, match="booked, not a no-show"):
        undo(scene, bid)
    with pytest.raises(NotFound):
        undo(scene, 999_999)
    no_show(scene, bid)
    counts = scene.counts()
    for actor in (scene.coach, Actor.whatsapp("905551112233")):
        with pytest.raises(NotAllowed):
            undo(scene, bid, actor=actor)
    with scene.db.write() as s:  # the member was booked into the class again meanwhile
        s.add(Booking(member_id=member, class_session_id=cs, seat_no=2, channel=Channel.DESK))
    with pytest.raises(AlreadyBooked):
        undo(scene, bid)
    assert scene.counts()["noshow_records"] == counts["noshow_records"] == 1
    assert scene.counts()["ledger_entries"] == counts["ledger_entries"]


def test_a_cancelled_class_refuses(scene: Scene) -> None:
    from desk.domain.enums import SessionStatus
    from desk.store.models import ClassSession

    member, _ = scene.member_with(scene.product(sessions=10))
    cs = scene.class_at(SOON)
    bid = scene.book(cs, member).booking_id
    no_show(scene, bid)
    with scene.db.write() as s:
        row = s.get(ClassSession, cs)
        assert row is not None
        row.status = SessionStatus.CANCELLED
    with pytest.raises(InvalidTransition, match="cancelled"):
        undo(scene, bid)


def test_after_the_automatic_noshow_delay_only_undo_with_check_in(scene: Scene) -> None:
    set_policy(scene, auto_noshow_after_hours=2)
    member, _ = scene.member_with(scene.product(sessions=10))
    bid = scene.book(scene.class_at(SOON), member).booking_id
    no_show(scene, bid)
    late = SOON + timedelta(hours=4)
    with pytest.raises(InvalidTransition, match="check the member in instead"):
        undo(scene, bid, now=late)
    with scene.db.read() as s:
        assert s.scalars(select(NoShowRecord.booking_id)).all() == [bid]
    undone = undo(scene, bid, now=late, check_in=True)
    assert undone.status is BookingStatus.COMPLETED
    with scene.db.write() as s:
        assert attendance.auto_noshow_due(s, now=late) == []
