"""`python -m bench [--quick]`: every benchmark, one table, ratios measured in the same run.

    python -m bench --quick                     # CI smoke run: a 6-month studio, small plans
    python -m bench --db /tmp/studio-10y.sqlite3 # the full run on a generated 10-year studio
    python -m bench                             # generates the 10-year studio first (minutes)

The studio database is only read; the write benchmarks (seat claims, check-in and undo) run on
a copy beside it. Figures are printed, not asserted; correctness counters (overbookings, ledger
rows, lost messages) are asserted: the exit status is 1 if any of them is not zero.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import app_start, generate, ledger_ops, reads, seat_claims
from bench.timing import Line, markdown, render

Benchmark = Callable[..., list[Line]]


def _copy(source: Path, target: Path) -> Path:
    """A consistent copy through SQLite's backup API (WAL included)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def relay_lines(result: dict[str, Any]) -> list[Line]:
    web, base = result["webhook"], result["baseline_healthz"]
    rate = f"{result['target_rps']:.0f}/s"
    return [
        Line(f"relay webhook ack at {rate}: p50", "ms", web["p50_ms"], base["p50_ms"]),
        Line(f"relay webhook ack at {rate}: p99", "ms", web["p99_ms"], base["p99_ms"]),
        Line("relay: deliveries lost, doubled or failed", "",
             abs(result["stored_events"] - result["expected_events"]) + web["errors"],
             base["errors"], counter=True),
    ]  # fmt: skip


def sync_lines(result: dict[str, Any]) -> list[Line]:
    real, base = result["assistant_booking"], result["baseline_echo"]
    paced = result["assistant_paced"]
    count = result["messages"]
    missing = (
        sum(abs(r["replies"] - count) for r in (real, base, paced))
        + abs(result["bookings"] - 2 * count)
        + abs(result["graph_calls"] - 3 * count)
    )
    return [
        Line(f"sync burst: {count} WhatsApp bookings at once, end to end", "msg/s",
             real["msgs_per_s"], base["msgs_per_s"], higher_is_better=True),
        Line("sync burst: desk CPU per message (what one core answers)", "msg/s",
             real["desk_capacity_per_s"], base["desk_capacity_per_s"], higher_is_better=True,
             targets=(("ours>=", 80.0),)),
        Line("sync burst: relay CPU per message (what one core relays)", "msg/s",
             1000 / real["relay_cpu_ms_per_msg"] if real.get("relay_cpu_ms_per_msg") else 0.0,
             None, higher_is_better=True, targets=(("ours>=", 80.0),)),
        Line("sync burst: p50 reply", "ms", real["reply_p50_ms"] or 0.0,
             base["reply_p50_ms"] or 0.0),
        Line(f"sync at WhatsApp's {paced['paced_per_s']:.0f}/s: reply p50", "ms",
             paced["reply_p50_ms"] or 0.0, None),
        Line(f"sync at WhatsApp's {paced['paced_per_s']:.0f}/s: reply p99", "ms",
             paced["reply_p99_ms"] or 0.0, None),
        Line("sync: replies or bookings missing, Graph calls off", "", missing, 0, counter=True),
    ]  # fmt: skip


def _external(module: str, adapt: Callable[[dict[str, Any]], list[Line]]) -> Benchmark:
    """Another engineer's `bench/<module>.py` with `run(quick) -> dict`, if it is there."""

    def run(_path: Path, *, quick: bool, log: Callable[[str], None]) -> list[Line]:
        try:
            found = importlib.import_module(f"bench.{module}")
        except ModuleNotFoundError:
            log(f"  bench/{module}.py is not there yet: skipped")
            return []
        result = found.run(quick)
        log(f"  {module}: {result}")
        return adapt(result)

    return run


def benchmarks(studio: Path, scratch: Path) -> list[tuple[str, Path, Benchmark]]:
    """(name, database it runs on, benchmark) in the order they run."""
    return [
        ("seat_claims", scratch, seat_claims.lines),
        ("ledger", scratch, ledger_ops.lines),
        ("reads", studio, reads.lines),
        ("app", studio, app_start.lines),
        ("relay", studio, _external("relay_load", relay_lines)),
        ("sync", studio, _external("sync_burst", sync_lines)),
    ]


def _studio(args: argparse.Namespace, workdir: Path) -> Path:
    if args.db is not None:
        return Path(args.db)
    size = generate.QUICK if args.quick else generate.FULL
    made = generate.generate(
        workdir / "studio.sqlite3", years=size["years"], members=int(size["members"])
    )
    print(made.describe(), flush=True)
    return made.path


def run_all(args: argparse.Namespace, workdir: Path) -> tuple[list[Line], list[str]]:
    studio = _studio(args, workdir)
    scratch = _copy(studio, workdir / "scratch.sqlite3")
    lines: list[Line] = []
    failures: list[str] = []
    for name, path, bench in benchmarks(studio, scratch):
        if args.only and name not in args.only:
            continue
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        try:
            lines += bench(path, quick=args.quick, log=lambda text: print(text, flush=True))
        except Exception:  # one broken benchmark must not hide the others' figures
            failures.append(name)
            traceback.print_exc()
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return lines, failures


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small studio and plans (CI)")
    parser.add_argument("--db", type=Path, help="an existing generated studio (only read)")
    parser.add_argument(
        "--only", nargs="+", choices=[n for n, _, _ in benchmarks(Path(), Path())],
        help="run only these benchmarks",
    )  # fmt: skip
    parser.add_argument("--workdir", type=Path, help="keep the scratch databases here")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    started = time.perf_counter()
    temporary = None
    if args.workdir is None:
        temporary = tempfile.mkdtemp(prefix="studio-bench-")
    workdir = args.workdir or Path(temporary or ".")
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        lines, failures = run_all(args, workdir)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    print()
    print(render(lines))
    if args.markdown:
        args.markdown.write_text(markdown(lines) + "\n", encoding="utf-8")
    broken = [line.name for line in lines if line.counter and not line.met()]
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s")
    if failures or broken:
        print(f"FAILED: benchmarks {failures or 'none'}; counters {broken or 'none'}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
