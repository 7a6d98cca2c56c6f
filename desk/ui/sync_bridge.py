"""The sync worker as the window sees it: Qt signals on the main thread.

`desk.sync.worker.SyncWorker` has no Qt; it calls `on_status` from its own threads. The bridge
hands each status to the main thread through a queued signal (the same way desk/ui/worker.py
returns database results) and re-emits it as `status_changed`, then `synced` (online) or
`failed` (offline, with the reason in plain words). `status_text` is the status bar's line.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal

from desk.services.settings import get_policy
from desk.store.db import Database

if TYPE_CHECKING:
    # The sync (requests, the assistant, dateparser) is imported when a relay is set up and
    # the worker starts, not when the window opens.
    from desk.sync.handlers import EventHandler
    from desk.sync.relay_client import RelayClient, RelayConfig
    from desk.sync.worker import SyncStatus, SyncWorker

NOT_SET_UP = "Sync: not set up"


class _Carrier(QObject):
    """Lives on the main thread; a status emitted on a sync thread is delivered here, queued."""

    arrived = Signal(object)


class SyncBridge(QObject):
    #: Every status report (a `SyncStatus`), on the main thread.
    status_changed = Signal(object)
    #: A round that reached the relay (a `SyncStatus` with online=True).
    synced = Signal(object)
    #: The relay could not be reached or refused us: the reason, for people.
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._carrier = _Carrier()
        self._carrier.arrived.connect(self._deliver)
        self.last: SyncStatus | None = None
        self.worker: SyncWorker | None = None
        self._client: RelayClient | None = None

    # -- called from the sync worker's threads -----------------------------------------------

    def on_status(self, status: SyncStatus) -> None:
        """Pass as `SyncWorker(on_status=...)`; safe to call from any thread."""
        # If the window (and this bridge with it) is already gone there is nobody to tell.
        with contextlib.suppress(RuntimeError):
            self._carrier.arrived.emit(status)

    # -- main thread ---------------------------------------------------------------------------

    def _deliver(self, status: SyncStatus) -> None:
        self.last = status
        self.status_changed.emit(status)
        if status.online:
            self.synced.emit(status)
        else:
            self.failed.emit(status.error)

    def start(
        self,
        db: Database,
        config: RelayConfig,
        *,
        handler: EventHandler | None = None,
        **worker_options: float,
    ) -> SyncWorker:
        """Run a sync worker for this desk (by default the assistant answers members)."""
        from desk.sync.handlers import conversation_handler, waitlist_hook
        from desk.sync.relay_client import RelayClient
        from desk.sync.worker import SyncWorker

        self.stop()
        self._client = RelayClient(config)
        self.worker = SyncWorker(
            db,
            self._client,
            handler or conversation_handler(),
            on_status=self.on_status,
            each_round=waitlist_hook(),
            **worker_options,
        )
        self.worker.start()
        return self.worker

    def start_from_settings(self, db: Database) -> bool:
        """Start with the relay address and token from Settings; False when they are not set."""
        policy = db.query(get_policy)
        if not policy.relay_url.strip() or not policy.relay_token.strip():
            return False
        from desk.sync.relay_client import RelayConfig

        try:
            config = RelayConfig(policy.relay_url.strip(), policy.relay_token.strip())
        except ValueError as exc:
            self.failed.emit(str(exc))
            return False
        self.start(db, config)
        return True

    def nudge(self) -> None:
        """A staff reply was queued: push it now rather than at the next round."""
        if self.worker is not None:
            self.worker.nudge()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        if self._client is not None:
            self._client.close()
            self._client = None


def status_text(status: SyncStatus | None, tz: ZoneInfo | None = None) -> str:
    """ "Sync: online · last sync 14:02 · 2 waiting" for the status bar."""
    if status is None:
        return NOT_SET_UP
    parts = ["Sync: online" if status.online else "Sync: offline"]
    parts.append(
        f"last sync {_clock(status.last_sync_at, tz)}" if status.last_sync_at else "never synced"
    )
    if status.waiting:
        parts.append(f"{status.waiting} waiting")
    return " · ".join(parts)


def _clock(instant: datetime, tz: ZoneInfo | None) -> str:
    return f"{instant.astimezone(tz):%H:%M}"
