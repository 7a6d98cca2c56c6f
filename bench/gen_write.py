"""Buffered bulk inserts of generated rows through SQLAlchemy Core, in foreign-key order.

Values are the Python objects the models declare (aware UTC datetimes, enum members), so the
models' own column types turn them into exactly what the desk would have stored.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from desk.store.models import Base

#: Parents before children, so every foreign key points at a row that is already there.
ORDER = (
    "members",
    "class_sessions",
    "sales",
    "sale_services",
    "bookings",
    "waitlist_entries",
    "ledger_entries",
    "noshow_records",
)
CHUNK = 20_000

Row = dict[str, Any]


class Rows:
    """Rows waiting to be written, and how many of each were written so far."""

    def __init__(self) -> None:
        self.buffers: dict[str, list[Row]] = {name: [] for name in ORDER}
        self.written: Counter[str] = Counter()
        self._next_id: Counter[str] = Counter()

    def next_id(self, table: str) -> int:
        self._next_id[table] += 1
        return self._next_id[table]

    def add(self, table: str, row: Row) -> Row:
        self.buffers[table].append(row)
        return row

    @property
    def pending(self) -> int:
        return sum(len(rows) for rows in self.buffers.values())

    def flush(self, session: Session) -> None:
        conn = session.connection()
        for name in ORDER:
            rows = self.buffers[name]
            if not rows:
                continue
            table = Base.metadata.tables[name]
            for start in range(0, len(rows), CHUNK):
                conn.execute(insert(table), rows[start : start + CHUNK])
            self.written[name] += len(rows)
            self.buffers[name] = []
