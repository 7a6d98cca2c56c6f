"""Check-in (complete + consume) and its undo (revert + restore): the services vs raw sqlite3.

On a copy of the generated studio, the next days' live bookings (real members, real packages
and memberships) are split in two alternating halves: ours checks one half in through
`desk.services.attendance.complete` and then reverts it with `revert_completion`; the baseline
does the same to the other half in raw sqlite3 with the minimal equivalent statements:

- check-in: BEGIN IMMEDIATE; read the booking; pick the sale that pays (membership first, then
  the package expiring soonest, with a ledger balance above zero); insert the consume row;
  mark the booking completed; COMMIT.
- revert: BEGIN IMMEDIATE; read the booking and its consume row; insert the restore row; mark
  the booking booked again with the next completion round; COMMIT.

Ours also writes audit rows and applies the weekly cap and pauses; that is the point of the
ratio. Afterwards the ledger is checked: one consume per paid check-in, one restore per paid
revert, and doing either a second time (a double click) writes nothing.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bench.seat_workers import raw_connection
from bench.timing import Line, percentile
from desk.domain.enums import BookingStatus, SessionKind, StaffRole
from desk.services import attendance
from desk.services.actor import Actor
from desk.store.db import Database
from desk.store.models import Booking, ClassSession, StaffUser
from desk.store.types import utcnow

_FMT = "%Y-%m-%d %H:%M:%S.%f"


@dataclass(frozen=True)
class Upcoming:
    booking_id: int
    starts_at: datetime


def upcoming(db: Database, limit: int) -> list[Upcoming]:
    """Live, paid-for-by-entitlement group bookings from now on, soonest first."""
    with db.read() as s:
        rows = s.execute(
            select(Booking.id, ClassSession.starts_at)
            .join(ClassSession, ClassSession.id == Booking.class_session_id)
            .where(
                Booking.status == BookingStatus.BOOKED,
                Booking.is_drop_in.is_(False),
                ClassSession.kind == SessionKind.CLASS,
                ClassSession.starts_at > utcnow(),
                ClassSession.note != "seat-claim benchmark",
            )
            .order_by(ClassSession.starts_at, Booking.id)
            .limit(limit)
        ).all()
    return [Upcoming(booking_id, starts_at) for booking_id, starts_at in rows]


def _utc_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime(_FMT)


def raw_check_in(conn: sqlite3.Connection, item: Upcoming, tz: ZoneInfo, staff: int) -> bool:
    """True when something paid (a consume row was written)."""
    at = item.starts_at - timedelta(minutes=5)
    conn.execute("BEGIN IMMEDIATE")
    member, service, starts, rnd = conn.execute(
        """SELECT b.member_id, cs.service_id, cs.starts_at, b.completion_round FROM bookings b
           JOIN class_sessions cs ON cs.id = b.class_session_id
           WHERE b.id = ? AND b.status = 'booked'""",
        (item.booking_id,),
    ).fetchone()
    day = datetime.fromisoformat(starts).replace(tzinfo=UTC).astimezone(tz).date().isoformat()
    sale = conn.execute(
        """SELECT s.id, s.kind FROM sales s
           JOIN sale_services ss ON ss.sale_id = s.id AND ss.service_id = ?
           WHERE s.member_id = ? AND s.voided_at IS NULL AND s.starts_on <= ?
             AND (s.expires_on IS NULL OR s.expires_on >= ?)
             AND (s.kind = 'membership'
                  OR (SELECT sum(delta) FROM ledger_entries l WHERE l.sale_id = s.id) > 0)
           ORDER BY s.kind = 'package', coalesce(s.expires_on, '9999-12-31'), s.sold_at, s.id
           LIMIT 1""",
        (service, member, day, day),
    ).fetchone()
    if sale is not None:
        conn.execute(
            """INSERT INTO ledger_entries (sale_id, member_id, kind, delta, booking_id,
               completion_round, reason, created_by, created_at)
               VALUES (?, ?, 'consume', ?, ?, ?, 'attended', ?, ?)""",
            (sale[0], member, 0 if sale[1] == "membership" else -1, item.booking_id, rnd, staff,
             _utc_text(at)),
        )  # fmt: skip
    conn.execute(
        "UPDATE bookings SET status = 'completed', status_changed_at = ?, is_drop_in = ? "
        "WHERE id = ?",
        (_utc_text(at), sale is None, item.booking_id),
    )
    conn.execute("COMMIT")
    return sale is not None


def raw_revert(conn: sqlite3.Connection, item: Upcoming, staff: int) -> bool:
    at = item.starts_at + timedelta(minutes=10)
    conn.execute("BEGIN IMMEDIATE")
    member, rnd = conn.execute(
        "SELECT member_id, completion_round FROM bookings WHERE id = ? AND status = 'completed'",
        (item.booking_id,),
    ).fetchone()
    consumed = conn.execute(
        "SELECT sale_id, delta FROM ledger_entries WHERE kind = 'consume' AND booking_id = ? "
        "AND completion_round = ?",
        (item.booking_id, rnd),
    ).fetchone()
    if consumed is not None:
        conn.execute(
            """INSERT INTO ledger_entries (sale_id, member_id, kind, delta, booking_id,
               completion_round, reason, created_by, created_at)
               VALUES (?, ?, 'restore', ?, ?, ?, 'check-in reverted', ?, ?)""",
            (consumed[0], member, -consumed[1], item.booking_id, rnd, staff, _utc_text(at)),
        )
    conn.execute(
        "UPDATE bookings SET status = 'booked', completion_round = completion_round + 1, "
        "status_changed_at = ? WHERE id = ?",
        (_utc_text(at), item.booking_id),
    )
    conn.execute("COMMIT")
    return consumed is not None


def _loop(
    items: list[Upcoming], step: Callable[[Upcoming], bool]
) -> tuple[float, list[float], int]:
    """(operations per second, latencies, how many paid)."""
    latencies, paid = [], 0
    started = time.perf_counter()
    for item in items:
        t0 = time.perf_counter()
        paid += step(item)
        latencies.append(time.perf_counter() - t0)
    wall = time.perf_counter() - started
    return len(items) / wall if wall else 0.0, latencies, paid


def _ledger_counts(path: Path, ids: list[int]) -> tuple[int, int]:
    marks = ",".join("?" * len(ids))
    conn = sqlite3.connect(path)
    try:
        rows = dict(
            conn.execute(
                f"SELECT kind, count(*) FROM ledger_entries WHERE booking_id IN ({marks}) "
                "AND kind IN ('consume', 'restore') GROUP BY kind",
                ids,
            ).fetchall()
        )
    finally:
        conn.close()
    return int(rows.get("consume", 0)), int(rows.get("restore", 0))


def _ours(
    db: Database, desk: Actor
) -> tuple[Callable[[Upcoming], bool], Callable[[Upcoming], bool]]:
    def check_in(item: Upcoming) -> bool:
        at = item.starts_at - timedelta(minutes=5)
        done = db.run(
            lambda s: attendance.complete(s, booking_id=item.booking_id, actor=desk, now=at)
        )
        return not done.unpaid

    def revert(item: Upcoming) -> bool:
        at = item.starts_at + timedelta(minutes=10)
        done = db.run(
            lambda s: attendance.revert_completion(
                s, booking_id=item.booking_id, actor=desk, now=at
            )
        )
        return done.consumption is not None

    return check_in, revert


def _twice(path: Path, step: Callable[[Upcoming], bool], items: list[Upcoming]) -> int:
    """Rows a repeated action (a double click) wrote: must be none."""
    ids = [i.booking_id for i in items]
    before = _ledger_counts(path, ids)
    for item in items:
        step(item)
    after = _ledger_counts(path, ids)
    return sum(after) - sum(before)


@dataclass(frozen=True)
class Side:
    check_ins: float
    check_in_p50: float
    reverts: float
    revert_p50: float
    mismatches: int


def _side(
    path: Path,
    items: list[Upcoming],
    check_in: Callable[[Upcoming], bool],
    revert: Callable[[Upcoming], bool],
) -> Side:
    rate_in, lat_in, paid_in = _loop(items, check_in)
    rate_out, lat_out, paid_out = _loop(items, revert)
    consumed, restored = _ledger_counts(path, [i.booking_id for i in items])
    return Side(
        rate_in,
        percentile(lat_in, 50) * 1000,
        rate_out,
        percentile(lat_out, 50) * 1000,
        abs(consumed - paid_in) + abs(restored - paid_out),
    )


def lines(path: Path, *, quick: bool, log: Callable[[str], None] = print) -> list[Line]:
    db = Database.open_file(path)
    try:
        with db.read() as s:
            desk_id = s.scalar(select(StaffUser.id).where(StaffUser.role == StaffRole.RECEPTION))
            tz = ZoneInfo(
                s.connection().exec_driver_sql("SELECT timezone FROM studio_settings").scalar_one()
            )
        assert desk_id is not None
        items = upcoming(db, 40 if quick else 1200)
        mine, theirs = items[0::2], items[1::2]
        desk = Actor.staff(desk_id, StaffRole.RECEPTION)
        check_in, revert = _ours(db, desk)
        conn = raw_connection(str(path))
        try:
            raw = _side(path, theirs, lambda i: raw_check_in(conn, i, tz, desk_id),
                        lambda i: raw_revert(conn, i, desk_id))  # fmt: skip
        finally:
            conn.close()
        ours = _side(path, mine, check_in, revert)
        sample = mine[:10]
        repeats = _twice(path, revert, sample)
        for item in sample:
            check_in(item)  # a new round: consumed again, once
        repeats += _twice(path, check_in, sample)
    finally:
        db.dispose()
    log(f"  check-ins: {len(mine)} ours, {len(theirs)} raw")
    return [
        Line("check-in (complete + consume)", "/s", ours.check_ins, raw.check_ins,
             higher_is_better=True),
        Line("check-in: p50", "ms", ours.check_in_p50, raw.check_in_p50),
        Line("undo check-in (revert + restore)", "/s", ours.reverts, raw.reverts,
             higher_is_better=True),
        Line("undo check-in: p50", "ms", ours.revert_p50, raw.revert_p50),
        Line("ledger: missing or extra consume/restore rows", "", ours.mismatches,
             raw.mismatches, counter=True),
        Line("ledger: rows written by a repeated check-in or undo", "", repeats, 0,
             counter=True),
    ]  # fmt: skip
