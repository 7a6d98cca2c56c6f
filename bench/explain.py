"""Which SQL statements make a read slow, and how SQLite plans them.

    python -m bench.explain --db /tmp/studio-10y.sqlite3 [members packages ...]

Runs each read once through the real services while recording every statement SQLAlchemy
sends, then replays each statement on a plain read-only sqlite3 connection, timing it to the
last row, and prints the slow ones (over `--slower-than` ms) with their EXPLAIN QUERY PLAN.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from desk.domain.timeutil import local_date, week_start, zone
from desk.services.reports.members import members
from desk.services.reports.noshows import no_shows
from desk.services.reports.occupancy import occupancy
from desk.services.reports.packages import packages
from desk.store.db import Database
from desk.store.types import utcnow

Read = Callable[[Any], Any]


def reads(conn: sqlite3.Connection) -> dict[str, Read]:
    from desk.ui.members.data import load_profile
    from desk.ui.schedule.data import load_calendar

    tz = zone(conn.execute("SELECT timezone FROM studio_settings").fetchone()[0])
    busiest = conn.execute(
        "SELECT member_id FROM bookings GROUP BY member_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    now = utcnow()
    today = local_date(now, tz)
    year = {"date_from": today - timedelta(days=365), "date_to": today - timedelta(days=1)}
    return {
        "occupancy": lambda s: occupancy(s, **year),
        "noshows": lambda s: no_shows(s, **year, now=now),
        "members": lambda s: members(s, **year, now=now),
        "packages": lambda s: packages(s, **year, now=now),
        "week": lambda s: load_calendar(s, first_day=week_start(today), days=7, now=now),
        "profile": lambda s: load_profile(s, member_id=busiest, now=now),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def replay(
    conn: sqlite3.Connection, statements: list[tuple[str, Any]], slower_than: float
) -> list[str]:
    out = []
    for sql, params in statements:
        if sql.split(None, 1)[0].upper() in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT"}:
            continue
        values = tuple(_plain(v) for v in params or ())
        started = time.perf_counter()
        rows = conn.execute(sql, values).fetchall()
        ms = (time.perf_counter() - started) * 1000
        if ms < slower_than:
            continue
        out.append(f"  {ms:7.0f} ms, {len(rows)} rows: {' '.join(sql.split())[:300]}")
        out += [
            f"            {row[3]}" for row in conn.execute("EXPLAIN QUERY PLAN " + sql, values)
        ]
    return out


def explain(path: Path, names: list[str], slower_than: float) -> str:
    db = Database.open_file(path)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    seen: list[tuple[str, Any]] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def _record(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        seen.append((sql, params))

    out = []
    try:
        available = reads(conn)
        for name in names or list(available):
            seen.clear()
            started = time.perf_counter()
            db.query(available[name])
            ms = (time.perf_counter() - started) * 1000
            out.append(f"== {name}: {ms:.0f} ms through the services, {len(seen)} statements")
            out += replay(conn, list(seen), slower_than)
    finally:
        conn.close()
        db.dispose()
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explain")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--slower-than", type=float, default=20.0, help="milliseconds")
    parser.add_argument("reads", nargs="*", help="occupancy noshows members packages week profile")
    args = parser.parse_args(argv)
    print(explain(args.db, args.reads, args.slower_than))
    return 0


if __name__ == "__main__":
    sys.exit(main())
