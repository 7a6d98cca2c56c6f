"""Worker bodies for the seat-claim race: ours (the booking service) and raw sqlite3.

Top-level functions so `spawn` processes can import them. Each worker opens its own
connection (a second desk PC would), does one throwaway read so the connection is warm, waits
for the start signal so every worker hits the database at once, then claims its share of the
plan one transaction per claim and reports every claim's latency and outcome.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import event

from desk.domain.enums import StaffRole
from desk.domain.errors import ClassFull
from desk.services import booking
from desk.services.actor import Actor
from desk.store.db import BUSY_TIMEOUT_MS, Database

#: (class session id, member id)
Claim = tuple[int, int]


class Signal(Protocol):
    def wait(self, timeout: float | None = ...) -> bool: ...


class Outbox(Protocol):
    def put(self, obj: Any) -> None: ...


def raw_connection(path: str) -> sqlite3.Connection:
    """The same durability and locking the desk's engine sets (desk.store.db)."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


_SEATS = (
    "SELECT seat_no FROM bookings WHERE class_session_id = ? AND status IN ('booked', 'completed')"
)
_INSERT = """INSERT INTO bookings (member_id, class_session_id, seat_no, status, channel,
    is_drop_in, created_by, status_changed_at, completion_round, created_at)
    VALUES (?, ?, ?, 'booked', 'desk', 0, ?, ?, 0, ?)"""


def raw_claim(conn: sqlite3.Connection, claim: Claim, staff_id: int) -> str:
    """The minimal equivalent: BEGIN IMMEDIATE, find the lowest free seat, insert, commit."""
    session_id, member_id = claim
    conn.execute("BEGIN IMMEDIATE")
    try:
        capacity = conn.execute(
            "SELECT capacity FROM class_sessions WHERE id = ?", (session_id,)
        ).fetchone()[0]
        taken = {row[0] for row in conn.execute(_SEATS, (session_id,))}
        free = [n for n in range(1, capacity + 1) if n not in taken]
        if not free:
            conn.execute("ROLLBACK")
            return "full"
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        conn.execute(_INSERT, (member_id, session_id, free[0], staff_id, stamp, stamp))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return "booked"


def _report(
    results: Outbox, started: float, latencies: list[float], outcomes: dict[str, int]
) -> None:
    results.put(
        {
            "started": started,
            "ended": time.monotonic(),
            "latencies": latencies,
            "outcomes": outcomes,
        }
    )


def _tally(outcomes: dict[str, int], what: str) -> None:
    outcomes[what] = outcomes.get(what, 0) + 1


def claim_raw(
    path: str, staff_id: int, claims: list[Claim], start: Signal, results: Outbox
) -> None:
    conn = raw_connection(path)
    conn.execute("SELECT count(*) FROM class_sessions").fetchone()
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    results.put("ready")
    start.wait(300)
    started = time.monotonic()
    try:
        for claim in claims:
            t0 = time.perf_counter()
            try:
                _tally(outcomes, raw_claim(conn, claim, staff_id))
            except Exception as exc:  # anything unexpected is the finding
                _tally(outcomes, f"error: {type(exc).__name__}: {exc}"[:120])
            latencies.append(time.perf_counter() - t0)
    finally:
        conn.close()
        _report(results, started, latencies, outcomes)


def claim_ours(
    path: str, staff_id: int, claims: list[Claim], start: Signal, results: Outbox
) -> None:
    db = Database.open_file(path)
    desk = Actor.staff(staff_id, StaffRole.RECEPTION)
    db.query(lambda s: s.connection().exec_driver_sql("SELECT count(*) FROM members").scalar())
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    results.put("ready")
    start.wait(300)
    started = time.monotonic()
    try:
        for session_id, member_id in claims:
            t0 = time.perf_counter()
            try:
                db.run(
                    lambda s, c=session_id, m=member_id: booking.book(
                        s, class_session_id=c, member_id=m, actor=desk
                    )
                )
                _tally(outcomes, "booked")
            except ClassFull:
                _tally(outcomes, "full")
            except Exception as exc:  # anything unexpected is the finding
                _tally(outcomes, f"error: {type(exc).__name__}: {exc}"[:120])
            latencies.append(time.perf_counter() - t0)
    finally:
        db.dispose()
        _report(results, started, latencies, outcomes)


def count_statements(db: Database, staff_id: int, claims: list[Claim]) -> list[int]:
    """Statements each successful claim has SQLite run, BEGIN and COMMIT included.

    Counted by SQLite itself (the connection's trace callback), so statements the desk runs
    straight on the DBAPI cursor (`desk.store.prepared.Prepared`) count too.
    """
    desk = Actor.staff(staff_id, StaffRole.RECEPTION)
    sent = [0]

    def count(_statement: str) -> None:
        sent[0] += 1

    def trace(dbapi_conn: sqlite3.Connection, *_args: Any) -> None:
        dbapi_conn.set_trace_callback(count)

    def untrace(dbapi_conn: sqlite3.Connection, *_args: Any) -> None:
        dbapi_conn.set_trace_callback(None)

    event.listen(db.engine, "checkout", trace)
    event.listen(db.engine, "checkin", untrace)
    counts = []
    try:
        for session_id, member_id in claims:
            sent[0] = 0
            try:
                db.run(lambda s, c=session_id, m=member_id: booking.book(
                    s, class_session_id=c, member_id=m, actor=desk
                ))  # fmt: skip
            except ClassFull:
                continue
            counts.append(sent[0])
    finally:
        event.remove(db.engine, "checkout", trace)
        event.remove(db.engine, "checkin", untrace)
    return counts
