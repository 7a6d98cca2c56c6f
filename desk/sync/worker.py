"""The sync worker: pull the relay inbox, process each event exactly once, push the outbox.

One event = one local transaction holding the event row (its wamid is the processed mark), all
its effects, its queued replies and the advanced cursor. The relay is acknowledged only after
that commit, and outbox rows carry idempotency keys the relay dedupes on. So a crash at any
point loses nothing and sends nothing twice.

Two threads share the work: one long-polls the inbox, the other pushes the outbox as soon as
there is something to push (a reply just written, a staff message from the Inbox screen) and
settles delivery states. Offline is normal: each backs off exponentially with jitter and
resumes by itself. No Qt here: the UI subscribes to `on_status` (desk/ui/sync_bridge.py).
"""

from __future__ import annotations

import functools
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from desk.domain.enums import OutboxStatus
from desk.services import messaging
from desk.services.messaging import DeliveryUpdate, InboundPayload, OutboxItem
from desk.store.db import Database
from desk.store.types import utcnow
from desk.sync.handlers import EventHandler, RoundHook, record_failed
from desk.sync.relay_client import RelayClient, RelayError, RelayRejected

logger = logging.getLogger(__name__)

__all__ = ["EventHandler", "SyncStatus", "SyncWorker", "payload_from_event"]

PAGE = 50
#: Longest a batch of inbound events keeps the database's write lock.
BATCH_SECONDS = 0.2
STATUS_BATCH = 200
#: Delivery states older than this are no longer asked for ("delivered" may never come).
STATUS_HORIZON = timedelta(days=3)
#: Re-acknowledge now and then even without new events, so a relay that lost its database
#: (and with it our cursor) is noticed while the desk is running.
REACK_SECONDS = 60.0
#: What the relay accepts as a recipient: wa_id digits or +E.164.
_RECIPIENT = re.compile(r"^\+?[1-9][0-9]{6,14}$")

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


@dataclass(frozen=True)
class RoundResult:
    received: int
    pushed: int


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


def _outbound(item: OutboxItem) -> dict[str, Any]:
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


@dataclass
class _Backoff:
    """Exponential with full jitter, so many desks coming back online don't stampede."""

    ceiling: float
    failures: int = 0
    _rng: random.Random = field(default_factory=random.Random)

    def failed(self) -> float:
        self.failures += 1
        top = min(self.ceiling, 2.0 ** min(self.failures, 16))
        return self._rng.uniform(top / 2, top)

    def succeeded(self) -> None:
        self.failures = 0


