"""CSV export: one file per table, plain numbers and ISO dates a spreadsheet reads as such.

`--out FILE` gets the report's main table; every other table goes beside it as
`FILE-<table>.csv`. Files are written as UTF-8 with a byte-order mark so Excel shows "Ayşe"
rather than mojibake, and are written to a temporary name first so a cancelled or failed export
never leaves a half file behind.
"""

from __future__ import annotations

import csv
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from desk.reports.model import ReportDocument, Table, export
from desk.reports.progress import ExportCancelled, Progress

ROWS_PER_STEP = 500


def write_table(table: Table, stream: TextIO, on_rows: Callable[[int], None] | None = None) -> None:
    """Write one table; `on_rows(n)` hears every few hundred rows how many are done."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([c.header for c in table.columns])
    for index, row in enumerate(table.rows, start=1):
        writer.writerow([export(c.get(row), c.kind) for c in table.columns])
        if on_rows is not None and index % ROWS_PER_STEP == 0:
            on_rows(index)


def table_paths(document: ReportDocument, out: Path) -> list[tuple[Table, Path]]:
    """Where each table goes: the main one to `out`, the others beside it."""
    main = document.main_table
    others = [t for t in (*document.tables, document.summary) if t.slug != main.slug]
    suffix = out.suffix or ".csv"
    return [(main, out)] + [(t, out.with_name(f"{out.stem}-{t.slug}{suffix}")) for t in others]


def _advance(progress: Progress, base: int, total: int, label: str, rows: int) -> None:
    progress.step(base + rows, total, label)


def _write_all(pairs: list[tuple[Table, Path]], progress: Progress) -> list[Path]:
    total = sum(len(t.rows) + 1 for t, _ in pairs)
    done = 0
    temporary = [path.with_name(path.name + ".part") for _, path in pairs]
    try:
        for (table, _), partial in zip(pairs, temporary, strict=True):
            with partial.open("w", encoding="utf-8-sig", newline="") as stream:
                at = functools.partial(_advance, progress, done, total, table.title)
                write_table(table, stream, at)
            done += len(table.rows) + 1
            progress.step(done, total, table.title)
        for (_, path), partial in zip(pairs, temporary, strict=True):
            os.replace(partial, path)
    except BaseException:
        for partial in temporary:
            partial.unlink(missing_ok=True)
        raise
    return [path for _, path in pairs]


def export_csv(
    document: ReportDocument,
    out: Path,
    *,
    table: str | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the report's tables (or just `table`) as CSV; returns the files written."""
    progress = progress or Progress()
    out = Path(out)
    if table is not None:
        return _write_all([(document.table(table), out)], progress)
    return _write_all(table_paths(document, out), progress)


__all__ = ["ExportCancelled", "export_csv", "table_paths", "write_table"]
