"""Dates read the same on Windows: no glibc-only strftime flags, days spelled through timeutil."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import desk
from desk.domain.timeutil import day_month, day_month_year, weekday_day_month

DESK = Path(desk.__file__).parent


# "%-d", "%_d", "%^a", "%#d" (glibc or MSVC only) and "%e" (missing from older Windows C
# runtimes): a strftime pattern with any of them works on one OS and fails on the other.
UNPORTABLE = re.compile(r"%[-_^#][A-Za-z]|%e\b")


def test_days_are_spelled_without_leading_zeros():
    assert day_month(date(2025, 11, 3)) == "3 Nov"
    assert day_month_year(date(2025, 11, 3)) == "3 Nov 2025"
    assert weekday_day_month(date(2025, 11, 3)) == "Mon 3 Nov"
    assert weekday_day_month(datetime(2025, 3, 25, 18, 0)) == "Tue 25 Mar"


def test_the_scan_catches_a_platform_specific_flag():
    assert UNPORTABLE.search('f"{when:%a %' + '-d %b}"')
    assert UNPORTABLE.search('start.strftime("%' + 'e %b")')
    assert not UNPORTABLE.search('f"{when:%a %d %b %H:%M} ({share:.0%})"')


def test_no_platform_specific_strftime_flags_in_the_desk():
    files = sorted(DESK.rglob("*.py"))
    # The whole package, the UI and the relay sync included.
    assert {"ui", "sync", "services"} <= {p.relative_to(DESK).parts[0] for p in files}
    assert len(files) > 100
    offenders = [
        f"{path.relative_to(DESK)}:{number}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if UNPORTABLE.search(line)
    ]
    assert offenders == []
