"""The desk's everyday reads on the big studio, each against hand-written SQL for the same answer.

Ours runs exactly what the screens run, in a read transaction of the real `Database`:
- week schedule: `desk.ui.schedule.data.load_calendar` (sessions_between + occupancy_between +
  trainers + rooms) for the current week;
- member search: `desk.services.members.search` for name prefixes (first name, surname, two
  words) and phone fragments, as typed in the search box;
- member profile: `desk.ui.members.data.load_profile` (entitlements with balances, no-show
  standing and history, the last 200 bookings and 500 ledger lines), for the member with the
  most bookings;
- a year's occupancy: `desk.services.reports.occupancy.occupancy` over the last 365 days;
- the other owner reports (no-shows, members, packages) over the same year, figures only.

The baselines are plain `sqlite3` statements returning the same rows, on a warm connection.
Every figure is the median of several runs after a warm-up, ours and baseline taken in turn.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.timing import Line, interleaved, timed
from desk.domain.timeutil import day_bounds, local_date, week_start, zone
from desk.services import members
from desk.services.reports.occupancy import occupancy
from desk.store.db import Database
from desk.store.types import utcnow

_FMT = "%Y-%m-%d %H:%M:%S.%f"
NAME_QUERIES = ("e", "ay", "mehmet", "yıl", "zeynep k")


def _text(at: datetime) -> str:
    return at.astimezone(UTC).strftime(_FMT)


WEEK_SQL = """
SELECT cs.id, cs.kind, cs.service_id, sv.name, sv.kind, sv.colour, cs.trainer_id, t.name,
       cs.room_id, r.name, cs.starts_at, cs.ends_at, cs.capacity, cs.status,
       cs.timetable_entry_id, cs.note,
       (SELECT count(*) FROM bookings b WHERE b.class_session_id = cs.id
          AND b.status IN ('booked', 'completed')),
       (SELECT count(*) FROM waitlist_entries w WHERE w.class_session_id = cs.id
          AND w.status IN ('waiting', 'offered')),
       (SELECT count(*) FROM waitlist_entries w WHERE w.class_session_id = cs.id
          AND w.status = 'offered' AND w.offer_expires_at > ?)
FROM class_sessions cs JOIN services sv ON sv.id = cs.service_id
JOIN trainers t ON t.id = cs.trainer_id LEFT JOIN rooms r ON r.id = cs.room_id
WHERE cs.starts_at >= ? AND cs.starts_at < ? ORDER BY cs.starts_at, cs.id
"""

MEMBER_COLUMNS = (
    "id, full_name, phone, whatsapp_id, email, notes, whatsapp_consent, archived, created_at"
)
SEARCH_SQL = f"""SELECT {MEMBER_COLUMNS} FROM members WHERE archived = 0
    AND search_name BETWEEN ? AND ? ORDER BY search_name LIMIT ?"""
LATER_WORD_SQL = f"""SELECT {MEMBER_COLUMNS} FROM members WHERE archived = 0
    AND search_name LIKE ? ESCAPE '\\' AND id NOT IN ({{seen}}) ORDER BY search_name LIMIT ?"""
PHONE_SQL = f"""SELECT {MEMBER_COLUMNS} FROM members WHERE archived = 0
    AND (phone = ? OR phone LIKE ?) ORDER BY search_name LIMIT 20"""

PROFILE_SQL = (
    f"SELECT {MEMBER_COLUMNS} FROM members WHERE id = :m",
    """SELECT s.*, coalesce((SELECT sum(delta) FROM ledger_entries l WHERE l.sale_id = s.id), 0),
              (SELECT group_concat(sv.name) FROM sale_services ss
                 JOIN services sv ON sv.id = ss.service_id WHERE ss.sale_id = s.id),
              st.name
       FROM sales s LEFT JOIN staff_users st ON st.id = s.seller_id
       WHERE s.member_id = :m AND s.voided_at IS NULL ORDER BY s.sold_at, s.id""",
    """SELECT p.* FROM sale_pauses p JOIN sales s ON s.id = p.sale_id WHERE s.member_id = :m""",
    """SELECT booking_id, service_kind, reason, occurred_at FROM noshow_records
       WHERE member_id = :m ORDER BY occurred_at DESC, id DESC""",
    """SELECT b.*, cs.starts_at, sv.name, t.name FROM bookings b
       JOIN class_sessions cs ON cs.id = b.class_session_id
       JOIN services sv ON sv.id = cs.service_id JOIN trainers t ON t.id = cs.trainer_id
       WHERE b.member_id = :m ORDER BY cs.starts_at DESC, b.id DESC LIMIT 200""",
    """SELECT l.*, s.product_name, st.name FROM ledger_entries l JOIN sales s ON s.id = l.sale_id
       LEFT JOIN staff_users st ON st.id = l.created_by
       WHERE l.member_id = :m ORDER BY l.created_at DESC, l.id DESC LIMIT 500""",
)

OCCUPANCY_SQL = """
SELECT cs.id, cs.starts_at, cs.service_id, cs.trainer_id, cs.room_id, cs.capacity,
  sum(b.status IN ('booked', 'completed', 'no_show')), sum(b.status = 'completed'),
  sum(b.status = 'no_show'), sum(b.status = 'late_cancelled'),
  (SELECT count(*) FROM waitlist_entries w WHERE w.class_session_id = cs.id)
