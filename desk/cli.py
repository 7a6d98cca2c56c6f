"""The `desk` command: the GUI by default, headless subcommands for the rest.

    desk [--db PATH | --demo]           open the app (on a fresh demo studio with --demo)
    desk --version
    desk demo --db PATH [--seed N] [--force]
    desk check [--db PATH]
    desk report KIND --db PATH --from DATE --to DATE --format csv|pdf --out FILE
    desk sync [--db PATH] [--relay-url URL --token T] [--once]
    desk screenshots --db PATH --out DIR

Each subcommand is a `Command`: a function that adds its arguments and a function that runs it
and returns the exit code. To add one (`sync`, `screenshots`, `report`...), write those two
functions and append a `Command` to `COMMANDS`; import heavy modules inside them, so
`desk --version` stays instant (only the command being run has its arguments built). Errors
go to stderr with a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from desk import __version__

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"desk: {message}", file=sys.stderr)
    return code


def _db_option(parser: argparse.ArgumentParser, *, required: bool, help: str) -> None:
    # SUPPRESS keeps a top-level `desk --db X check` working when the subcommand omits it.
    parser.add_argument(
        "--db",
        type=Path,
        required=required,
        default=argparse.SUPPRESS,
        metavar="PATH",
        help=help,
    )


def _database_path(args: argparse.Namespace) -> Path:
    if getattr(args, "db", None) is not None:
        return Path(args.db)
    from desk.paths import default_database_path

    return default_database_path()


# --- desk demo ------------------------------------------------------------------------------


def _add_demo(parser: argparse.ArgumentParser) -> None:
    _db_option(parser, required=True, help="where to write the demo studio")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same studio (default 0)")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="build the studio as if today were this day (default: the real today)",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing database at PATH")


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def write_demo(path: Path, *, seed: int, today: date | None) -> str:
    """Build a demo studio in a new database at `path`; returns a one-line summary."""
    from desk.services.demo import build_demo
    from desk.store.open import open_database

    db = open_database(path)
    try:
        with db.write() as session:
            summary = build_demo(session, seed=seed, today=today)
    finally:
        db.dispose()
    return summary.describe()


def _run_demo(args: argparse.Namespace) -> int:
    path = Path(args.db)
    if path.exists() and path.stat().st_size > 0:
        if not args.force:
            return fail(f"{path} already exists; add --force to replace it with a demo studio.")
        _remove_database(path)
    try:
        print(
            f"Demo studio written to {path}: {write_demo(path, seed=args.seed, today=args.today)}"
        )
    except Exception as exc:  # any failure: say it plainly, and leave no half-built file
        _remove_database(path)
        return fail(f"could not build the demo: {exc}")
    return EXIT_OK


# --- desk check -----------------------------------------------------------------------------


def _add_check(parser: argparse.ArgumentParser) -> None:
    _db_option(parser, required=False, help="the database to check (default: the app's own)")


def _run_check(args: argparse.Namespace) -> int:
    from desk.store.migrate import DatabaseError
    from desk.store.open import check_database

    try:
        report = check_database(_database_path(args))
    except DatabaseError as exc:
        return fail(f"check failed: {exc}")
    print(report.summary())
    return EXIT_OK


# --- desk report (desk/report_command.py) ---------------------------------------------


def _add_report(parser: argparse.ArgumentParser) -> None:
    from desk.report_command import add_report_arguments

    add_report_arguments(parser)


def _run_report(args: argparse.Namespace) -> int:
    from desk.report_command import run_report_command

    return run_report_command(args)


# --- desk sync (desk/sync/cli_command.py) -------------------------------------------------


def _add_sync(parser: argparse.ArgumentParser) -> None:
    from desk.sync.cli_command import add_sync_arguments

    add_sync_arguments(parser)


def _run_sync(args: argparse.Namespace) -> int:
    from desk.sync.cli_command import run_sync_command

    return run_sync_command(args)


# --- desk screenshots -----------------------------------------------------------------------


def _add_screenshots(parser: argparse.ArgumentParser) -> None:
    _db_option(parser, required=True, help="the studio database to show (e.g. a demo)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for PNGs")
    parser.add_argument("--dark", action="store_true", help="render in the dark palette")
    parser.add_argument(
        "--at",
        type=_aware_datetime,
        default=None,
        metavar="ISO",
        help="the desk's 'now', with its UTC offset (e.g. 2026-11-27T09:40+03:00)",
    )


def _aware_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("give the UTC offset too, e.g. 2026-11-27T09:40+03:00")
    return value


def _run_screenshots(args: argparse.Namespace) -> int:
    import os

    # Offscreen unless the caller chose a platform: this command must run without a screen.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desk.store.migrate import DatabaseError
    from desk.ui.screenshots import render_screenshots

    if not Path(args.db).exists():
        return fail(f"no database at {args.db} (create one with `desk demo`).")
    try:
        written = render_screenshots(Path(args.db), Path(args.out), dark=args.dark, at=args.at)
    except DatabaseError as exc:
        return fail(str(exc))
    for path in written:
        print(path)
    return EXIT_OK


COMMANDS: list[Command] = [
    Command("demo", "write a realistic demo studio to a new database", _add_demo, _run_demo),
    Command("check", "check a database's integrity and schema version", _add_check, _run_check),
    Command("report", "export an owner report as CSV or PDF", _add_report, _run_report),
    Command("sync", "exchange WhatsApp messages with the relay (headless)", _add_sync, _run_sync),
    Command(
        "screenshots",
        "render the main screens to PNG files (offscreen)",
        _add_screenshots,
        _run_screenshots,
    ),
]


# --- the GUI --------------------------------------------------------------------------------


def demo_copy_path() -> Path:
    from desk.paths import default_database_path

    return default_database_path().with_name("demo-studio.sqlite3")


def _run_gui(args: argparse.Namespace) -> int:
    if args.demo:
        path = demo_copy_path()
        _remove_database(path)
        try:
            write_demo(path, seed=0, today=None)
        except Exception as exc:
            return fail(f"could not build the demo studio: {exc}")
    else:
        path = _database_path(args)
    try:
        from desk.app import run_gui
    except ModuleNotFoundError as exc:
        if exc.name in ("desk.app", "PySide6"):
            return fail(f"the desktop app is not available in this installation ({exc}).")
        raise
    return int(run_gui(path))


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The whole command line. Only the command named in `argv` gets its arguments added, so
    a command's (possibly slow) imports happen only when that command runs."""
    parser = argparse.ArgumentParser(
        prog="desk",
        description="Studio Desk: the front desk for fitness, pilates and PT studios.",
    )
    parser.add_argument("--version", action="version", version=f"desk {__version__}")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--db", type=Path, default=None, metavar="PATH", help="the studio database to open"
    )
    where.add_argument(
        "--demo", action="store_true", help="open the app on a fresh demo studio (a copy)"
    )
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = next((arg for arg in argv if arg in {c.name for c in COMMANDS}), None)
    for command in COMMANDS:
        sub = subcommands.add_parser(command.name, help=command.help, description=command.help)
        if command.name == wanted:
            command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = getattr(args, "run", _run_gui)
    if args.command is not None and args.demo:
        return fail("--demo opens the app; it cannot be combined with a command.", EXIT_USAGE)
    try:
        return run(args)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
