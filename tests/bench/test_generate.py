"""The benchmark studio generator: valid, deterministic, and its checks can fail."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path

from bench import gen_verify
from bench.generate import generate
from desk.store.open import check_database

TODAY = date(2025, 3, 12)
HISTORY = (
    "members",
    "class_sessions",
    "sales",
    "sale_services",
    "bookings",
    "waitlist_entries",
    "ledger_entries",
    "noshow_records",
)


def _fingerprint(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        for table in HISTORY:
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                digest.update(repr(row).encode())
    finally:
        conn.close()
    return digest.hexdigest()


def test_same_seed_and_day_give_the_same_studio_which_passes_desk_check(tmp_path: Path) -> None:
    first = generate(tmp_path / "a.sqlite3", years=0.15, members=60, seed=7, today=TODAY)
    second = generate(tmp_path / "b.sqlite3", years=0.15, members=60, seed=7, today=TODAY)
    other = generate(tmp_path / "c.sqlite3", years=0.15, members=60, seed=8, today=TODAY)

    assert first.counts["bookings"] > 500
    assert first.counts["ledger_entries"] > 300
    assert check_database(first.path).bookings == first.counts["bookings"]
    assert _fingerprint(first.path) == _fingerprint(second.path)
    assert _fingerprint(first.path) != _fingerprint(other.path)
    assert not any(gen_verify.problems(first.path).values())


def test_the_ledger_checks_notice_a_broken_ledger(tmp_path: Path) -> None:
    made = generate(tmp_path / "s.sqlite3", years=0.1, members=40, seed=3, today=TODAY)
    conn = sqlite3.connect(made.path)
    with conn:
        # A package consumed far past its sessions, and a completed booking nobody paid for.
        sale_id = conn.execute(
            "SELECT sale_id FROM ledger_entries WHERE kind = 'consume' AND delta = -1 LIMIT 1"
        ).fetchone()[0]
        conn.execute("UPDATE ledger_entries SET delta = -99 WHERE kind = 'sale' AND sale_id = ?",
                     (sale_id,))  # fmt: skip
        conn.execute(
            "DELETE FROM ledger_entries WHERE id = (SELECT min(l.id) FROM ledger_entries l "
            "JOIN bookings b ON b.id = l.booking_id WHERE l.kind = 'consume' "
            "AND b.status = 'completed' AND l.sale_id != ?)",
            (sale_id,),
        )
    conn.close()

    found = gen_verify.problems(made.path)

    assert found["sales below zero"] == 1
    assert found["check-ins nothing paid for (not drop-ins)"] == 1


def test_the_diagnostic_tools_run_on_a_studio(tmp_path: Path) -> None:
    from bench import explain, index_trials

    made = generate(tmp_path / "s.sqlite3", years=0.1, members=40, seed=5, today=TODAY)

    text = explain.explain(made.path, [], slower_than=0.0)
    found = index_trials.trials(made.path, tmp_path / "scratch.sqlite3", repeat=1)

    for name in ("occupancy", "noshows", "members", "packages", "week", "profile"):
        assert f"== {name}:" in text
    assert "SCAN" in text or "SEARCH" in text
    assert len(found) == len(index_trials.CANDIDATES) + 4
    assert all(len(times) == len(found["as migrated"]) for times in found.values())
