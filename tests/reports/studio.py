"""A small hand-built studio for report tests: rows written straight through the models.

Reports only read, so the tests lay the rows down exactly as the booking engine would leave them
(statuses, ledger rows) without going through its services; every figure is then checked by hand.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from desk.domain.enums import (
    BookingStatus,
    Channel,
    LedgerKind,
    NoShowReason,
    ProductKind,
    SaleChannel,
    ServiceKind,
    SessionKind,
    SessionStatus,
    StaffRole,
    WaitlistStatus,
)
from desk.domain.timeutil import local_datetime, zone
from desk.store.db import Database
from desk.store.models import (
    Booking,
    ClassSession,
    LedgerEntry,
    Member,
    NoShowRecord,
    Room,
    Sale,
    SalePause,
    Service,
    StaffUser,
    StudioSettings,
    Trainer,
    WaitlistEntry,
)


class Studio:
    def __init__(
        self,
        db: Database,
        *,
        timezone: str = "Europe/Istanbul",
        currency: str = "TRY",
        name: str = "Test Studio",
    ) -> None:
        self.db = db
        self.tz = zone(timezone)
        self._seats: dict[int, int] = defaultdict(int)
        self._kinds: dict[int, ServiceKind] = {}
        with db.write() as s:
            s.add(StudioSettings(id=1, studio_name=name, timezone=timezone, currency=currency))

    def at(self, day: date, clock: time) -> datetime:
        return local_datetime(day, clock, self.tz)

    def _add(self, row: object) -> int:
        with self.db.write() as s:
            s.add(row)
            s.flush()
            return int(row.id)  # type: ignore[attr-defined]

    def service(
        self, name: str, *, kind: ServiceKind = ServiceKind.GROUP, capacity: int = 8
    ) -> int:
        sid = self._add(
            Service(name=name, kind=kind, duration_minutes=60, default_capacity=capacity)
        )
        self._kinds[sid] = kind
        return sid

    def trainer(self, name: str) -> int:
        return self._add(Trainer(name=name))

    def room(self, name: str) -> int:
        return self._add(Room(name=name))

    def staff(self, name: str, role: StaffRole = StaffRole.RECEPTION) -> int:
        return self._add(StaffUser(name=name, role=role, pin_hash="x"))

    def member(self, name: str, *, phone: str | None = None, joined: datetime | None = None) -> int:
        return self._add(
            Member(
                full_name=name,
                search_name=name.lower(),
                phone=phone,
                created_at=joined or datetime(2020, 1, 1, tzinfo=UTC),
            )
        )

    def session(
        self,
        service: int,
        trainer: int,
        room: int | None,
        day: date,
        clock: time,
        *,
        capacity: int = 8,
        minutes: int = 60,
        kind: SessionKind = SessionKind.CLASS,
        status: SessionStatus = SessionStatus.SCHEDULED,
    ) -> int:
        starts = self.at(day, clock)
        return self._add(
            ClassSession(
                kind=kind,
                service_id=service,
                trainer_id=trainer,
                room_id=room,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=minutes),
                capacity=capacity,
                status=status,
            )
        )

    def book(
        self, session_id: int, member_id: int, status: BookingStatus = BookingStatus.BOOKED
    ) -> int:
        self._seats[session_id] += 1
        with self.db.write() as s:
            booking = Booking(
                member_id=member_id,
                class_session_id=session_id,
                seat_no=self._seats[session_id],
                status=status,
                channel=Channel.DESK,
            )
            s.add(booking)
            s.flush()
            if status in (BookingStatus.NO_SHOW, BookingStatus.LATE_CANCELLED):
                cs = s.get(ClassSession, session_id)
                assert cs is not None
                reason = (
                    NoShowReason.NO_SHOW
                    if status is BookingStatus.NO_SHOW
                    else NoShowReason.LATE_CANCEL
                )
                s.add(
                    NoShowRecord(
                        member_id=member_id,
                        booking_id=booking.id,
                        service_kind=self._kinds.get(cs.service_id, ServiceKind.GROUP),
                        reason=reason,
                        occurred_at=cs.starts_at,
                    )
                )
            return booking.id

    def waitlist(
        self,
        session_id: int,
        member_id: int,
        status: WaitlistStatus = WaitlistStatus.WAITING,
    ) -> int:
        return self._add(
            WaitlistEntry(
                class_session_id=session_id,
                member_id=member_id,
                status=status,
                channel=Channel.DESK,
            )
        )

    def sale(
        self,
        member_id: int,
        name: str,
        *,
        sessions: int | None,
        price_minor: int,
        sold_on: date,
        valid_days: int | None = None,
        kind: ProductKind = ProductKind.PACKAGE,
        seller: int | None = None,
        channel: SaleChannel = SaleChannel.DESK,
        currency: str = "TRY",
        starts_on: date | None = None,
        voided: bool = False,
        activation_on_first_visit: bool = False,
    ) -> int:
        sold_at = self.at(sold_on, time(10, 0))
        if starts_on is None and not activation_on_first_visit:
            starts_on = sold_on
        expires_on = None
        if starts_on is not None and valid_days is not None:
            expires_on = starts_on + timedelta(days=valid_days - 1)
        with self.db.write() as s:
            sale = Sale(
                member_id=member_id,
                product_name=name,
                kind=kind,
                sessions=sessions,
                valid_days=valid_days,
                weekly_cap=None,
                price_minor=price_minor,
                currency=currency,
                seller_id=seller,
                channel=channel,
                sold_at=sold_at,
                activation_on_first_visit=activation_on_first_visit,
                starts_on=starts_on,
                expires_on=expires_on,
                voided_at=sold_at + timedelta(hours=1) if voided else None,
            )
            s.add(sale)
            s.flush()
            s.add(
                LedgerEntry(
                    sale_id=sale.id,
                    member_id=member_id,
                    kind=LedgerKind.SALE,
                    delta=sessions or 0,
                    created_at=sold_at,
                )
            )
            return sale.id

    def ledger(
        self,
        sale_id: int,
        kind: LedgerKind,
        delta: int,
        *,
        on: date,
        booking_id: int | None = None,
        completion_round: int = 0,
    ) -> int:
        with self.db.write() as s:
            sale = s.get(Sale, sale_id)
            assert sale is not None
            entry = LedgerEntry(
                sale_id=sale_id,
                member_id=sale.member_id,
                kind=kind,
                delta=delta,
                booking_id=booking_id,
                completion_round=completion_round,
                created_at=self.at(on, time(12, 0)),
                reason="test",
            )
            s.add(entry)
            s.flush()
            return entry.id

    def visit(self, sale_id: int, session_id: int, member_id: int, *, on: date) -> int:
        """A completed booking that consumed one session of `sale_id`."""
        booking = self.book(session_id, member_id, BookingStatus.COMPLETED)
        with self.db.read() as s:
            sale = s.get(Sale, sale_id)
            assert sale is not None
            delta = 0 if sale.kind is ProductKind.MEMBERSHIP else -1
        self.ledger(sale_id, LedgerKind.CONSUME, delta, on=on, booking_id=booking)
        return booking

    def pause(self, sale_id: int, starts_on: date, ends_on: date) -> int:
        return self._add(SalePause(sale_id=sale_id, starts_on=starts_on, ends_on=ends_on))
