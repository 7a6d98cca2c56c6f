"""The body of the sync process the crash test kills with SIGKILL.

A top-level function so a forkserver child can run it: it opens its own `Database` on the desk
file, runs the real `SyncWorker` (its two background loops, or back-to-back `run_once` rounds),
says it is ready, and works until it is killed. The handler dawdles a little inside each event's
transaction, so kills land inside transactions too, not only between them.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import configure_mappers

from desk.domain import phone
from desk.store.db import Database
from desk.sync.relay_client import RelayClient, RelayConfig
from desk.sync.worker import SyncWorker

from .sync_handlers import echo_handler


def warm_up() -> None:
    """Done once in the forkserver, so each forked child starts ready to work."""
    configure_mappers()
    phone.from_whatsapp_id("905321112233")


warm_up()


def slow_echo(delay: float) -> Any:
    def handler(session: Any, payload: Any) -> None:
        echo_handler(session, payload)
        time.sleep(delay)

    return handler


def run_worker(db_path: str, url: str, token: str, mode: str, delay: float, ready: Any) -> None:
    db = Database.open_file(db_path)
    client = RelayClient(RelayConfig(url, token))
    worker = SyncWorker(
        db,
        client,
        slow_echo(delay),
        long_poll_seconds=0.3,
        max_backoff=1.0,
        push_interval=0.1,
        status_interval=0.5,
    )
    if mode == "threads":
        worker.start()
        ready.set()
        while True:
            time.sleep(1)
    ready.set()
    while True:
        worker.run_once(wait=0.1)
