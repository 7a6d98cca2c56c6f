"""The demo studio's attendance: who came to which class, who missed, who is booked next.

Written straight through the models (see the note in `desk.services.demo`), applying the booking
rules by hand: the lowest free seat; a completed visit consumes once from the entitlement
`desk.domain.entitlements.choose` picks; group no-shows are recorded but not deducted, PT
no-shows are deducted; cancelled and no-show bookings free their seat; a full upcoming class
gets a short waitlist.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.entitlements import Draw, Holding, choose
from desk.domain.enums import (
    BookingStatus,
    Channel,
    LedgerKind,
    NoShowReason,
    ServiceKind,
    SessionKind,
    WaitlistStatus,
)
from desk.domain.errors import NoEntitlement
from desk.domain.timeutil import day_bounds, local_date, week_start
from desk.services.actor import Actor
from desk.services.settings import get_policy
from desk.services.slots import free_slots
from desk.store.models import (
    Booking,
    ClassSession,
    LedgerEntry,
    NoShowRecord,
    Sale,
    Service,
    Trainer,
    WaitlistEntry,
)

#: Beyond a week ahead only some members have booked yet.
BOOKED_AHEAD = timedelta(days=7)
_PAST_OUTCOMES = (
    (BookingStatus.COMPLETED, 88),
    (BookingStatus.NO_SHOW, 5),
    (BookingStatus.CANCELLED, 4),
    (BookingStatus.LATE_CANCELLED, 3),
)
_FREES_SEAT = (BookingStatus.NO_SHOW, BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED)


@dataclass
class _Visit:
    booking: Booking
    paid_by: Holding | None
    kind: ServiceKind


class Attendance:
    def __init__(
        self,
        session: Session,
        rng: random.Random,
        reception: Actor,
        holdings: dict[int, dict[int, Holding]],
        now: datetime,
        renew: Callable[[int, datetime], Holding | None],
    ) -> None:
        self.session = session
        self.rng = rng
        self.reception = reception
        self.holdings = holdings
        self.now = now
        self.renew = renew
        self.tz = get_policy(session).tz
        self.today = local_date(now, self.tz)
        self.bookings = 0
        self.no_shows = 0
        self.waitlisted = 0
        self._consumed_packages: list[int] = []

    # --- paying ---------------------------------------------------------------------------

    def _can_pay(self, member_id: int, cs: ClassSession) -> bool:
        """True if something pays; a member whose package ran out may renew first."""
        draw = Draw(cs.service_id, local_date(cs.starts_at, self.tz))
        try:
            choose(self.holdings[member_id].values(), draw)
        except NoEntitlement as exc:
            if exc.reason_code not in ("used_up", "expired"):
                return False
            renewed = self.renew(member_id, cs.starts_at)
            if renewed is None:
                return False
            self.holdings[member_id][renewed.terms.sale_id] = renewed
        return True

    def _pay(self, member_id: int, cs: ClassSession) -> Holding | None:
        """The entitlement that pays (spent in memory), or None when the member has none."""
        draw = Draw(cs.service_id, local_date(cs.starts_at, self.tz))
        try:
            chosen = choose(self.holdings[member_id].values(), draw)
        except NoEntitlement:
            return None
        if chosen.terms.is_membership:
            visits = Counter(chosen.week_visits)
            visits[week_start(draw.on)] += 1
            spent = replace(chosen, week_visits=visits)
        else:
            spent = replace(chosen, remaining=(chosen.remaining or 0) - 1)
        self.holdings[member_id][chosen.terms.sale_id] = spent
        return chosen

    def _outcome(self, cs: ClassSession, kind: ServiceKind) -> BookingStatus:
        if cs.starts_at > self.now:
            return BookingStatus.CANCELLED if self.rng.random() < 0.05 else BookingStatus.BOOKED
        if kind is ServiceKind.PRIVATE:
            return BookingStatus.NO_SHOW if self.rng.random() < 0.1 else BookingStatus.COMPLETED
        statuses = [s for s, _ in _PAST_OUTCOMES]
        return self.rng.choices(statuses, weights=[w for _, w in _PAST_OUTCOMES])[0]

    # --- booking one session ----------------------------------------------------------------

    def _booking(
        self, cs: ClassSession, member_id: int, seat: int, status: BookingStatus
    ) -> Booking:
        booked_at = min(cs.starts_at - timedelta(hours=self.rng.randrange(2, 96)), self.now)
        whatsapp = self.rng.random() < 0.4
        changed = None
        if status in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
            changed = cs.ends_at
        elif status is not BookingStatus.BOOKED:
            changed = min(booked_at + timedelta(hours=1), self.now)
        return Booking(
            member_id=member_id,
            class_session_id=cs.id,
            seat_no=seat,
            status=status,
            channel=Channel.WHATSAPP if whatsapp else Channel.DESK,
            created_by=None if whatsapp else self.reception.staff_user_id,
            created_at=booked_at,
            status_changed_at=changed,
        )

    def _fill(self, cs: ClassSession, kind: ServiceKind, member_ids: list[int]) -> None:
        holders = self.session.execute(
            select(Booking.seat_no, Booking.member_id).where(
                Booking.class_session_id == cs.id,
                Booking.status.in_((BookingStatus.BOOKED, BookingStatus.COMPLETED)),
            )
        ).all()
        taken = {seat for seat, _ in holders}
        seats = [n for n in range(1, cs.capacity + 1) if n not in taken]
        member_ids = [m for m in member_ids if m not in {member for _, member in holders}]
        visits: list[_Visit] = []
        waiting: list[int] = []
        for member_id in member_ids:
            if not seats:
                if cs.starts_at > self.now and len(waiting) < 3:
                    waiting.append(member_id)
                continue
            can_pay = self._can_pay(member_id, cs)
            if not can_pay and self.rng.random() > 0.15:
                continue  # nothing to pay with and not a drop-in: they did not book
            status = self._outcome(cs, kind)
            paid_by = None
            if can_pay and (
                status in (BookingStatus.BOOKED, BookingStatus.COMPLETED)
                or (status is BookingStatus.NO_SHOW and kind is ServiceKind.PRIVATE)
            ):
                paid_by = self._pay(member_id, cs)
            seat = heapq.heappop(seats)
            booking = self._booking(cs, member_id, seat, status)
            booking.is_drop_in = not can_pay
            if status in _FREES_SEAT:
                heapq.heappush(seats, seat)
            visits.append(_Visit(booking, paid_by, kind))
        self.session.add_all(v.booking for v in visits)
        self.session.flush()
        for visit in visits:
            self._record(cs, visit)
        for member_id in waiting:
            self._wait(cs, member_id)

    def _record(self, cs: ClassSession, visit: _Visit) -> None:
        booking = visit.booking
        self.bookings += 1
        deducts = booking.status is BookingStatus.COMPLETED or (
            booking.status is BookingStatus.NO_SHOW and visit.kind is ServiceKind.PRIVATE
        )
        if deducts and visit.paid_by is not None:
            sale_id = visit.paid_by.terms.sale_id
            package = not visit.paid_by.terms.is_membership
            if package:
                self._consumed_packages.append(sale_id)
            self.session.add(
                LedgerEntry(
                    sale_id=sale_id,
                    member_id=booking.member_id,
                    kind=LedgerKind.CONSUME,
                    delta=-1 if package else 0,
                    booking_id=booking.id,
                    completion_round=0,
                    reason="attended" if booking.status is BookingStatus.COMPLETED else "no-show",
                    created_by=self.reception.staff_user_id,
                    created_at=cs.ends_at,
                )
            )
        if booking.status is BookingStatus.NO_SHOW:
            self.no_shows += 1
            self.session.add(
                NoShowRecord(
                    member_id=booking.member_id,
                    booking_id=booking.id,
                    service_kind=visit.kind,
                    reason=NoShowReason.NO_SHOW,
                    occurred_at=cs.starts_at,
                    created_by=self.reception.staff_user_id,
                    created_at=cs.ends_at,
                )
            )

    def _wait(self, cs: ClassSession, member_id: int) -> None:
        self.waitlisted += 1
        self.session.add(
            WaitlistEntry(
                class_session_id=cs.id,
                member_id=member_id,
                status=WaitlistStatus.WAITING,
                channel=Channel.WHATSAPP,
                created_at=min(cs.starts_at - timedelta(hours=6), self.now),
            )
        )

    # --- group classes ----------------------------------------------------------------------

    def group_classes(self, habits: dict[int, tuple[str, ...]]) -> None:
        """Each member comes one to three times a week to classes they like."""
        rows = self.session.execute(
            select(ClassSession, Service.name)
            .join(Service, Service.id == ClassSession.service_id)
            .where(ClassSession.kind == SessionKind.CLASS)
            .order_by(ClassSession.starts_at, ClassSession.id)
        ).all()
        weeks: dict[date, list[tuple[ClassSession, str]]] = defaultdict(list)
        for cs, name in rows:
            weeks[week_start(local_date(cs.starts_at, self.tz))].append((cs, name))
        wanted: dict[int, list[int]] = defaultdict(list)
        for week in weeks.values():
            for member_id, habit in habits.items():
                liked = [cs for cs, name in week if name in habit]
                visits = min(len(liked), self.rng.choice((2, 2, 3, 3, 4)))
                for cs in self._favourites(liked, visits):
                    if cs.starts_at - self.now < BOOKED_AHEAD or self.rng.random() < 0.3:
                        wanted[cs.id].append(member_id)
        for cs, _ in rows:
            if wanted[cs.id]:
                self._fill(cs, ServiceKind.GROUP, wanted[cs.id])
        self._sell_out(rows, habits)

    def _sell_out(
        self, rows: Sequence[tuple[ClassSession, str]], habits: dict[int, tuple[str, ...]]
    ) -> None:
        """The next Reformer class after today is the popular one: full, with a waitlist."""
        upcoming = [
            cs
            for cs, name in rows
            if name == "Reformer Pilates" and local_date(cs.starts_at, self.tz) > self.today
        ]
        if not upcoming:
            return
        fans = [m for m, habit in sorted(habits.items()) if "Reformer Pilates" in habit]
        self._fill(upcoming[0], ServiceKind.GROUP, self.rng.sample(fans, len(fans)))

    def _favourites(self, sessions: list[ClassSession], count: int) -> list[ClassSession]:
        """`count` sessions, early-morning and after-work classes three times likelier."""

        def weight(cs: ClassSession) -> float:
            hour = cs.starts_at.astimezone(self.tz).hour
            return 3.0 if hour in (7, 8, 18, 19) else 1.0

        # Weighted sampling without replacement: the largest u ** (1 / weight) win.
        keyed = sorted(sessions, key=lambda cs: self.rng.random() ** (1 / weight(cs)))
        return keyed[-count:] if count else []

    # --- private sessions -------------------------------------------------------------------

    def private_sessions(self, habits: dict[int, tuple[str, ...]], service_id: int) -> None:
        """PT clients train about once a week, in a free slot of one trainer."""
        coaches = list(self.session.scalars(select(Trainer.id).order_by(Trainer.id)))
        clients = [m for m, habit in sorted(habits.items()) if "PT 1:1" in habit]
        today = self.today
        first = week_start(today) - timedelta(weeks=4)
        for index, member_id in enumerate(clients):
            coach = coaches[index % len(coaches)]
            for week in range(6):
                day = first + timedelta(weeks=week, days=self.rng.randrange(6))
                not_before = self.now if day >= today else day_bounds(day, self.tz)[0]
                found = free_slots(
                    self.session,
                    trainer_id=coach,
                    service_id=service_id,
                    first_day=day,
                    last_day=day,
                    step_minutes=60,
                    now=not_before,
                )
                if found:
                    slot = self.rng.choice(found)
                    cs = ClassSession(
                        kind=SessionKind.APPOINTMENT,
                        service_id=service_id,
                        trainer_id=coach,
                        starts_at=slot.starts_at,
                        ends_at=slot.ends_at,
                        capacity=1,
                        created_at=min(slot.starts_at - timedelta(days=2), self.now),
                    )
                    self.session.add(cs)
                    self.session.flush()
                    self._fill(cs, ServiceKind.PRIVATE, [member_id])

    # --- for the summary --------------------------------------------------------------------

    def goodwill_sale(self) -> int:
        """A package someone has used: the demo gives it one session back."""
        return self._consumed_packages[0]

    def session_count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(ClassSession)) or 0

    def sale_count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Sale)) or 0
