"""`python -m bench --quick` runs end to end, and its correctness counters hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.concurrency
def test_quick_benchmark_runs_and_its_counters_are_zero(tmp_path: Path) -> None:
    table = tmp_path / "table.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--workdir", str(tmp_path),
         "--markdown", str(table)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    rows = {
        cells[1]: cells[2:]
        for cells in (line.split("|") for line in table.read_text().splitlines()[2:])
    }
    counters = {name.strip(): cells for name, cells in rows.items() if cells[3].strip() == "= 0"}
    assert any("overbookings" in name for name in counters)
    assert any("ledger" in name for name in counters)
    for name, cells in counters.items():
        assert cells[0].strip() == "0" and cells[4].strip() == "yes", name
    claims = [name for name in rows if "claims/s" in name]
    assert len(claims) == 6  # 1, 4 and 8 workers, as threads and as processes
