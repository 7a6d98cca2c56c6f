"""Try candidate indexes (and ANALYZE) on a copy of the studio: which reads do they speed up?

    python -m bench.index_trials --db /tmp/studio-10y.sqlite3 [--repeat 7]

Each candidate is created alone on a scratch copy with raw SQL, every read below is timed
(median of `--repeat` runs after a warm-up), and the index is dropped again; then all the
candidates together, then ANALYZE on top. Nothing here changes the schema: the results are the
evidence for a migration the booking engineer owns (desk/store/models, migrations/).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import explain
from bench.run import _copy
from bench.timing import timed
from desk.services import members
from desk.store.db import Database

#: (name, DDL). ledger_entries(created_at, kind, sale_id) and sales(sold_at) were tried here
#: too; they are in the schema now (docs/performance.md has what they were measured to do).
CANDIDATES = (
    ("members(created_at)", "CREATE INDEX trial_members_created ON members (created_at)"),
    ("ledger_entries(member_id, created_at)",
     "CREATE INDEX trial_ledger_member_created ON ledger_entries (member_id, created_at)"),
    ("bookings(member_id, class_session_id)",
     "CREATE INDEX trial_bookings_member_session ON bookings (member_id, class_session_id)"),
    ("noshow_records(occurred_at)",
     "CREATE INDEX trial_noshow_occurred ON noshow_records (occurred_at)"),
)  # fmt: skip


def _reads(db: Database, path: Path) -> dict[str, Callable[[], Any]]:
    """The reports for the last year, the week schedule, the busiest profile, a search."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        works = explain.reads(conn)
    finally:
        conn.close()
    works["search 'ay'"] = lambda s: members.search(s, "ay")
    return {name: (lambda work=work: db.query(work)) for name, work in works.items()}


def _measure(path: Path, repeat: int) -> dict[str, float]:
    db = Database.open_file(path)
    try:
        reads = _reads(db, path)
        return {name: timed(work, repeat=repeat)[0] * 1000 for name, work in reads.items()}
    finally:
        db.dispose()


def _ddl(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def trials(studio: Path, scratch: Path, repeat: int) -> dict[str, dict[str, float]]:
    _copy(studio, scratch)
    results = {"as migrated": _measure(scratch, repeat)}
    for name, ddl in CANDIDATES:
        _ddl(scratch, ddl)
        results[f"+ {name}"] = _measure(scratch, repeat)
        _ddl(scratch, f"DROP INDEX {ddl.split()[2]}")
    _ddl(scratch, *(ddl for _, ddl in CANDIDATES))
    results["+ all of them"] = _measure(scratch, repeat)
    _ddl(scratch, "ANALYZE")
    results["+ all of them + ANALYZE"] = _measure(scratch, repeat)
    _copy(studio, scratch)
    _ddl(scratch, "ANALYZE")
    results["ANALYZE only"] = _measure(scratch, repeat)
    return results


def render(results: dict[str, dict[str, float]]) -> str:
    reads = list(next(iter(results.values())))
    header = ["variant", *reads]
    rows = [[variant, *(f"{ms[r]:.1f}" for r in reads)] for variant, ms in results.items()]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(header, widths, strict=True))]
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines) + "\n(milliseconds, median)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.index_trials")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="index-trials-") as tmp:
        print(render(trials(args.db, Path(tmp) / "scratch.sqlite3", args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
