"""The sync worker: pull the relay inbox, process each event exactly once, push the outbox.

One event = one local transaction holding the event row (its wamid is the processed mark), all
its effects, its queued replies and the advanced cursor. The relay is acknowledged only after
that commit, and outbox rows carry idempotency keys the relay dedupes on. So a crash at any
point loses nothing and sends nothing twice. Offline is normal: failures back off exponentially
with jitter and the loop resumes by itself. No Qt here: the UI subscribes to `on_status`.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from desk.domain.enums import OutboxStatus
from desk.services import messaging
from desk.services.messaging import DeliveryUpdate, InboundPayload
from desk.store.db import Database
from desk.sync.relay_client import RelayClient, RelayError

logger = logging.getLogger(__name__)

EventHandler = Callable[[Session, InboundPayload], None]

_RELAY_STATUS = {
    "queued": OutboxStatus.QUEUED,
    "sent": OutboxStatus.SENT,
    "delivered": OutboxStatus.DELIVERED,
    "read": OutboxStatus.READ,
    "failed": OutboxStatus.FAILED,
    "needs_template": OutboxStatus.NEEDS_TEMPLATE,
    "unknown": OutboxStatus.UNKNOWN,
}


@dataclass(frozen=True)
class SyncStatus:
    online: bool
    last_sync_at: datetime | None
    waiting: int
    error: str = ""


def payload_from_event(event: dict[str, Any]) -> InboundPayload:
    """The relay's event shape → ours. Members without a wa_id are keyed by their user id."""
    wa_id = event.get("from") or (f"user:{event['user_id']}" if event.get("user_id") else "")
    return InboundPayload(
        wamid=str(event["wamid"]),
        wa_id=str(wa_id),
        message_type=str(event.get("type") or "unsupported"),
        text=str(event.get("text") or ""),
        reply_id=str(event.get("reply_id") or ""),
        profile_name=str(event.get("profile_name") or ""),
        cursor=int(event["cursor"]),
        received_at=messaging.parse_relay_time(event.get("timestamp")),
        raw=event.get("raw") or {},
    )


def _outbound(item: messaging.OutboxItem) -> dict[str, Any]:
    return {**item.body, "key": item.key, "to": item.to_wa_id}


def _delivery(result: dict[str, Any]) -> DeliveryUpdate | None:
    status = _RELAY_STATUS.get(str(result.get("status")))
    if status is None:
        return None
    error = result.get("error") or {}
    return DeliveryUpdate(
        key=str(result["key"]),
        status=status,
        wamid=result.get("wamid"),
        error_code=error.get("code"),
        error_reason=str(error.get("reason") or ""),
    )


class SyncWorker:
    def __init__(
        self,
        db: Database,
        client: RelayClient,
        handler: EventHandler,
        *,
        long_poll_seconds: float = 20.0,
        max_backoff: float = 60.0,
        on_status: Callable[[SyncStatus], None] | None = None,
    ) -> None:
        self._db = db
        self._client = client
        self._handler = handler
        self._long_poll = long_poll_seconds
        self._max_backoff = max_backoff
        self._on_status = on_status or (lambda _status: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0

    # --- one round, usable headless (`desk sync --once`) and from tests ---------------------

    def push_outbox(self) -> int:
        pushed = 0
        while True:
            items = self._db.query(lambda s: messaging.unpushed(s, limit=50))
            if not items:
                return pushed
            results = self._client.post_outbox([_outbound(i) for i in items])
            self._apply(results)
            pushed += len(items)

    def refresh_statuses(self) -> None:
        keys = self._db.query(lambda s: messaging.awaiting_status(s, limit=200))
        if keys:
            self._apply(self._client.statuses(keys))

    def _apply(self, results: list[dict[str, Any]]) -> None:
        updates = [u for u in (_delivery(r) for r in results) if u is not None]
        self._db.run(lambda s: messaging.apply_delivery(s, updates))

    def pull_inbox(self, *, wait: float = 0) -> int:
        cursor = self._db.query(messaging.inbox_cursor)
        events, _ = self._client.inbox(after=cursor, limit=50, wait=wait)
        for event in events:
            self._db.run(functools.partial(self._process, event=event))
        if events:
            self._client.ack(int(events[-1]["cursor"]))
        return len(events)

    def _process(self, session: Session, *, event: dict[str, Any]) -> None:
        payload = payload_from_event(event)
        if not messaging.already_processed(session, payload.wamid):
            self._handler(session, payload)
        messaging.advance_cursor(session, int(event["cursor"]))

    def run_once(self, *, wait: float = 0) -> int:
        """Push, pull (and process), push the replies, refresh delivery states."""
        self.push_outbox()
        processed = self.pull_inbox(wait=wait)
        self.push_outbox()
        self.refresh_statuses()
        self._db.run(lambda s: messaging.record_sync_outcome(s))
        return processed

    # --- the background loop ---------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="desk-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def backoff_seconds(self) -> float:
        """Exponential with full jitter, so many desks coming back online don't stampede."""
        ceiling = min(self._max_backoff, 2.0 ** min(self._failures, 16))
        return random.uniform(ceiling / 2, ceiling)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once(wait=self._long_poll)
            except RelayError as exc:
                self._failed(str(exc))
                self._stop.wait(self.backoff_seconds())
                continue
            except Exception as exc:  # a bug must not kill sync for the rest of the day
                logger.exception("sync round failed")
                self._failed(f"Sync error: {type(exc).__name__}")
                self._stop.wait(self.backoff_seconds())
                continue
            self._failures = 0
            self._report(online=True)

    def _failed(self, error: str) -> None:
        self._failures += 1
        try:
            self._db.run(lambda s: messaging.record_sync_outcome(s, error=error))
        except Exception:
            logger.exception("could not record the sync failure")
        self._report(online=False, error=error)

    def _report(self, *, online: bool, error: str = "") -> None:
        summary = self._db.query(messaging.sync_summary)
        self._on_status(SyncStatus(online, summary.last_sync_at, summary.waiting, error))
