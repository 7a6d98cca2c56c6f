"""Races on a real database file: OS processes (spawned, each with its own Database) and threads.

(a) the last seat: many processes book the same classes at once; no class ever holds more than
    its capacity, every attempt ends "booked" or "full", nothing else escapes;
(b) two desks completing and reverting the same bookings: one consume and one restore per
    round, never more, and the balances equal the ledger;
(c) two desks placing PT appointments: a trainer or a room is never double-booked.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import random
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import factories as f
import pytest
from sqlalchemy import func, select

from desk.domain.enums import (
    SEAT_HOLDING_STATUSES,
    BookingStatus,
    Channel,
    LedgerKind,
    ProductKind,
    ServiceKind,
    SessionStatus,
    StaffRole,
)
from desk.services import sales
from desk.store.db import Database
from desk.store.models import Booking, ClassSession, LedgerEntry

from . import race_workers

pytestmark = pytest.mark.concurrency

NOW = f.local(2025, 3, 1, 9)
PROCESSES = 4


def _run_processes(target: Any, common: tuple[Any, ...], plans: list[list[Any]]) -> list[dict]:
    """Start one spawned process per plan, release them together, collect their reports."""
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    results = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*common, plan, start, results)) for plan in plans]
    for proc in procs:
        proc.start()
    time.sleep(0.5)  # let them import and open their databases
    start.set()
    reports = [results.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return reports


def _merge(reports: list[dict]) -> tuple[Counter[str], list[str]]:
    total: Counter[str] = Counter()
    errors: list[str] = []
    for report in reports:
        total.update(report["outcomes"])
        errors += report["errors"]
    return total, errors


def _class_room(
    db: Database, classes: int, seed: int
) -> tuple[int, list[tuple[int, int]], list[int]]:
    """Staff, (class id, capacity) pairs and members holding an unlimited membership."""
    rng = random.Random(seed)
    with db.write() as s:
        desk = f.staff_actor(s, role=StaffRole.RECEPTION)
        svc = f.service(s, name="Reformer")
        trainer, room = f.trainer(s), f.room(s)
        sessions = []
        for i in range(classes):
            cap = rng.randint(1, 8)
            row = f.class_session(
                s,
                service=svc,
                trainer=trainer,
                room=room,
                capacity=cap,
                starts_at=NOW + timedelta(days=2, hours=i),
            )
            sessions.append((row.id, cap))
        gold = f.product(s, services=[svc], kind=ProductKind.MEMBERSHIP, valid_days=365)
        members = [f.member(s) for _ in range(60)]
        f.quick_sales(s, members=members, product=gold, now=NOW)
        return desk.staff_user_id or 0, sessions, [m.id for m in members]


def _seat_plans(
    sessions: list[tuple[int, int]], members: list[int], attempts: int, seed: int
) -> list[list[tuple[int, int, str]]]:
    """Unique (class, member) pairs dealt round-robin, each worker sweeping classes in order so
    they all fight over the same last seats at the same moment."""
    rng = random.Random(seed)
    pairs = [(c, m) for c, _cap in sessions for m in members]
    chosen = rng.sample(pairs, attempts)
    order = {c: i for i, (c, _cap) in enumerate(sessions)}
    chosen.sort(key=lambda pair: (order[pair[0]], rng.random()))
    plans: list[list[tuple[int, int, str]]] = [[] for _ in range(PROCESSES)]
    for i, (c, m) in enumerate(chosen):
        plans[i % PROCESSES].append((c, m, rng.choice(["desk", "whatsapp"])))
    return plans


def _assert_no_class_overfull(db: Database, sessions: list[tuple[int, int]]) -> int:
    with db.read() as s:
        rows = s.execute(
            select(Booking.class_session_id, Booking.seat_no).where(
                Booking.status.in_(SEAT_HOLDING_STATUSES)
            )
        ).all()
    seats: dict[int, list[int]] = defaultdict(list)
    for class_id, seat in rows:
        seats[class_id].append(seat)
    for class_id, cap in sessions:
        taken = seats.get(class_id, [])
        assert len(taken) <= cap, f"class {class_id}: {len(taken)} of {cap}"
        assert len(set(taken)) == len(taken) and all(1 <= n <= cap for n in taken)
    return len(rows)


def test_last_seat_race_between_processes(db: Database, db_path: Path) -> None:
    attempts = 2000
    staff_id, sessions, members = _class_room(db, classes=100, seed=7)
    plans = _seat_plans(sessions, members, attempts, seed=11)
    started = time.monotonic()
    reports = _run_processes(race_workers.claim_seats, (str(db_path), staff_id, NOW), plans)
    elapsed = time.monotonic() - started
    total, errors = _merge(reports)
    live = _assert_no_class_overfull(db, sessions)
    capacity = sum(cap for _c, cap in sessions)
    print(
        f"\nlast-seat race: {PROCESSES} processes, {attempts} claims on {len(sessions)} classes "
        f"({capacity} seats): booked={total['booked']} full={total['full']} "
        f"errors={total['error']} in {elapsed:.1f}s"
    )
    assert errors == [] and total["error"] == 0
    assert total["booked"] + total["full"] == attempts
    assert total["booked"] == live
    assert total["full"] > 0 and total["booked"] <= capacity


def test_last_seat_race_between_threads(db: Database) -> None:
    staff_id, sessions, members = _class_room(db, classes=40, seed=3)
    plans = _seat_plans(sessions, members, 400, seed=5)
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    gate = threading.Event()

    class Sink:
        def put(self, report: dict) -> None:
            with lock:
                outcomes.update(report["outcomes"])
                errors.extend(report["errors"])

    threads = [
        threading.Thread(
            target=race_workers.claim_seats,
            args=(str(db.path), staff_id, NOW, plan, gate, Sink()),
        )
        for plan in plans
    ]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(timeout=300)
    live = _assert_no_class_overfull(db, sessions)
    print(f"\nthread seat race: booked={outcomes['booked']} full={outcomes['full']}")
    assert errors == []
    assert outcomes["booked"] + outcomes["full"] == 400 and outcomes["booked"] == live


def _completed_world(db: Database, bookings: int) -> tuple[int, list[int], dict[int, int]]:
    """Staff, booking ids in classes that have started, and each booking's sale."""
    with db.write() as s:
        desk = f.staff_actor(s, role=StaffRole.RECEPTION)
        svc = f.service(s, name="Reformer", capacity=20)
        pack = f.product(s, services=[svc], sessions=10, valid_days=None)
        trainer, room = f.trainer(s), f.room(s)
        classes = [
            f.class_session(
                s,
                service=svc,
                trainer=trainer,
                room=room,
                capacity=20,
                starts_at=NOW + timedelta(hours=i),
            )
            for i in range(1, bookings // 20 + 2)
        ]
        booking_ids, sale_of = [], {}
        for i in range(bookings):
            m = f.member(s)
            sale = sales.sell(s, member_id=m.id, product_id=pack.id, actor=desk, now=NOW)
            row = Booking(
                member_id=m.id,
                class_session_id=classes[i // 20].id,
                seat_no=i % 20 + 1,
                channel=Channel.DESK,
                created_at=NOW,
            )
            s.add(row)
            s.flush()
            booking_ids.append(row.id)
            sale_of[row.id] = sale.sale_id
        return desk.staff_user_id or 0, booking_ids, sale_of


def test_two_processes_completing_and_reverting_the_same_bookings(
    db: Database, db_path: Path
) -> None:
    staff_id, booking_ids, sale_of = _completed_world(db, bookings=250)
    ops = ["complete", "complete", "revert", "complete", "revert", "revert", "complete", "complete"]
    plans = []
    for seed in (1, 2):
        rng = random.Random(seed)
        plan = [(bid, op) for bid in booking_ids for op in rng.sample(ops, 4)]
        plans.append(plan)
    later = NOW + timedelta(days=1)
    reports = _run_processes(race_workers.flip_completions, (str(db_path), staff_id, later), plans)
    total, errors = _merge(reports)
    with db.read() as s:
        rows = s.execute(
            select(LedgerEntry.booking_id, LedgerEntry.kind, LedgerEntry.completion_round).where(
                LedgerEntry.booking_id.is_not(None)
            )
        ).all()
        status = {bid: st for bid, st in s.execute(select(Booking.id, Booking.status))}
        balances = sales.ledger_balances(s, sale_of.values())
    per_round = Counter(rows)
    consumes = Counter(b for b, kind, _r in rows if kind is LedgerKind.CONSUME)
    restores = Counter(b for b, kind, _r in rows if kind is LedgerKind.RESTORE)
    print(
        f"\ncompletion race: 2 processes, {sum(total.values())} operations on "
        f"{len(booking_ids)} bookings: {dict(sorted(total.items()))}; "
        f"consume rows={sum(consumes.values())} restore rows={sum(restores.values())}"
    )
    assert errors == []
    assert max(per_round.values()) == 1  # one consume and one restore per (booking, round)
    assert total["complete:done"] == sum(consumes.values())
    assert total["revert:done"] == sum(restores.values())
    for bid in booking_ids:
        net = consumes[bid] - restores[bid]
        assert net in (0, 1)
        assert (net == 1) == (status[bid] is BookingStatus.COMPLETED)
        assert balances[sale_of[bid]] == 10 - net


def test_two_desks_placing_pt_never_double_book_a_trainer_or_room(
    db: Database, db_path: Path
) -> None:
    with db.write() as s:
        desk = f.staff_actor(s, role=StaffRole.RECEPTION)
        pt = f.service(s, name="PT", kind=ServiceKind.PRIVATE, duration_minutes=60)
        pack = f.product(s, services=[pt], sessions=1, valid_days=None)
        trainers = [f.trainer(s).id for _ in range(2)]
        rooms = [f.room(s).id for _ in range(2)]
        starts = [
            f.local(2025, 3, 3 + day, 6) + timedelta(minutes=30 * k)
            for day in range(5)
            for k in range(31)
        ]
        attempts = 2000
        people = [f.member(s) for _ in range(attempts)]
        f.quick_sales(s, members=people, product=pack, now=NOW)
        members = [m.id for m in people]
        staff_id, pt_id = desk.staff_user_id or 0, pt.id
    rng = random.Random(17)
    plans: list[list[tuple[int, int, int, str]]] = [[] for _ in range(PROCESSES)]
    for i, member in enumerate(members):
        at = rng.choice(starts)
        plans[i % PROCESSES].append(
            (member, rng.choice(trainers), rng.choice(rooms), at.isoformat())
        )
    started = time.monotonic()
    reports = _run_processes(race_workers.claim_slots, (str(db_path), staff_id, pt_id, NOW), plans)
    elapsed = time.monotonic() - started
    total, errors = _merge(reports)
    with db.read() as s:
        rows = s.execute(
            select(
                ClassSession.trainer_id,
                ClassSession.room_id,
                ClassSession.starts_at,
                ClassSession.ends_at,
            )
            .where(ClassSession.status == SessionStatus.SCHEDULED)
            .order_by(ClassSession.starts_at)
        ).all()
        live = s.scalar(
            select(func.count()).select_from(Booking).where(Booking.status == BookingStatus.BOOKED)
        )
    print(
        f"\nPT slot race: {PROCESSES} processes, {attempts} requests: booked={total['booked']} "
        f"busy={total['busy']} errors={total['error']} in {elapsed:.1f}s"
    )
    assert errors == [] and total["booked"] + total["busy"] == attempts
    assert total["booked"] == len(rows) == live
    for key in (0, 1):  # trainer, then room
        by_holder: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for row in rows:
            by_holder[row[key]].append((row[2], row[3]))
        for spans in by_holder.values():
            for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
                assert e1 <= s2, "double-booked"
