"""Seat claims under racing workers: the booking service against raw sqlite3.

On a copy of the generated studio, a bench class service gets fresh 20-seat sessions and a set
of real members (with their years of history) gets a membership that covers it. Each run hands
a plan of (session, member) claims round-robin to 1, 4 or 8 workers, as threads or as
processes, so all workers fight over the same class's seats at the same moment; each session
gets 4 more claims than it has seats, so the "full" answer is raced too.

Ours is `desk.services.booking.book` in `Database.run` (BEGIN IMMEDIATE, retry on lock): the
no-show standing, the entitlement check over the member's sales and upcoming bookings, the
waitlist, the audit row. The baseline is the minimal equivalent in raw sqlite3 with the same
PRAGMAs (WAL, synchronous=FULL, busy_timeout): BEGIN IMMEDIATE, read the taken seats, insert
the lowest free one, COMMIT. Afterwards every session is checked: live bookings never exceed
capacity, no seat is held twice, and every "booked" answer is a row in the database. Then the
run's bookings are cancelled, so every run starts with members holding only their own upcoming
bookings (each is a pending draw the entitlement check walks).
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import sqlite3
import statistics
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench import seat_workers
from bench.generate import FUTURE_WEEKS
from bench.timing import Line, percentile, render
from desk.domain.enums import ProductKind, ServiceKind, SessionKind, StaffRole
from desk.services import catalog, sales
from desk.services.actor import Actor
from desk.store.db import Database
from desk.store.models import ClassSession, Member, StaffUser, Trainer
from desk.store.types import utcnow

CAPACITY = 20
CLAIMS_PER_SESSION = CAPACITY + 4
#: Where bench sessions start: after the generated studio's upcoming weeks (bench.generate).
AHEAD = timedelta(weeks=FUTURE_WEEKS + 2)
WORKER_COUNTS = (1, 4, 8)
MODES = ("threads", "processes")
NOUNS = {"threads": ("thread", "threads"), "processes": ("process", "processes")}


@dataclass
class Bench:
    path: Path
    staff_id: int
    members: tuple[int, ...]
    service_id: int
    trainer_id: int
    claims_planned: int = 0
    sessions_made: int = 0

    def plan(self, db: Database, claims: int) -> list[seat_workers.Claim]:
        """Fresh sessions for `claims` claims, members taken in turn (distinct per session)."""
        plan = []
        for session_id in self.new_sessions(db, max(1, claims // CLAIMS_PER_SESSION)):
            for _ in range(CLAIMS_PER_SESSION):
                member = self.members[self.claims_planned % len(self.members)]
                plan.append((session_id, member))
                self.claims_planned += 1
        return plan

    def new_sessions(self, db: Database, count: int) -> list[int]:
        """Classes an hour apart, so any member may take one of each, past the generated
        timetable (a member is never booked into two sessions at the same time)."""
        first = utcnow().replace(second=0, microsecond=0) + AHEAD
        with db.write() as s:
            rows = []
            for n in range(self.sessions_made, self.sessions_made + count):
                starts = first + timedelta(hours=n)
                rows.append(
                    ClassSession(
                        kind=SessionKind.CLASS,
                        service_id=self.service_id,
                        trainer_id=self.trainer_id,
                        room_id=None,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=45),
                        capacity=CAPACITY,
                        note="seat-claim benchmark",
                    )
                )
            s.add_all(rows)
            s.flush()
            self.sessions_made += count
            return [row.id for row in rows]


def prepare(path: Path, members: int) -> Bench:
    """A bench service, and a year's membership for it sold to `members` real members."""
    db = Database.open_file(path)
    try:
        with db.write() as s:
            owner_id = s.scalar(select(StaffUser.id).where(StaffUser.role == StaffRole.OWNER))
            desk_id = s.scalar(select(StaffUser.id).where(StaffUser.role == StaffRole.RECEPTION))
            trainer_id = s.scalar(select(Trainer.id).order_by(Trainer.id))
            assert owner_id and desk_id and trainer_id, "the studio needs staff and a trainer"
            owner = Actor.staff(owner_id, StaffRole.OWNER)
            service = catalog.create_service(
                s, name="Bench Ride", kind=ServiceKind.GROUP, duration_minutes=45,
                default_capacity=CAPACITY, actor=owner,
            )  # fmt: skip
            product = catalog.create_product(
                s, name="Bench unlimited", kind=ProductKind.MEMBERSHIP, valid_days=365,
                price_minor=100_000, service_ids=[service.id], actor=owner,
            )  # fmt: skip
            # The most recent members: they have history, and live bookings of their own.
            chosen = s.scalars(
                select(Member.id).where(Member.archived.is_(False)).order_by(Member.id.desc())
            ).all()[:members]
            for member_id in chosen:
                sales.sell(s, member_id=member_id, product_id=product.id, actor=owner)
        return Bench(path, desk_id, tuple(chosen), service.id, trainer_id)
    finally:
        db.dispose()


