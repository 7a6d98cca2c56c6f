"""Checks a studio database keeps the desk's promises: ledger, seats and no-show records.

Each check counts violations (every count must be 0). `desk check` covers integrity, foreign
keys and the schema; these cover the business rules a bulk insert could have got wrong.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SQL_CHECKS = {
    "sales below zero": """
        SELECT count(*) FROM (SELECT sale_id FROM ledger_entries GROUP BY sale_id
                              HAVING sum(delta) < 0)""",
    "sessions over capacity": """
        SELECT count(*) FROM (SELECT cs.id FROM class_sessions cs
            JOIN bookings b ON b.class_session_id = cs.id
            WHERE b.status IN ('booked', 'completed')
            GROUP BY cs.id HAVING count(*) > max(cs.capacity))""",
    "seats outside the room": """
        SELECT count(*) FROM bookings b JOIN class_sessions cs ON cs.id = b.class_session_id
        WHERE b.seat_no > cs.capacity""",
    "check-ins nothing paid for (not drop-ins)": """
        SELECT count(*) FROM bookings b
        WHERE b.status = 'completed' AND NOT b.is_drop_in AND NOT EXISTS (
            SELECT 1 FROM ledger_entries l WHERE l.kind = 'consume' AND l.booking_id = b.id
              AND l.completion_round = b.completion_round)""",
    "restores without their consumption": """
        SELECT count(*) FROM ledger_entries r WHERE r.kind = 'restore' AND NOT EXISTS (
            SELECT 1 FROM ledger_entries c WHERE c.kind = 'consume' AND c.booking_id = r.booking_id
              AND c.completion_round = r.completion_round AND c.sale_id = r.sale_id)""",
    "ledger rows of another member's sale or booking": """
        SELECT count(*) FROM ledger_entries l JOIN sales s ON s.id = l.sale_id
        LEFT JOIN bookings b ON b.id = l.booking_id
        WHERE s.member_id != l.member_id OR (b.id IS NOT NULL AND b.member_id != l.member_id)""",
    "consumptions outside the sale's services": """
        SELECT count(*) FROM ledger_entries l JOIN bookings b ON b.id = l.booking_id
        JOIN class_sessions cs ON cs.id = b.class_session_id
        WHERE l.kind = 'consume' AND NOT EXISTS (
            SELECT 1 FROM sale_services ss WHERE ss.sale_id = l.sale_id
              AND ss.service_id = cs.service_id)""",
    "no-show records on bookings that were not missed": """
        SELECT count(*) FROM noshow_records n JOIN bookings b ON b.id = n.booking_id
        WHERE b.status NOT IN ('no_show', 'late_cancelled')""",
    "two live bookings of one member in one session": """
        SELECT count(*) FROM (SELECT 1 FROM bookings WHERE status IN ('booked', 'completed')
            GROUP BY class_session_id, member_id HAVING count(*) > 1)""",
}

_CONSUMPTIONS = """
    SELECT l.kind, l.sale_id, cs.starts_at, s.starts_on, s.expires_on, s.weekly_cap
    FROM ledger_entries l JOIN bookings b ON b.id = l.booking_id
    JOIN class_sessions cs ON cs.id = b.class_session_id JOIN sales s ON s.id = l.sale_id
    WHERE l.kind IN ('consume', 'restore')
"""


def _terms_problems(conn: sqlite3.Connection, tz: ZoneInfo) -> dict[str, int]:
    """Consumptions outside the sale's validity, and memberships over their weekly cap."""
    outside = 0
    weeks: Counter[tuple[int, date]] = Counter()
    caps: dict[int, int] = {}
    for kind, sale_id, starts_at, starts_on, expires_on, cap in conn.execute(_CONSUMPTIONS):
        day = datetime.fromisoformat(starts_at).replace(tzinfo=UTC).astimezone(tz).date()
        if kind == "consume" and not (
            date.fromisoformat(starts_on) <= day <= date.fromisoformat(expires_on)
        ):
            outside += 1
        if cap is not None:
            caps[sale_id] = cap
            weeks[(sale_id, day - timedelta(days=day.weekday()))] += 1 if kind == "consume" else -1
    over = sum(1 for (sale_id, _), n in weeks.items() if sale_id in caps and n > caps[sale_id])
    return {
        "consumptions outside the sale's dates": outside,
        "membership weeks over their cap": over,
    }


def problems(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = {name: int(conn.execute(sql).fetchone()[0]) for name, sql in SQL_CHECKS.items()}
        tz = ZoneInfo(conn.execute("SELECT timezone FROM studio_settings").fetchone()[0])
        found.update(_terms_problems(conn, tz))
    finally:
        conn.close()
    return found


def describe(found: dict[str, int]) -> str:
    bad = {name: n for name, n in found.items() if n}
    if not bad:
        return f"verified: {len(found)} ledger/seat/no-show checks, 0 violations"
    return "VIOLATIONS: " + "; ".join(f"{name}: {n}" for name, n in bad.items())