FROM class_sessions cs LEFT JOIN bookings b ON b.class_session_id = cs.id
WHERE cs.starts_at >= ? AND cs.starts_at < ? AND cs.kind = 'class' AND cs.status = 'scheduled'
GROUP BY cs.id ORDER BY cs.starts_at
"""


def _hand_search(conn: sqlite3.Connection, text: str, limit: int = 20) -> list[Any]:
    key = members.search_key(text)
    found = conn.execute(SEARCH_SQL, (key, key + "\U0010ffff", limit)).fetchall()
    if len(found) < limit:
        like = "% " + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        seen = ",".join(str(row[0]) for row in found) or "NULL"
        sql = LATER_WORD_SQL.format(seen=seen)
        found += conn.execute(sql, (like, limit - len(found))).fetchall()
    return found


def _hand_phone(conn: sqlite3.Connection, e164: str | None, digits: str) -> list[Any]:
    return conn.execute(PHONE_SQL, (e164, f"%{digits}%")).fetchall()


class Reads:
    def __init__(self, path: Path, repeat: int) -> None:
        self.db = Database.open_file(path)
        self.conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        self.repeat = repeat
        self.tz = zone(self.conn.execute("SELECT timezone FROM studio_settings").fetchone()[0])
        self.now = utcnow()
        self.today = local_date(self.now, self.tz)

    def close(self) -> None:
        self.conn.close()
        self.db.dispose()

    def compare(self, ours: Callable[[], Any], hand: Callable[[], Any]) -> tuple[float, float]:
        a, b, _, _ = interleaved(ours, hand, repeat=self.repeat)
        return a * 1000, b * 1000

    def week(self) -> tuple[float, float, int, int]:
        from desk.ui.schedule.data import load_calendar  # the schedule screen's own read

        monday = week_start(self.today)
        start = day_bounds(monday, self.tz)[0]
        end = day_bounds(monday + timedelta(days=6), self.tz)[1]

        def ours() -> Any:
            return self.db.query(lambda s: load_calendar(s, first_day=monday, days=7, now=self.now))

        def hand() -> Any:
            rows = self.conn.execute(WEEK_SQL, (_text(self.now), _text(start), _text(end)))
            found = rows.fetchall()
            self.conn.execute("SELECT * FROM trainers WHERE active ORDER BY name").fetchall()
            self.conn.execute("SELECT * FROM rooms WHERE active ORDER BY name").fetchall()
            return found

        ms, base = self.compare(ours, hand)
        return ms, base, len(ours().rows), len(hand())

    def search(self, text: str) -> tuple[float, float]:
        return self.compare(
            lambda: self.db.query(lambda s: members.search(s, text)),
            lambda: _hand_search(self.conn, text),
        )

    def phone(self, typed: str) -> tuple[float, float]:
        from desk.domain import phone as phones

        e164 = phones.try_normalise(typed, "TR")
        digits = phones.digits(typed).lstrip("0")
        return self.compare(
            lambda: self.db.query(lambda s: members.search(s, typed)),
            lambda: _hand_phone(self.conn, e164, digits),
        )

    def other_reports(self) -> dict[str, float]:
        """The owner's other reports over the same year (no hand-SQL twin: figures only)."""
        from desk.services.reports.members import members as members_report
        from desk.services.reports.noshows import no_shows
        from desk.services.reports.packages import packages

        year = {
            "date_from": self.today - timedelta(days=365),
            "date_to": self.today - timedelta(days=1),
            "now": self.now,
        }
        works = {
            "no-shows": lambda s: no_shows(s, **year),
            "members": lambda s: members_report(s, **year),
            "packages": lambda s: packages(s, **year),
        }
        repeat = max(1, self.repeat // 5)
        return {
            name: timed(lambda w=work: self.db.query(w), repeat=repeat)[0] * 1000
            for name, work in works.items()
        }

    def busiest_member(self) -> tuple[int, int]:
        row = self.conn.execute(
            """SELECT m.id, count(*) FROM bookings b JOIN members m ON m.id = b.member_id
               WHERE NOT m.archived GROUP BY m.id ORDER BY count(*) DESC LIMIT 1"""
        ).fetchone()
        return int(row[0]), int(row[1])

    def profile(self, member_id: int) -> tuple[float, float]:
        from desk.ui.members.data import load_profile  # the profile screen's own read

        def ours() -> Any:
            return self.db.query(lambda s: load_profile(s, member_id=member_id, now=self.now))

        def hand() -> Any:
            return [self.conn.execute(sql, {"m": member_id}).fetchall() for sql in PROFILE_SQL]

        return self.compare(ours, hand)

    def year_occupancy(self) -> tuple[float, float, int, int]:
        first, last = self.today - timedelta(days=365), self.today - timedelta(days=1)
        start, end = day_bounds(first, self.tz)[0], day_bounds(last, self.tz)[1]

        def ours() -> Any:
            return self.db.query(lambda s: occupancy(s, date_from=first, date_to=last))

        def hand() -> Any:
            return self.conn.execute(OCCUPANCY_SQL, (_text(start), _text(end))).fetchall()

        ms, base = self.compare(ours, hand)
        return ms, base, len(ours().sessions), len(hand())


def sample_phone(path: Path) -> str:
    """A real member's number as reception types it: national form with spaces."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        e164 = conn.execute(
            "SELECT phone FROM members WHERE phone LIKE '+905%' AND NOT archived "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
    finally:
        conn.close()
    national = "0" + e164[3:]
    return f"{national[:4]} {national[4:7]} {national[7:9]} {national[9:]}"


def lines(path: Path, *, quick: bool, log: Callable[[str], None] = print) -> list[Line]:
    reads = Reads(path, repeat=3 if quick else 15)
    try:
        week_ms, week_base, week_rows, week_hand_rows = reads.week()
        log(f"  week schedule: {week_rows} sessions (hand SQL {week_hand_rows})")
        names = {text: reads.search(text) for text in NAME_QUERIES}
        for text, (ms, base) in names.items():
            log(f"  search {text!r}: {ms:.2f} ms (hand SQL {base:.2f} ms)")
        slowest = max(names, key=lambda t: names[t][0])
        typed = sample_phone(path)
        whole, fragment = reads.phone(typed), reads.phone(typed[1:8])
        log(f"  phone {typed!r}: {whole[0]:.2f} ms; fragment {typed[1:8]!r}: {fragment[0]:.2f} ms")
        member_id, bookings = reads.busiest_member()
        profile_ms, profile_base = reads.profile(member_id)
        occ_ms, occ_base, occ_rows, occ_hand_rows = reads.year_occupancy()
        log(f"  year occupancy: {occ_rows} sessions (hand SQL {occ_hand_rows})")
        others = reads.other_reports()
    finally:
        reads.close()
    slow_phone = max((whole, fragment), key=lambda pair: pair[0])
    return [
        Line("week schedule (one week, counts, names)", "ms", week_ms, week_base,
             targets=(("ours<", 100.0),)),
        Line(f"member search: name prefix (slowest: {slowest!r})", "ms", *names[slowest],
             targets=(("ours<", 30.0),)),
        Line("member search: phone (whole or fragment)", "ms", *slow_phone,
             targets=(("ours<", 30.0),)),
        Line(f"member profile (busiest member, {bookings:,} bookings)", "ms", profile_ms,
             profile_base),
        Line("a year's occupancy report", "ms", occ_ms, occ_base,
             targets=(("ours<", 1000.0), ("ratio<=", 1.5))),
        *(Line(f"a year's {name} report", "ms", ms) for name, ms in others.items()),
        Line("week schedule / occupancy rows differ from hand SQL", "",
             abs(week_rows - week_hand_rows) + abs(occ_rows - occ_hand_rows), 0, counter=True),
    ]  # fmt: skip
