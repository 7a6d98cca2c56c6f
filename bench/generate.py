"""Generate a large, realistic studio database for the benchmarks.

    python -m bench.generate --out /tmp/studio-10y.sqlite3            # 10 years, ~5,000 members
    python -m bench.generate --quick --out /tmp/studio-quick.sqlite3  # 6 months, 300 members

The database is made the way the desk makes one: migrated by Alembic, settings, staff, catalog,
trainer hours and the weekly timetable created through the real services; then the history
(members, sessions, bookings, waitlists, no-shows, sales and their ledger) is replayed in time
order in memory and bulk-inserted through the models' tables. Deterministic: the same seed and
the same `--today` give the same studio (the "now" of the history is noon of that day). The
file passes `desk check`, and `bench.gen_verify` checks the ledger and the seats.

Not generated: audit rows for the history (the desk writes one per action; they would double
the file and no measured read touches them) and WhatsApp conversations.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench import gen_verify
from bench import studio_data as data
from bench.gen_catalog import build_catalog, opening_day
from bench.gen_ledger import Ledger
from bench.gen_people import local_noon, make_people, member_rows
from bench.gen_weeks import History
from bench.gen_write import ORDER, Rows
from desk.domain.timeutil import local_date, week_start, zone
from desk.store import migrate
from desk.store.db import Database
from desk.store.open import check_database
from desk.store.types import utcnow

FULL = {"years": 10.0, "members": 5000}
QUICK = {"years": 0.5, "members": 300}
FUTURE_WEEKS = 4


@dataclass(frozen=True)
class Generated:
    path: Path
    today: date
    seconds: float
    counts: dict[str, int]
    check: str

    def describe(self) -> str:
        counts = ", ".join(f"{self.counts.get(name, 0):,} {name}" for name in ORDER)
        return f"{self.path}: {counts}; generated in {self.seconds:.1f} s\n{self.check}"


def _fresh(path: Path) -> Database:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database.open_file(path)
    migrate.upgrade(db, backup=False)
    return db


def _checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def generate(
    out: Path, *, years: float, members: int, seed: int = 1, today: date | None = None
) -> Generated:
    started = time.perf_counter()
    tz = zone(data.TIMEZONE)
    today = today or local_date(utcnow(), tz)
    now = local_noon(today, tz)
    opened = opening_day(today, years)
    last_day = week_start(today) + timedelta(weeks=FUTURE_WEEKS) - timedelta(days=1)
    rng = random.Random(seed)
    db = _fresh(out)
    try:
        with db.write() as session:
            built = build_catalog(session, opened, local_noon(opened, tz) - timedelta(days=1))
        rows = Rows()
        first = local_noon(opened, tz) - timedelta(hours=12)
        people = make_people(rng, members, first, now, built.services, built.trainers)
        for row in member_rows(rng, people, now):
            rows.add("members", row)
        ledger = Ledger(rows, rng, built.products, built.staff, tz, today)

        def flush() -> None:
            with db.write() as session:
                rows.flush(session)

        span = (opened, last_day, now)
        History(built.studio, people, ledger, rows, rng, span, flush).run()
    finally:
        db.dispose()
    _checkpoint(out)
    seconds = time.perf_counter() - started
    report = check_database(out)
    return Generated(out, today, seconds, dict(rows.written), report.summary())


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[1]
    )
    parser.add_argument("--out", type=Path, required=True, help="the database file to (re)create")
    parser.add_argument("--quick", action="store_true", help="6 months and 300 members (CI size)")
    parser.add_argument("--years", type=float, help="years of history (default 10)")
    parser.add_argument("--members", type=int, help="members over the whole history (default 5000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, help="the studio's today (YYYY-MM-DD)")
    parser.add_argument("--no-verify", action="store_true", help="skip the ledger/seat checks")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    size = QUICK if args.quick else FULL
    years = args.years if args.years is not None else size["years"]
    members = args.members if args.members is not None else int(size["members"])
    result = generate(args.out, years=years, members=members, seed=args.seed, today=args.today)
    print(result.describe())
    if args.no_verify:
        return 0
    problems = gen_verify.problems(args.out)
    print(gen_verify.describe(problems))
    return 1 if any(problems.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
