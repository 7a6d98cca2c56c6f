"""`desk report KIND --db PATH --from DATE --to DATE --format csv|pdf --out FILE`.

For owners who script: the same documents the Reports screen shows, as CSV (one file per table,
the main one at FILE) or as one PDF. Progress goes to stderr when it is a terminal; Ctrl+C stops
the export and leaves no half-written file.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from desk.domain.errors import DomainError
from desk.reports.csv_export import export_csv
from desk.reports.documents import FILTERABLE, KINDS, ReportRequest, build
from desk.reports.progress import ExportCancelled, Progress
from desk.store import migrate
from desk.store.db import Database


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-03-31") from exc


HELP = "export an owner report as CSV or PDF"


def add_report_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report",
        help=HELP,
        description="Export an owner report (the numbers of the Reports screen) as CSV or PDF.",
    )
    add_report_arguments(parser)
    parser.set_defaults(handler=run_report_command)
    return parser


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments alone, for desk/cli.py's `Command(name, help, add_arguments, run)`."""
    parser.add_argument("kind", choices=list(KINDS), help="which report")
    parser.add_argument("--db", required=True, type=Path, help="the studio database file")
    parser.add_argument(
        "--from", dest="date_from", required=True, type=_day, help="first studio day, YYYY-MM-DD"
    )
    parser.add_argument(
        "--to",
        dest="date_to",
        required=True,
        type=_day,
        help="last studio day (included), YYYY-MM-DD",
    )
    parser.add_argument("--format", choices=("csv", "pdf"), default="csv")
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        help="file to write; for CSV the other tables go beside it",
    )
    parser.add_argument("--table", help="CSV: write only this table (e.g. heatmap, chronic)")
    parser.add_argument("--service", type=int, help="occupancy/noshows: only this service id")
    parser.add_argument("--trainer", type=int, help="occupancy/noshows: only this trainer id")
    parser.add_argument("--room", type=int, help="occupancy/noshows: only this room id")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _progress(quiet: bool) -> Progress:
    if quiet or not sys.stderr.isatty():
        return Progress()

    def show(done: int, total: int, label: str) -> None:
        percent = 100 * done // max(total, 1)
        sys.stderr.write(f"\r  {percent:3d}%  {label[:50]:<50}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return Progress(report=show)


def _open_database(path: Path) -> Database:
    """Open for reading only: refuse a file that is not a desk database or needs an upgrade."""
    if not path.is_file():
        raise migrate.DatabaseError(f"No database at {path}.")
    db = Database.open_file(path)
    try:
        revision = migrate.verify_openable(db)
        if revision != migrate.head_revision():
            raise migrate.DatabaseError(
                f"{path} needs upgrading first: open it once in the app (or run `desk check`)."
            )
    except BaseException:
        db.dispose()
        raise
    return db


def run_report_command(args: argparse.Namespace) -> int:
    """Run `desk report`; returns the process exit code."""
    if args.kind not in FILTERABLE and (args.service or args.trainer or args.room):
        print(
            f"error: the {args.kind} report covers the whole studio; drop the filters.",
            file=sys.stderr,
        )
        return 2
    if args.table and args.format != "csv":
        print("error: --table only applies to CSV.", file=sys.stderr)
        return 2
    try:
        request = ReportRequest(
            args.kind, args.date_from, args.date_to, args.service, args.trainer, args.room
        )
        db = _open_database(args.db)
        try:
            with db.read() as session:
                document = build(session, request)
        finally:
            db.dispose()
        progress = _progress(args.quiet)
        if args.format == "pdf":
            from desk.ui.reports.pdf_export import export_pdf

            written = [export_pdf(document, args.out, progress=progress)]
        else:
            written = export_csv(document, args.out, table=args.table, progress=progress)
    except KeyError as exc:
        print(f"error: no table {exc.args[0]!r} in this report.", file=sys.stderr)
        return 2
    except (ExportCancelled, KeyboardInterrupt):
        print("\nExport cancelled; nothing was written.", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"error: cannot write {exc.filename or args.out}: {exc.strerror}", file=sys.stderr)
        return 1
    except (DomainError, migrate.DatabaseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m desk.report_command ...`); `desk report` is the usual way."""
    parser = argparse.ArgumentParser(prog="desk")
    add_report_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
