"""Background sender: drains the outbox into the Cloud API within Meta's limits.

A dispatcher thread picks due messages (one per recipient, oldest first) and hands them to a
small pool of worker threads that do the blocking HTTP call and record the result.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from relay import outbox_store
from relay.config import RelayConfig
from relay.db import Database
from relay.graph import GraphClient, Outcome, SendResult
from relay.outbox_store import OUTSIDE_WINDOW_REASON, SendJob
from relay.prepared import Runner
from relay.throttle import Throttle

logger = logging.getLogger("relay.sender")

IDLE_SECONDS = 5.0  # safety net only: new work wakes the dispatcher immediately
HEADS_PER_ROUND = 500
AUTH_CODES = frozenset({0, 10, 190})


@dataclass
class _Pending:
    """A result waiting for the next group commit, and what became of it."""

    write: Callable[[Runner], None]
    error: Exception | None = None


class Sender:
    def __init__(self, db: Database, config: RelayConfig, graph: GraphClient) -> None:
        self._db = db
        self._config = config
        self._graph = graph
        self._throttle = Throttle(
            config.send_rate_per_second,
            config.recipient_interval_seconds,
            config.recipient_burst,
        )
        self._lock = threading.Lock()  # guards _in_flight and _throttle
        self._in_flight: set[str] = set()
        self._max_in_flight = config.send_workers * 2
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(config.send_workers, thread_name_prefix="relay-send")
        self._pending_lock = threading.Lock()  # guards _pending
        self._pending: list[_Pending] = []
        self._record_lock = threading.Lock()  # one group commit at a time
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._db.read() as session:
            orphans = outbox_store.count_in_flight(session)
        if orphans:
            with self._db.write() as session:
                orphans = outbox_store.release_in_flight(session, time.time())
        if orphans:
            logger.warning("%d message(s) were in flight at the last stop; now unknown", orphans)
        self._thread = threading.Thread(target=self._run, name="relay-sender", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        # In-flight POSTs finish (bounded by the send timeout) so their results are recorded;
        # jobs not yet started give their claim back (see _send).
        self._pool.shutdown(wait=True)
        self._graph.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                delay = self.dispatch()
            except Exception as exc:  # a database hiccup must not kill the sender
                logger.error("dispatch failed: %s", type(exc).__name__)
                delay = 1.0
            self._wake.wait(max(0.001, min(delay, IDLE_SECONDS)))

    def dispatch(self) -> float:
        """Start every send that is due and allowed; return seconds until the next one may be.

        One read finds the due heads and checks their windows; one write claims every send
        that may start, so a burst costs two transactions per round, not one per message."""
        with self._lock:
            self._throttle.prune()
            paused = self._throttle.paused_for()
        if paused > 0:
            return paused
        now = time.time()
        delays: list[float] = []
        starting: list[SendJob] = []
        outside: list[SendJob] = []
        with self._db.fast_read() as session:
            jobs, next_due = outbox_store.queued_heads(session, now, HEADS_PER_ROUND)
            if next_due is not None:
                delays.append(next_due - now)
            for job in jobs:
                if self._stop.is_set():
                    break
                if self._busy(job):
                    continue  # a finishing send wakes us
                if job.kind != "template" and not outbox_store.member_in_window(
                    session, job.to_digits, now
                ):
                    outside.append(job)
                    continue
                wait = self._reserve(job)
                if wait is None:
                    starting.append(job)
                    continue
                delays.append(wait)
                with self._lock:
                    overall_empty = self._throttle.overall.wait_time() > 0
                if overall_empty:
                    break  # nobody else can go either
        for job in outside:
            self._settle_safely(
                job, SendResult(Outcome.NEEDS_TEMPLATE, reason=OUTSIDE_WINDOW_REASON)
            )
        self._claim_and_start(starting, now)
        return min(delays, default=IDLE_SECONDS)

    def _busy(self, job: SendJob) -> bool:
        with self._lock:
            return job.to_digits in self._in_flight or len(self._in_flight) >= self._max_in_flight

    def _reserve(self, job: SendJob) -> float | None:
        """Take a send slot for `job` (not busy: only this thread adds to _in_flight): None
        when taken, else seconds until the throttle would allow it."""
        with self._lock:
            if not self._throttle.try_acquire(job.to_digits):
                return max(
                    self._throttle.recipient_wait(job.to_digits),
                    self._throttle.overall.wait_time(),
                    0.001,
                )
            self._in_flight.add(job.to_digits)
        return None

    def _claim_and_start(self, starting: list[SendJob], now: float) -> None:
        if not starting:
            return
        try:
            with self._db.fast_write() as session:
                claimed = {job.id for job in starting if outbox_store.claim(session, job.id, now)}
        except Exception:
            for job in starting:
                self._finished(job)
            raise
        for job in starting:
            if job.id in claimed:
                self._pool.submit(self._send, job)
            else:
                self._finished(job)

    def _send(self, job: SendJob) -> None:
        try:
            if self._stop.is_set():
                # Never posted, so certainly not sent: back to the queue, not "unknown".
                with self._db.write() as session:
                    outbox_store.unclaim(session, job.id, time.time())
                return
            result = self._graph.send(job.payload)
            logger.info(
                "message id=%s attempt=%d: %s", job.id, job.attempts + 1, result.outcome.value
            )
            self._settle_safely(job, result)
        except Exception as exc:
            logger.error("send of message id=%s crashed: %s", job.id, type(exc).__name__)
        finally:
            self._finished(job)

    def _finished(self, job: SendJob) -> None:
        with self._lock:
            self._in_flight.discard(job.to_digits)
        self._wake.set()

    def _settle_safely(self, job: SendJob, result: SendResult) -> None:
        try:
            self._settle(job, result)
        except Exception as exc:
            # The row stays "sending"; housekeeping turns it into "unknown", and the status
            # webhook (matched by biz_opaque_callback_data) tells the truth later.
            logger.error("could not record result of message id=%s: %s", job.id, type(exc).__name__)

    def _settle(self, job: SendJob, result: SendResult) -> None:
        now = time.time()
        outcome = result.outcome
        if outcome in (Outcome.RETRY, Outcome.RETRY_RECIPIENT, Outcome.THROTTLED):
            if self._plan_retry(job, result, now):
                return
            outcome = Outcome.FAILED  # out of attempts
        if outcome is Outcome.SENT and result.wamid:
            wamid, wa_id = result.wamid, result.wa_id
            self._record(lambda s: outbox_store.record_sent(s, job.id, wamid, wa_id, now))
            return
        status = {
            Outcome.NEEDS_TEMPLATE: "needs_template",
            Outcome.UNKNOWN: "unknown",
        }.get(outcome, "failed")
        self._record(
            lambda s: outbox_store.record_outcome(
                s, job.id, status, now, code=result.code, reason=result.reason
            )
        )
        if status == "failed":
            alert = " (check the access token / permissions)" if self._is_auth(result.code) else ""
            logger.error("message id=%s failed with code %s%s", job.id, result.code, alert)

    def _plan_retry(self, job: SendJob, result: SendResult, now: float) -> bool:
        """Requeue with backoff; False once the attempts are used up."""
        attempts = job.attempts + 1
        if attempts >= self._config.max_send_attempts:
            return False
        delay = backoff_seconds(
            attempts, self._config.backoff_unit_seconds, self._config.backoff_cap_seconds
        )
        if result.outcome is Outcome.THROTTLED:
            with self._lock:
                self._throttle.pause(delay)
        self._record(
            lambda s: outbox_store.record_outcome(
                s,
                job.id,
                "queued",
                now,
                code=result.code,
                reason=result.reason,
                retry_at=now + delay,
            )
        )
        return True

    def _record(self, write: Callable[[Runner], None]) -> None:
        """Write one send's result, together with the results other workers are waiting to
        write (a group commit): finishing sends share one transaction instead of queueing on
        the write lock one by one. Returns once this result is committed, or raises why not."""
        mine = _Pending(write)
        with self._pending_lock:
            self._pending.append(mine)
        with self._record_lock:
            with self._pending_lock:
                batch, self._pending = self._pending, []
            if batch:
                try:
                    with self._db.fast_write() as session:
                        for pending in batch:
                            pending.write(session)
                except Exception as exc:
                    for pending in batch:
                        pending.error = exc
        if mine.error is not None:
            raise mine.error

    @staticmethod
    def _is_auth(code: int | None) -> bool:
        return code is not None and (code in AUTH_CODES or 200 <= code <= 299)


def backoff_seconds(failures: int, unit: float, cap: float) -> float:
    """4^n units after the n-th failure (4, 16, 64... seconds with the default unit)."""
    return float(min(cap, unit * 4**failures))
