"""One session's life, replayed in time order: bookings, cancellations, the waitlist, the class.

Requests take the lowest free seat, or join the waitlist while it is open; a cancellation
frees its seat and the first person waiting is promoted (the studio's automatic mode); the
waitlist closes at its cutoff; the studio itself sometimes cancels a class. Once the session
has run, the bookings still holding seats are checked in or marked no-show. Nothing that would
happen after "now" happens: future sessions keep their live bookings and open waitlists.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench.gen_people import Person
from bench.gen_write import Row, Rows
from desk.domain.enums import (
    BookingStatus,
    Channel,
    ServiceKind,
    SessionKind,
    SessionStatus,
    WaitlistStatus,
)

LATE_CANCEL_WINDOW = timedelta(hours=12)
WAITLIST_CUTOFF = timedelta(minutes=120)
#: Of the cancellations, the share that come inside the late-cancel window.
LATE_SHARE = 0.15
#: Waitlisted people who give up before the cutoff.
LEAVE_RATE = 0.1
#: People who, told the class is full, join its waitlist (the others book something else).
JOIN_WAITLIST = 0.5

REQUEST, CANCEL, LEAVE, STUDIO_CANCEL, CUTOFF = range(5)


@dataclass(frozen=True)
class Request:
    at: datetime
    person: Person
    channel: Channel
    drop_in: bool
    desk_staff: int | None


@dataclass(eq=False)
class SessionPlan:
    row: Row
    service_kind: ServiceKind
    requests: list[Request] = field(default_factory=list)
    #: When the studio cancels it, if it does.
    cancelled_at: datetime | None = None

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def starts_at(self) -> datetime:
        return self.row["starts_at"]  # type: ignore[no-any-return]

    @property
    def ends_at(self) -> datetime:
        return self.row["ends_at"]  # type: ignore[no-any-return]

    @property
    def is_appointment(self) -> bool:
        return self.row["kind"] is SessionKind.APPOINTMENT


@dataclass(frozen=True)
class Outcome:
    """What the ledger must see, in time order: (instant, what, booking, person)."""

    at: datetime
    what: str
    booking: Row
    person: Person


class SessionRun:
    def __init__(self, plan: SessionPlan, rows: Rows, rng: random.Random, now: datetime) -> None:
        self.plan, self.rows, self.rng, self.now = plan, rows, rng, now
        self.live: dict[int, Row] = {}  # seat -> booking
        self.who: dict[int, Person] = {}  # booking id -> person
        self.waiting: list[Row] = []
        self.waiter: dict[int, Person] = {}  # waitlist entry id -> person
        self.events: list[tuple[datetime, int, int, Any]] = []
        self.outcomes: list[Outcome] = []
        self._seq = 0

    def push(self, at: datetime, kind: int, payload: Any = None) -> None:
        self._seq += 1
        heapq.heappush(self.events, (at, self._seq, kind, payload))

    # -- the replay ---------------------------------------------------------------------------

    def run(self) -> list[Outcome]:
        plan = self.plan
        for request in plan.requests:
            self.push(request.at, REQUEST, request)
        if not plan.is_appointment:
            self.push(plan.starts_at - WAITLIST_CUTOFF, CUTOFF)
        if plan.cancelled_at is not None:
            self.push(plan.cancelled_at, STUDIO_CANCEL)
        handlers = {
            REQUEST: self._request,
            CANCEL: self._cancel,
            LEAVE: self._leave,
            STUDIO_CANCEL: self._studio_cancel,
            CUTOFF: self._cutoff,
        }
        while self.events:
            at, _, kind, payload = heapq.heappop(self.events)
            if at > self.now or at >= plan.starts_at:
                break
            handlers[kind](at, payload)
            if plan.row["status"] is SessionStatus.CANCELLED:
                return self.outcomes
        if plan.starts_at <= self.now:
            self._class_runs()
        return self.outcomes

    def _request(self, at: datetime, request: Request) -> None:
        if len(self.live) < self.plan.row["capacity"]:
            self._book(at, request.person, request.channel, request.drop_in, request.desk_staff)
        elif at < self.plan.starts_at - WAITLIST_CUTOFF and self.rng.random() < JOIN_WAITLIST:
            entry = self.rows.add("waitlist_entries", self._entry(at, request))
            self.waiting.append(entry)
            self.waiter[entry["id"]] = request.person
            if self.rng.random() < LEAVE_RATE:
                self.push(self._between(at, self.plan.starts_at - WAITLIST_CUTOFF), LEAVE, entry)

    def _entry(self, at: datetime, request: Request) -> Row:
        return {
            "id": self.rows.next_id("waitlist_entries"),
            "class_session_id": self.plan.id,
            "member_id": request.person.id,
            "status": WaitlistStatus.WAITING,
            "channel": request.channel,
            "created_by": request.desk_staff,
            "offered_at": None,
            "offer_expires_at": None,
            "resolved_at": None,
            "booking_id": None,
            "notified_at": None,
            "created_at": at,
        }

    def _between(self, low: datetime, high: datetime) -> datetime:
        return low + (high - low) * self.rng.random()

    def _book(
        self, at: datetime, person: Person, channel: Channel, drop_in: bool, staff: int | None
    ) -> Row:
        seat = next(n for n in range(1, self.plan.row["capacity"] + 1) if n not in self.live)
        booking = self.rows.add(
            "bookings",
            {
                "id": self.rows.next_id("bookings"),
                "member_id": person.id,
                "class_session_id": self.plan.id,
                "seat_no": seat,
                "status": BookingStatus.BOOKED,
                "channel": channel,
                "is_drop_in": drop_in,
                "created_by": staff,
                "status_changed_at": at,
                "completion_round": 0,
                "rescheduled_from_id": None,
                "created_at": at,
            },
        )
        self.live[seat] = booking
        self.who[booking["id"]] = person
        # Plans made the evening before change less often than plans made a week ahead.
        late_booking = at > self.plan.starts_at - LATE_CANCEL_WINDOW
        if self.rng.random() < person.cancel_rate * (0.35 if late_booking else 1.0):
            self.push(self._cancel_time(at), CANCEL, booking)
        return booking

    def _cancel_time(self, booked_at: datetime) -> datetime:
        start = self.plan.starts_at
        late_from = max(booked_at, start - LATE_CANCEL_WINDOW)
        if late_from > booked_at and self.rng.random() >= LATE_SHARE:
            return self._between(booked_at, late_from)
        return self._between(late_from, start - timedelta(minutes=10))

    def _cancel(self, at: datetime, booking: Row) -> None:
        if booking["status"] is not BookingStatus.BOOKED:
            return
        late = at > self.plan.starts_at - LATE_CANCEL_WINDOW
        booking["status"] = BookingStatus.LATE_CANCELLED if late else BookingStatus.CANCELLED
        booking["status_changed_at"] = at
        del self.live[booking["seat_no"]]
        if self.plan.is_appointment:
            # The appointment existed for this booking only: the trainer's time is free again.
            self.plan.row["status"] = SessionStatus.CANCELLED
            if late and not booking["is_drop_in"]:
                self.outcomes.append(Outcome(at, "late_cancel", booking, self.who[booking["id"]]))
            return
        self._promote(at)

    def _promote(self, at: datetime) -> None:
        if not self.waiting or at >= self.plan.starts_at - WAITLIST_CUTOFF:
            return
        entry = self.waiting.pop(0)
        person = self.waiter[entry["id"]]
        booking = self._book(at, person, entry["channel"], False, None)
        entry.update(status=WaitlistStatus.PROMOTED, resolved_at=at, booking_id=booking["id"])
        entry["notified_at"] = at + timedelta(seconds=self.rng.uniform(5, 90))

    def _leave(self, at: datetime, entry: Row) -> None:
        if entry["status"] is WaitlistStatus.WAITING:
            entry.update(status=WaitlistStatus.LEFT, resolved_at=at)
            self.waiting.remove(entry)

    def _cutoff(self, at: datetime, _payload: object) -> None:
        for entry in self.waiting:
            entry.update(status=WaitlistStatus.CLOSED, resolved_at=at)
        self.waiting.clear()

    def _studio_cancel(self, at: datetime, _payload: object) -> None:
        for booking in self.live.values():
            booking.update(status=BookingStatus.CANCELLED, status_changed_at=at)
            self.outcomes.append(Outcome(at, "studio_cancel", booking, self.who[booking["id"]]))
        self.live.clear()
        self._cutoff(at, None)
        self.plan.row["status"] = SessionStatus.CANCELLED

    # -- the session itself -------------------------------------------------------------------

    def _class_runs(self) -> None:
        start, end = self.plan.starts_at, self.plan.ends_at
        for seat in sorted(self.live):
            booking = self.live[seat]
            person = self.who[booking["id"]]
            if self.rng.random() < person.noshow_rate:
                marked = end + timedelta(minutes=self.rng.uniform(5, 60))
                if marked <= self.now:
                    booking.update(status=BookingStatus.NO_SHOW, status_changed_at=marked)
                    self.outcomes.append(Outcome(marked, "no_show", booking, person))
                continue
            checked_in = start - timedelta(minutes=self.rng.uniform(1, 25))
            booking.update(status=BookingStatus.COMPLETED, status_changed_at=checked_in)
            self.outcomes.append(Outcome(checked_in, "check_in", booking, person))
