"""Worker bodies for the race tests. Top-level functions, so `spawn` processes can import them.

Each worker opens its own `Database` on the shared file (as a second desk PC would), waits for
the start signal so all of them hit the database together, runs its plan one transaction per
step, and reports what every step ended as. Anything other than the expected outcomes is
reported as an error with its type and message, and fails the test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from desk.domain.enums import Channel, StaffRole
from desk.domain.errors import ClassFull, InvalidTransition, ScheduleConflict
from desk.services import appointments, attendance, booking
from desk.services.actor import Actor
from desk.store.db import Database


class Signal(Protocol):
    def wait(self, timeout: float | None = ...) -> bool: ...


class Outbox(Protocol):
    def put(self, obj: Any) -> None: ...


def _run_plan(
    path: str,
    steps: list[Any],
    start: Signal,
    results: Outbox,
    step: Callable[[Database, Any], str],
) -> None:
    db = Database.open_file(path)
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    try:
        start.wait(60)
        for item in steps:
            try:
                outcomes[step(db, item)] += 1
            except Exception as exc:  # anything unexpected is the finding
                outcomes["error"] += 1
                if len(errors) < 5:
                    errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        db.dispose()
        results.put({"outcomes": dict(outcomes), "errors": errors})


def claim_seats(
    path: str,
    staff_id: int,
    now: datetime,
    plan: list[tuple[int, int, str]],
    start: Signal,
    results: Outbox,
) -> None:
    """plan: (class session, member, channel) — book the lowest free seat or hear "full"."""
    desk = Actor.staff(staff_id, StaffRole.RECEPTION)

    def step(db: Database, item: tuple[int, int, str]) -> str:
        class_id, member_id, channel = item
        actor = desk if channel == "desk" else Actor.whatsapp(f"90{member_id}")
        try:
            db.run(
                lambda s: booking.book(
                    s,
                    class_session_id=class_id,
                    member_id=member_id,
                    actor=actor,
                    channel=Channel(channel),
                    now=now,
                )
            )
        except ClassFull:
            return "full"
        return "booked"

    _run_plan(path, plan, start, results, step)


def flip_completions(
    path: str,
    staff_id: int,
    now: datetime,
    plan: list[tuple[int, str]],
    start: Signal,
    results: Outbox,
) -> None:
    """plan: (booking, "complete" | "revert") — a second desk clicking the same rows."""
    desk = Actor.staff(staff_id, StaffRole.RECEPTION)

    def step(db: Database, item: tuple[int, str]) -> str:
        booking_id, op = item
        try:
            if op == "complete":
                done = db.run(
                    lambda s: attendance.complete(s, booking_id=booking_id, actor=desk, now=now)
                )
            else:
                done = db.run(
                    lambda s: attendance.revert_completion(
                        s, booking_id=booking_id, actor=desk, now=now
                    )
                )
        except InvalidTransition:
            return f"{op}:refused"
        return f"{op}:{'already' if done.already_done else 'done'}"

    _run_plan(path, plan, start, results, step)


def claim_slots(
    path: str,
    staff_id: int,
    service_id: int,
    now: datetime,
    plan: list[tuple[int, int, int, str]],
    start: Signal,
    results: Outbox,
) -> None:
    """plan: (member, trainer, room, ISO start) — book a PT appointment or hear "busy"."""
    desk = Actor.staff(staff_id, StaffRole.RECEPTION)

    def step(db: Database, item: tuple[int, int, int, str]) -> str:
        member_id, trainer_id, room_id, at = item
        try:
            db.run(
                lambda s: appointments.book_appointment(
                    s,
                    member_id=member_id,
                    service_id=service_id,
                    trainer_id=trainer_id,
                    room_id=room_id,
                    starts_at=datetime.fromisoformat(at),
                    actor=desk,
                    now=now,
                )
            )
        except ScheduleConflict:
            return "busy"
        return "booked"

    _run_plan(path, plan, start, results, step)