class SyncWorker:
    def __init__(
        self,
        db: Database,
        client: RelayClient,
        handler: EventHandler,
        *,
        long_poll_seconds: float = 20.0,
        max_backoff: float = 60.0,
        push_interval: float = 5.0,
        status_interval: float = 30.0,
        on_status: Callable[[SyncStatus], None] | None = None,
        each_round: RoundHook | None = None,
    ) -> None:
        self._db = db
        self._client = client
        self._handler = handler
        self._long_poll = long_poll_seconds
        self._max_backoff = max_backoff
        self._push_interval = push_interval
        self._status_interval = status_interval
        self._on_status = on_status or (lambda _status: None)
        self._each_round = each_round
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._acked = -1
        self._acked_at = 0.0
        self._next_status_check = 0.0

    # --- pieces of a round, usable headless (`desk sync --once`) and from tests -------------

    def push_outbox(self) -> int:
        """Hand every pending message to the relay; returns how many were handed over."""
        pushed = 0
        while True:
            items = self._db.query(lambda s: messaging.unpushed(s, limit=PAGE))
            if not items:
                return pushed
            sendable = self._drop_undeliverable(items)
            if sendable:
                taken = self._apply(self._post(sendable))
                if {i.key for i in sendable} - taken:
                    # The relay answered without taking them all: stop rather than spin.
                    raise RelayError("The relay did not take the messages; will try again.")
            pushed += len(sendable)

    def _post(self, items: list[OutboxItem]) -> list[dict[str, Any]]:
        try:
            return self._client.post_outbox([_outbound(i) for i in items])
        except RelayRejected:
            if len(items) == 1:
                raise
        # One bad message refuses the whole batch: find it, so the others still go out.
        results: list[dict[str, Any]] = []
        for item in items:
            try:
                results += self._client.post_outbox([_outbound(item)])
            except RelayRejected as exc:
                logger.error("relay refused outbox message %s: %s", item.key, exc.detail)
                results.append(_refused(item.key, exc.detail))
        return results

    def _drop_undeliverable(self, items: list[OutboxItem]) -> list[OutboxItem]:
        """Rows the relay could never take (no phone number to send to) fail here, once."""
        bad = [i for i in items if not _RECIPIENT.match(i.to_wa_id)]
        if bad:
            self._apply([_refused(i.key, "no WhatsApp phone number to send to") for i in bad])
        return [i for i in items if i not in bad]

    def refresh_statuses(self) -> None:
        since = utcnow() - STATUS_HORIZON
        keys = self._db.query(
            lambda s: messaging.awaiting_status(s, limit=STATUS_BATCH, since=since)
        )
        if not keys:
            return
        results = self._client.statuses(keys)
        lost = [str(r["key"]) for r in results if r.get("status") == "not_found"]
        self._apply(results)
        if lost:
            self._db.run(lambda s: messaging.mark_lost(s, lost))

    def _apply(self, results: list[dict[str, Any]]) -> set[str]:
        """Record what the relay said; returns the keys it gave a delivery state."""
        updates = [u for u in (_delivery(r) for r in results) if u is not None]
        if updates:
            self._db.run(lambda s: messaging.apply_delivery(s, updates))
        return {u.key for u in updates}

    def pull_inbox(self, *, wait: float = 0) -> int:
        """Process one page of the relay's inbox, then acknowledge it.

        Events commit in small batches (one transaction, each event in its own savepoint, the
        cursor advanced with them): a commit per event would spend more time syncing the disk
        than answering. A batch holds the write lock for at most BATCH_SECONDS, so the desk
        is never kept waiting long. An event that fails is retried on its own, where the
        hand-off to staff applies.
        """
        cursor, known_epoch = self._db.query(
            lambda s: (messaging.inbox_cursor(s), messaging.relay_epoch(s))
        )
        page = self._client.inbox(after=cursor, limit=PAGE, wait=wait)
        if page.epoch is not None and known_epoch is not None and page.epoch != known_epoch:
            # A relay that lost its database numbers its events from 1 again: read it all.
            self._relay_was_reset("the relay's database changed", epoch=page.epoch)
            cursor = 0
            page = self._client.inbox(after=0, limit=PAGE, wait=0)
        if self._stop.is_set():
            return 0  # stopping: the relay serves these again next time
        events = page.events
        pending = events
        while pending:
            try:
                batch = functools.partial(self._process_batch, events=pending, epoch=page.epoch)
                done = self._db.run(batch)
            except OperationalError:
                raise
            except Exception:
                self._process_event(pending[0], epoch=page.epoch)
                done = 1
            pending = pending[done:]
            self.nudge()
        if page.epoch is not None and page.epoch != known_epoch and not events:
            self._db.run(lambda s: messaging.advance_cursor(s, cursor, epoch=page.epoch))
        last = max([cursor, *(int(e["cursor"]) for e in events)])
        self._acknowledge(last)
        return len(events)

    def _process_batch(
        self, session: Session, *, events: list[dict[str, Any]], epoch: int | None
    ) -> int:
        started = time.monotonic()
        seen = messaging.processed_among(session, (str(e.get("wamid") or "") for e in events))
        done = 0
        for event in events:
            if done and time.monotonic() - started > BATCH_SECONDS:
                break
            try:
                with session.begin_nested():
                    self._process(session, event=event, seen=seen)
            except OperationalError:
                raise
            except Exception:
                if done == 0:
                    raise
                break  # keep what went well; the failing event goes on its own
            done += 1
        # The cursor moves with the events it covers, in the same transaction.
        last = max(int(e["cursor"]) for e in events[:done])
        messaging.advance_cursor(session, last, epoch=epoch)
        return done

    def _acknowledge(self, cursor: int) -> None:
        stale = time.monotonic() - self._acked_at > REACK_SECONDS
        if cursor <= 0 or (cursor <= self._acked and not stale):
            return
        try:
            self._acked = self._client.ack(cursor)
        except RelayRejected:
            # Our cursor is beyond anything the relay ever issued: it lost its database.
            self._relay_was_reset(f"relay does not know cursor {cursor}")
            return
        self._acked_at = time.monotonic()

    def _relay_was_reset(self, why: str, *, epoch: int | None = None) -> None:
        # Read its inbox from the start again; the wamid dedupe makes replays harmless.
        logger.warning("%s; reading its inbox from the start", why)
        self._db.run(lambda s: messaging.rewind_cursor(s, 0, epoch=epoch))
        self._acked = 0
        self._acked_at = 0.0

    def _process_event(self, event: dict[str, Any], *, epoch: int | None) -> None:
        if not event.get("wamid"):
            logger.error("relay event %s has no message id; skipped", event.get("cursor"))
            self._db.run(lambda s: messaging.advance_cursor(s, int(event["cursor"])))
            return
        try:
            self._db.run(functools.partial(self._process_alone, event=event, epoch=epoch))
        except OperationalError:
            raise  # the database itself is unwell: retry the event later, don't hand it off
        except Exception:
            # A bug on one message must not block every message after it (a poison pill):
            # keep it for reception, marked processed, and move on.
            logger.exception("processing message at cursor %s failed", event.get("cursor"))
            self._hand_over_or_skip(event)

    def _hand_over_or_skip(self, event: dict[str, Any]) -> None:
        try:
            self._db.run(functools.partial(self._hand_over, event=event))
        except OperationalError:
            raise
        except Exception:
            # Not even storable: skip it rather than stall every message behind it.
            logger.exception("message at cursor %s could not be stored; skipped", event["cursor"])
            self._db.run(lambda s: messaging.advance_cursor(s, int(event["cursor"])))

    def _process(self, session: Session, *, event: dict[str, Any], seen: set[str]) -> None:
        """One event, unless `seen` (processed before) says it was; the cursor is the caller's."""
        payload = payload_from_event(event)
        if payload.wamid in seen:
            return
        self._handler(session, payload)
        if not messaging.recorded_here(session, payload.wamid):
            messaging.record_inbound(session, payload, member_id=None)
        seen.add(payload.wamid)

    def _process_alone(self, session: Session, *, event: dict[str, Any], epoch: int | None) -> None:
        seen = messaging.processed_among(session, [str(event["wamid"])])
        self._process(session, event=event, seen=seen)
        messaging.advance_cursor(session, int(event["cursor"]), epoch=epoch)

    def _hand_over(self, session: Session, *, event: dict[str, Any]) -> None:
        record_failed(session, payload_from_event(event))
        messaging.advance_cursor(session, int(event["cursor"]))

    def run_hook(self) -> None:
        """The per-round work (waitlist notices). Its failure must not stop messages flowing."""
        if self._each_round is None:
            return
        try:
            self._db.run(self._each_round)
        except OperationalError:
            raise
        except Exception:
            logger.exception("the per-round sync work failed; messages still flow")

    def run_once(self, *, wait: float = 0) -> RoundResult:
        """Push, pull (and process), push the replies, refresh delivery states."""
        pushed = self.push_outbox()
        received = self.pull_inbox(wait=wait)
        self.run_hook()
        pushed += self.push_outbox()
        self.refresh_statuses()
        self._db.run(lambda s: messaging.record_sync_outcome(s))
        return RoundResult(received=received, pushed=pushed)

    # --- the background loops --------------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._inbox_loop, name="desk-sync-inbox", daemon=True),
            threading.Thread(target=self._outbox_loop, name="desk-sync-outbox", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop both loops. A long-poll in flight is abandoned (the thread is a daemon)."""
        self._stop.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads = []

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def nudge(self) -> None:
        """Something was queued for sending (e.g. a staff reply): push it now."""
        self._wake.set()

    def _inbox_loop(self) -> None:
        backoff = _Backoff(self._max_backoff)
        while not self._stop.is_set():
            try:
                received = self.pull_inbox(wait=self._long_poll)
            except Exception as exc:
                self._stop.wait(self._failed(exc, backoff))
                continue
            backoff.succeeded()
            if received:
                self.nudge()
            self._succeeded()

    def _outbox_loop(self) -> None:
        backoff = _Backoff(self._max_backoff)
        while not self._stop.is_set():
            self._wake.wait(self._push_interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                contacted = self._outbox_round()
            except Exception as exc:
                self._stop.wait(self._failed(exc, backoff))
                continue
            backoff.succeeded()
            if contacted:
                self._succeeded()

    def _outbox_round(self) -> bool:
        """Returns whether the relay was contacted (so there is news to report)."""
        self.run_hook()
        pushed = self.push_outbox()
        now = time.monotonic()
        if pushed:
            # The relay sends asynchronously: ask for the outcome shortly, not right away.
            due = self._next_status_check
            self._next_status_check = now + 2.0 if due <= now else min(due, now + 2.0)
        if now < self._next_status_check:
            return pushed > 0
        self._next_status_check = now + self._status_interval
        self.refresh_statuses()
        return True

    def _failed(self, exc: Exception, backoff: _Backoff) -> float:
        if isinstance(exc, RelayError):
            error = str(exc)
            logger.warning("sync: %s", error)
        else:  # a bug must not kill sync for the rest of the day
            logger.exception("sync round failed")
            error = f"Sync error: {type(exc).__name__}"
        try:
            self._db.run(lambda s: messaging.record_sync_outcome(s, error=error))
        except Exception:
            logger.exception("could not record the sync failure")
        self._report(online=False, error=error)
        return backoff.failed()

    def _succeeded(self) -> None:
        self._db.run(lambda s: messaging.record_sync_outcome(s))
        self._report(online=True)

    def _report(self, *, online: bool, error: str = "") -> None:
        try:
            summary = self._db.query(messaging.sync_summary)
        except Exception:
            logger.exception("could not read the sync summary")
            return
        self._on_status(SyncStatus(online, summary.last_sync_at, summary.waiting, error))


def _refused(key: str, reason: str) -> dict[str, Any]:
    return {"key": key, "status": "failed", "error": {"code": None, "reason": reason[:300]}}
