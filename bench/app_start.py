"""App cold start to a usable schedule, and its peak memory, against a bare PySide6 window.

Each launch is a new Python process (`bench.app_probe`) timed from just before it is spawned:
interpreter start, imports, opening (and schema-checking) the database, building the main
window (each page is built on its first visit), and the first paint of the week's schedule
with its sessions. The baseline is the floor for any Python + Qt desk app: an empty
QMainWindow shown and painted. The OS file cache is warm after the first launch, as it is on
a desk PC that ran the app before; launches alternate between ours and the baseline, and the
median is reported. So is Python's bytecode cache: an installed desk never compiles its
sources at start (the bundle and pip ship bytecode), so the probes may write theirs (to a
folder under the temp dir, not the work tree) even where PYTHONDONTWRITEBYTECODE is set, as
it is in some sandboxes; without that every launch would compile the desk's own modules
again (~80 before the first screen, ~0.3 s of CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.timing import Line

TIMEOUT_S = 180
BYTECODE_CACHE = Path(tempfile.gettempdir()) / "studio-desk-bench-pycache"


def _probe_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(BYTECODE_CACHE)
    return env


def launch(args: list[str]) -> tuple[float, dict[str, Any]]:
    """(seconds from spawn to usable, the probe's marks relative to the spawn)."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bench.app_probe", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
        env=_probe_environment(),
    )
    if done.returncode != 0:
        raise RuntimeError(f"app probe failed ({done.returncode}): {done.stderr[-1500:]}")
    marks = json.loads(done.stdout.strip().splitlines()[-1])
    relative = {k: (v if k.startswith(("rss", "cpu")) else v - started) for k, v in marks.items()}
    return relative["usable"], relative


Launch = tuple[float, dict[str, Any]]


def launches(path: Path, *, runs: int, warm: int) -> tuple[list[Launch], list[Launch]]:
    """`runs` launches of ours and of the bare window, turn about, after `warm` uncounted pairs
    (the first pair warms the file cache)."""
    ours, bare = [], []
    for _ in range(warm + runs):
        ours.append(launch(["--db", str(path)]))
        bare.append(launch(["--bare"]))
    return ours[warm:], bare[warm:]


def lines(path: Path, *, quick: bool, log: Callable[[str], None] = print) -> list[Line]:
    runs, warm = (1, 0) if quick else (5, 1)
    ours, bare = launches(path, runs=runs, warm=warm)
    start = statistics.median(t for t, _ in ours)
    floor = statistics.median(t for t, _ in bare)
    rss = statistics.median(m["rss_mb"] for _, m in ours)
    rss_floor = statistics.median(m["rss_mb"] for _, m in bare)
    marks = min(ours, key=lambda pair: abs(pair[0] - start))[1]
    log(
        "  app start: imports done {imported:.2f} s, database open {opened:.2f} s, window "
        "built and shown {shown:.2f} s, schedule painted {usable:.2f} s; RSS when usable "
        "{rss_usable_mb:.0f} MB, after Today/Members/profile {rss_mb:.0f} MB".format(**marks)
    )
    return [
        Line("app start to a usable schedule (offscreen)", "s", start, floor,
             targets=(("ours<", 2.0),)),
        Line("app peak RSS, studio open (schedule, today, members, profile)", "MB", rss,
             rss_floor),
    ]  # fmt: skip


def main() -> int:
    """`python -m bench.app_start --db PATH [--runs N]`: this benchmark alone, each launch shown."""
    parser = argparse.ArgumentParser(prog="python -m bench.app_start")
    parser.add_argument("--db", type=Path, required=True, metavar="PATH", help="a studio database")
    parser.add_argument("--runs", type=int, default=5, help="counted launches of each (default 5)")
    args = parser.parse_args()
    ours, bare = launches(args.db, runs=args.runs, warm=1)
    for name, runs in (("desk", ours), ("empty window", bare)):
        for what, values in (
            ("usable", [t for t, _ in runs]),
            ("CPU", [m["cpu_s"] for _, m in runs]),
        ):
            times = sorted(values)
            shown = ", ".join(f"{t:.2f}" for t in times)
            middle = statistics.median(times)
            print(
                f"{name} {what}: median {middle:.2f} s, {times[0]:.2f}-{times[-1]:.2f} s ({shown})"
            )
    for _seconds, marks in ours:
        print(
            "  desk {usable:.2f} s: imports {imported:.2f}, database open {opened:.2f}, window "
            "shown {shown:.2f}; RSS usable {rss_usable_mb:.0f} MB, browsed {rss_mb:.0f} MB".format(
                **marks
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
