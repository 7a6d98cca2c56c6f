"""`desk sync --db PATH [--relay-url URL --token T] [--once]`: the sync worker without a GUI.

The relay's address and token come from the studio's Settings unless given here (the token
may also come from the DESK_RELAY_TOKEN environment variable, which keeps it out of `ps`).
`--once` runs one round (push, pull and answer, push, settle statuses) and exits; without it
the worker runs until Ctrl+C or SIGTERM, printing a line whenever its state changes.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from desk.services.settings import get_policy
from desk.store.db import Database
from desk.sync.handlers import EventHandler, RoundHook, conversation_handler, waitlist_hook
from desk.sync.relay_client import RelayAuthError, RelayClient, RelayConfig, RelayError
from desk.sync.worker import SyncStatus, SyncWorker

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
TOKEN_ENV = "DESK_RELAY_TOKEN"
HELP = "exchange WhatsApp messages with the relay (headless)"


def add_sync_arguments(parser: argparse.ArgumentParser) -> None:
    """The `desk sync` arguments, for desk/cli.py's `Command(name, help, add_arguments, run)`."""
    parser.add_argument(
        "--db",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="the studio database (default: the app's own)",
    )
    parser.add_argument("--relay-url", metavar="URL", help="the relay (default: from Settings)")
    parser.add_argument(
        "--token",
        metavar="T",
        help=f"the relay's desk token (default: ${TOKEN_ENV}, else from Settings)",
    )
    parser.add_argument("--once", action="store_true", help="one round, then exit")
    parser.add_argument(
        "--wait",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="long-poll the relay this long for new messages (default 20)",
    )
    parser.add_argument("--verbose", action="store_true", help="log each step to stderr")


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"desk sync: {message}", file=sys.stderr)
    return code


def _database_path(args: argparse.Namespace) -> Path:
    if getattr(args, "db", None) is not None:
        return Path(args.db)
    from desk.paths import default_database_path

    return default_database_path()


def relay_config(db: Database, args: argparse.Namespace) -> RelayConfig:
    """Command line first, then the environment (token), then the studio's Settings."""
    policy = db.query(get_policy)
    url = (args.relay_url or policy.relay_url or "").strip()
    token = (args.token or os.environ.get(TOKEN_ENV) or policy.relay_token or "").strip()
    if not url or not token:
        missing = " and ".join(n for n, v in (("address", url), ("token", token)) if not v)
        raise ValueError(
            f"no relay {missing} set up: pass --relay-url and --token, "
            "or enter them in Settings in the app."
        )
    return RelayConfig(url=url, token=token)


def run_sync_command(
    args: argparse.Namespace,
    *,
    handler: EventHandler | None = None,
    each_round: RoundHook | None = None,
) -> int:
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    path = _database_path(args)
    if not path.exists():
        return _fail(f"no database at {path} (create one with the app or `desk demo`).")
    from desk.store.migrate import DatabaseError
    from desk.store.open import open_database

    try:
        db = open_database(path)
    except DatabaseError as exc:
        return _fail(f"cannot open {path}: {exc}")
    try:
        try:
            config = relay_config(db, args)
        except ValueError as exc:
            return _fail(str(exc), EXIT_USAGE)
        client = RelayClient(config)
        worker = SyncWorker(
            db,
            client,
            handler or conversation_handler(),
            long_poll_seconds=max(0.0, args.wait),
            on_status=_print_changes(),
            each_round=each_round if each_round is not None else waitlist_hook(),
        )
        try:
            return _once(worker, db) if args.once else _forever(worker)
        finally:
            client.close()
    finally:
        db.dispose()


def _once(worker: SyncWorker, db: Database) -> int:
    from desk.services import messaging

    try:
        result = worker.run_once()
    except RelayAuthError as exc:
        return _fail(f"{exc} (the relay answered 401 Unauthorized)")
    except RelayError as exc:
        return _fail(str(exc))
    waiting = db.query(messaging.waiting_count)
    print(
        f"Synced: {result.received} message(s) received, {result.pushed} sent to the relay, "
        f"{waiting} waiting."
    )
    return EXIT_OK


def _forever(worker: SyncWorker) -> int:
    stopping = threading.Event()

    def stop(_signo: int, _frame: FrameType | None) -> None:
        stopping.set()

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if in_main else None
    worker.start()
    print("Syncing with the relay; Ctrl+C to stop.", file=sys.stderr)
    try:
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        worker.stop()
    print("Sync stopped.", file=sys.stderr)
    return EXIT_OK


def describe(status: SyncStatus) -> str:
    """One line for people: "online, last sync 14:02:11, 0 waiting"."""
    when = f"{status.last_sync_at.astimezone():%H:%M:%S}" if status.last_sync_at else "never"
    state = "online" if status.online else f"offline ({status.error})"
    return f"{state}, last sync {when}, {status.waiting} waiting"


def _print_changes() -> Callable[[SyncStatus], None]:
    last: list[tuple[bool, str, int]] = []

    def show(status: SyncStatus) -> None:
        key = (status.online, status.error, status.waiting)
        if last and last[0] == key:
            return
        last[:] = [key]
        print(f"desk sync: {describe(status)}", file=sys.stderr, flush=True)

    return show


if __name__ == "__main__":  # `python -m desk.sync.cli_command ...` until `desk sync` is wired
    _parser = argparse.ArgumentParser(prog="desk sync", description=HELP)
    add_sync_arguments(_parser)
    sys.exit(run_sync_command(_parser.parse_args()))
