"""Measuring helpers and the one result table every benchmark adds its lines to."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def timed(work: Callable[[], Any], *, repeat: int, warmup: int = 1) -> tuple[float, Any]:
    """Median wall time of `repeat` runs after `warmup` discarded ones, and the last result."""
    result = None
    for _ in range(warmup):
        result = work()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def interleaved(
    ours: Callable[[], Any], baseline: Callable[[], Any], *, repeat: int, warmup: int = 1
) -> tuple[float, float, Any, Any]:
    """Medians of both, measured turn about so a load spike hits both alike."""
    a_result = b_result = None
    for _ in range(warmup):
        a_result, b_result = ours(), baseline()
    a_times, b_times = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        a_result = ours()
        a_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        b_result = baseline()
        b_times.append(time.perf_counter() - started)
    return statistics.median(a_times), statistics.median(b_times), a_result, b_result


@dataclass(frozen=True)
class Line:
    """One row of the table: our figure, the baseline's, and the target if there is one.

    `higher_is_better` says which way the ratio (ours / baseline) should point.
    """

    name: str
    unit: str
    ours: float
    baseline: float | None = None
    higher_is_better: bool = False
    #: A target on the ratio or the figure, e.g. ("ratio>=", 1/3) or ("ours<", 0.1)
    targets: tuple[tuple[str, float], ...] = ()
    #: Correctness counters (must be 0) are asserted, not just printed.
    counter: bool = False

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.ours / self.baseline

    def met(self) -> bool | None:
        if self.counter:
            return self.ours == 0 and (self.baseline or 0) == 0
        if not self.targets:
            return None
        return all(self._meets(kind, value) for kind, value in self.targets)

    def _meets(self, kind: str, value: float) -> bool:
        subject = self.ratio if kind.startswith("ratio") else self.ours
        if subject is None:
            return False
        if kind.endswith(">="):
            return subject >= value
        if kind.endswith("<="):
            return subject <= value
        return subject < value

    def target_text(self) -> str:
        if self.counter:
            return "= 0"
        words = []
        for kind, value in self.targets:
            what = "ratio" if kind.startswith("ratio") else ""
            sign = kind.removeprefix("ratio").removeprefix("ours")
            shown = f"{value:.2f}" if what else _figure(value)
            words.append(f"{what} {sign} {shown}".strip())
        return ", ".join(words)


def _figure(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def render(lines: Sequence[Line]) -> str:
    """The one table: benchmark, ours, baseline, ratio, target, met."""
    header = ("benchmark", "ours", "baseline", "ratio", "target", "met")
    body = []
    for line in lines:
        ratio = line.ratio
        met = line.met()
        body.append(
            (
                line.name,
                f"{_figure(line.ours)} {line.unit}",
                "" if line.baseline is None else f"{_figure(line.baseline)} {line.unit}",
                "" if ratio is None else f"{ratio:.2f}",
                line.target_text(),
                "" if met is None else ("yes" if met else "NO"),
            )
        )
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    out = [" | ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True))]
    out.append("-+-".join("-" * w for w in widths))
    for row in body:
        out.append(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    return "\n".join(out)


def markdown(lines: Sequence[Line]) -> str:
    """The same table as Markdown, for docs/performance.md."""
    text = render(lines).splitlines()
    cells = [[c.strip() for c in row.split(" | ")] for row in [text[0], *text[2:]]]
    out = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
    out += ["| " + " | ".join(row) + " |" for row in cells[1:]]
    return "\n".join(out)