@dataclass(frozen=True)
class RunResult:
    claims_per_s: float
    latencies: list[float]
    overbooked: int
    outcomes: dict[str, int]


@dataclass(frozen=True)
class Summary:
    """Repeated runs of one kind: median rate, percentiles over every claim."""

    claims_per_s: float
    p50_ms: float
    p99_ms: float

    @classmethod
    def of(cls, runs: list[RunResult]) -> Summary:
        pooled = [x for run in runs for x in run.latencies]
        return cls(
            statistics.median(run.claims_per_s for run in runs),
            percentile(pooled, 50) * 1000,
            percentile(pooled, 99) * 1000,
        )


def _process_context() -> Any:
    """Separate OS processes (own interpreter, own connection), forked from a server that has
    already imported the desk, so eight workers start in a blink instead of eight imports."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["bench.seat_workers"])
    return ctx


def _race(
    target: Callable[..., None],
    bench: Bench,
    plan: list[seat_workers.Claim],
    workers: int,
    mode: str,
) -> list[dict[str, Any]]:
    shares = [plan[w::workers] for w in range(workers)]
    if mode == "threads":
        start: Any = threading.Event()
        results: Any = queue.Queue()
        runners: list[Any] = [
            threading.Thread(
                target=target, args=(str(bench.path), bench.staff_id, share, start, results)
            )
            for share in shares
        ]
    else:
        ctx = _process_context()
        start, results = ctx.Event(), ctx.Queue()
        runners = [
            ctx.Process(
                target=target, args=(str(bench.path), bench.staff_id, share, start, results)
            )
            for share in shares
        ]
    for runner in runners:
        runner.start()
    for _ in runners:  # every worker has opened its connection and warmed up
        assert results.get(timeout=300) == "ready"
    start.set()
    reports = [results.get(timeout=900) for _ in runners]
    for runner in runners:
        runner.join(60)
    return reports


def overbooked(path: Path, plan: list[seat_workers.Claim], booked: int) -> int:
    """Seats over capacity, seats held twice, and "booked" answers without a row (or rows
    without an answer), over the sessions of one run."""
    ids = sorted({session_id for session_id, _ in plan})
    marks = ",".join("?" * len(ids))
    conn = sqlite3.connect(path)
    try:
        live = conn.execute(
            f"""SELECT cs.id, cs.capacity, count(b.id), count(DISTINCT b.seat_no)
                FROM class_sessions cs LEFT JOIN bookings b ON b.class_session_id = cs.id
                 AND b.status IN ('booked', 'completed')
                WHERE cs.id IN ({marks}) GROUP BY cs.id""",
            ids,
        ).fetchall()
    finally:
        conn.close()
    over = sum(max(0, n - cap) + (n - distinct) for _, cap, n, distinct in live)
    return over + abs(sum(n for _, _, n, _ in live) - booked)


def release(path: Path, plan: list[seat_workers.Claim]) -> None:
    """Cancel a finished run's bookings, so members do not pile up upcoming bench bookings
    (each would be another pending draw in every later entitlement check)."""
    ids = sorted({session_id for session_id, _ in plan})
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                f"UPDATE bookings SET status = 'cancelled' WHERE status = 'booked' "
                f"AND class_session_id IN ({','.join('?' * len(ids))})",
                ids,
            )
    finally:
        conn.close()


def run_once(bench: Bench, kind: str, workers: int, mode: str, claims: int) -> RunResult:
    db = Database.open_file(bench.path)
    try:
        plan = bench.plan(db, claims)
    finally:
        db.dispose()
    target = seat_workers.claim_ours if kind == "ours" else seat_workers.claim_raw
    reports = _race(target, bench, plan, workers, mode)
    latencies = [x for r in reports for x in r["latencies"]]
    outcomes: Counter[str] = Counter()
    for r in reports:
        outcomes.update(r["outcomes"])
    wall = max(r["ended"] for r in reports) - min(r["started"] for r in reports)
    booked = outcomes.get("booked", 0)
    result = RunResult(
        claims_per_s=booked / wall if wall > 0 else 0.0,
        latencies=latencies,
        overbooked=overbooked(bench.path, plan, booked),
        outcomes=dict(outcomes),
    )
    release(bench.path, plan)
    return result


def lines(path: Path, *, quick: bool, log: Callable[[str], None] = print) -> list[Line]:
    """Every (mode, workers) pair, raw and ours turn about on the same database copy; the
    full run repeats each pair three times and reports the median rate."""
    claims, repeats = (48, 1) if quick else (960, 3)
    return race_lines(path, claims=claims, repeats=repeats, members=60 if quick else 600, log=log)


def race_lines(
    path: Path,
    *,
    claims: int,
    repeats: int,
    members: int,
    worker_counts: tuple[int, ...] = WORKER_COUNTS,
    modes: tuple[str, ...] = MODES,
    log: Callable[[str], None] = print,
) -> list[Line]:
    bench = prepare(path, members=members)
    result: list[Line] = [statements_line(bench, log)]
    over = {"ours": 0, "raw": 0}
    errors: Counter[str] = Counter()
    for mode in modes:
        for workers in worker_counts:
            runs: dict[str, list[RunResult]] = {"raw": [], "ours": []}
            for _ in range(repeats):
                for kind in ("raw", "ours"):
                    run = run_once(bench, kind, workers, mode, claims)
                    runs[kind].append(run)
                    over[kind] += run.overbooked
                    errors.update({k: v for k, v in run.outcomes.items() if k.startswith("error")})
            ours, raw = Summary.of(runs["ours"]), Summary.of(runs["raw"])
            rates = {kind: [round(r.claims_per_s) for r in rs] for kind, rs in runs.items()}
            log(f"  seat claims {workers} {mode}: claims/s {rates}; {runs['ours'][-1].outcomes}")
            label = f"seat claims, {workers} {NOUNS[mode][workers > 1]}"
            result += [
                Line(f"{label}: claims/s", "/s", ours.claims_per_s, raw.claims_per_s,
                     higher_is_better=True, targets=(("ratio>=", 1 / 3),)),
                Line(f"{label}: p50", "ms", ours.p50_ms, raw.p50_ms),
                Line(f"{label}: p99", "ms", ours.p99_ms, raw.p99_ms),
            ]  # fmt: skip
    result.append(
        Line("seat claims: overbookings (all runs)", "", over["ours"], over["raw"], counter=True)
    )
    result.append(Line("seat claims: unexpected errors", "", sum(errors.values()), 0, counter=True))
    for message, count in errors.items():
        log(f"  {count} x {message}")
    return result


def statements_line(bench: Bench, log: Callable[[str], None]) -> Line:
    """SQL statements one successful claim sends (BEGIN and COMMIT included), one worker."""
    db = Database.open_file(bench.path)
    try:
        plan = bench.plan(db, CAPACITY)[:CAPACITY]
        counts = seat_workers.count_statements(db, bench.staff_id, plan)
    finally:
        db.dispose()
    release(bench.path, plan)
    per_claim = statistics.median(counts)
    log(f"  seat claims: statements per claim {sorted(set(counts))}")
    return Line("seat claims: SQL statements per claim", "", per_claim, 5)


def main(argv: list[str] | None = None) -> int:
    """Seat claims alone, on a scratch copy of a generated studio (the studio is only read)."""
    parser = argparse.ArgumentParser(prog="python -m bench.seat_claims", description=main.__doc__)
    parser.add_argument("--db", type=Path, required=True, help="a generated studio")
    parser.add_argument("--claims", type=int, default=480, help="claims per run")
    parser.add_argument("--repeats", type=int, default=2, help="runs per (mode, workers)")
    parser.add_argument("--members", type=int, default=600)
    parser.add_argument("--workers", type=int, nargs="+", default=list(WORKER_COUNTS))
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="seat-claims-") as scratch:
        copy = Path(scratch) / "scratch.sqlite3"
        source, target = sqlite3.connect(args.db), sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        table = race_lines(
            copy, claims=args.claims, repeats=args.repeats, members=args.members,
            worker_counts=tuple(args.workers), modes=tuple(args.modes),
        )  # fmt: skip
    print(render(table))
    return 0 if all(line.met() is not False for line in table if line.counter) else 1


if __name__ == "__main__":
    sys.exit(main())
