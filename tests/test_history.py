"""Roster, booking history and ledger history read what the booking engine wrote."""

from __future__ import annotations

from datetime import timedelta

import factories

from desk.domain.enums import BookingStatus, LedgerKind, StaffRole
from desk.services import attendance, booking, cancellation, history
from desk.store.db import Database


def test_roster_bookings_and_ledger_tell_the_same_story(db: Database) -> None:
    sold_at = factories.local(2026, 11, 2, 9)
    class_at = factories.local(2026, 11, 3, 18)
    with db.write() as s:
        desk = factories.staff_actor(s, role=StaffRole.RECEPTION)
        ayse = factories.member(s, name="Ayşe Kaya")
        can = factories.member(s, name="Can Demir")
        reformer = factories.service(s, name="Reformer", capacity=8)
        monday = factories.class_session(s, service=reformer, starts_at=class_at)
        pack = factories.product(s, sessions=10, services=[reformer], name="Reformer 10")
        for person in (ayse, can):
            factories.sell(s, member=person, product=pack, actor=desk, now=sold_at)
        first = booking.book(
            s, class_session_id=monday.id, member_id=ayse.id, actor=desk, now=sold_at
        )
        second = booking.book(
            s, class_session_id=monday.id, member_id=can.id, actor=desk, now=sold_at
        )
        cancellation.cancel(s, booking_id=second.booking_id, actor=desk, now=sold_at)
        after = class_at + timedelta(minutes=55)
        attendance.complete(s, booking_id=first.booking_id, actor=desk, now=after)

    with db.read() as s:
        seats = history.roster(s, class_session_id=monday.id)
        ayse_bookings = history.member_bookings(s, member_id=ayse.id)
        ledger = history.ledger_history(s, member_id=ayse.id)

    # The live booking comes first; the cancelled one is still listed, after it.
    assert [(x.member_name, x.status) for x in seats] == [
        ("Ayşe Kaya", BookingStatus.COMPLETED),
        ("Can Demir", BookingStatus.CANCELLED),
    ]
    assert [(b.service_name, b.status, b.starts_at) for b in ayse_bookings] == [
        ("Reformer", BookingStatus.COMPLETED, class_at)
    ]
    # Newest first: the consumption, then the sale; and the sum is the balance (10 - 1).
    assert [(line.kind, line.delta, line.product_name) for line in ledger] == [
        (LedgerKind.CONSUME, -1, "Reformer 10"),
        (LedgerKind.SALE, 10, "Reformer 10"),
    ]
    assert ledger[0].booking_id == first.booking_id
    assert sum(line.delta for line in ledger) == 9
