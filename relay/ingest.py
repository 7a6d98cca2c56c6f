"""Webhook bodies into the store: persist the raw bytes first, then process every item.

One transaction: the raw body is inserted first and the processing runs in a savepoint after
it, so whatever goes wrong with the contents rolls back to "body stored, not processed" and the
body still commits; answering 200 is then safe (housekeeping retries unprocessed bodies). Each
item is processed in its own savepoint inside that one, so one bad item never drops the others.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from relay import inbox_store, outbox_store
from relay.db import Database
from relay.models import WebhookDelivery
from relay.normalize import iter_changes
from relay.prepared import Prepared, Runner, Savepoint

logger = logging.getLogger("relay.ingest")


@dataclass
class IngestReport:
    delivery_id: int
    new_messages: int = 0
    duplicate_messages: int = 0
    statuses: int = 0
    duplicate_statuses: int = 0
    ignored_changes: int = 0
    malformed_items: int = 0
    failed_items: int = 0  # unexpected errors: the body stays unprocessed for a retry

    def summary(self) -> str:
        return (
            f"delivery={self.delivery_id} new={self.new_messages} dup={self.duplicate_messages} "
            f"statuses={self.statuses} dup_statuses={self.duplicate_statuses} "
            f"ignored={self.ignored_changes} malformed={self.malformed_items} "
            f"failed={self.failed_items}"
        )


class WebhookIngestor:
    def __init__(self, db: Database, phone_number_id: str) -> None:
        self._db = db
        self._phone_number_id = phone_number_id

    def persist(self, body: bytes, now: float) -> int:
        with self._db.fast_write() as session:
            return _insert_body(session, body, now)

    def ingest(self, body: bytes, envelope: Any, now: float) -> IngestReport | int:
        """Persist and process in one transaction: the report, or only the delivery id when
        processing failed as a whole (the body is stored unprocessed for housekeeping)."""
        with self._db.fast_write() as session:
            delivery_id = _insert_body(session, body, now)
            try:
                with Savepoint(session, "relay_delivery"):
                    return self._process_in(session, delivery_id, envelope, now)
            except Exception as exc:
                logger.error("processing delivery %s failed: %s", delivery_id, type(exc).__name__)
                return delivery_id

    def process(self, delivery_id: int, envelope: Any, now: float) -> IngestReport:
        with self._db.fast_write() as session:
            return self._process_in(session, delivery_id, envelope, now)

    def _process_in(
        self, session: Runner, delivery_id: int, envelope: Any, now: float
    ) -> IngestReport:
        report = IngestReport(delivery_id)
        for batch in iter_changes(envelope):
            if batch.phone_number_id != self._phone_number_id:
                report.ignored_changes += 1  # another number on the same app
                continue
            for error in batch.errors:
                logger.warning(
                    "skipped %s in delivery %s: %s", error.where, delivery_id, error.problem
                )
            report.malformed_items += len(batch.errors)
            if batch.platform_error_codes:
                logger.warning(
                    "platform errors %s in delivery %s", batch.platform_error_codes, delivery_id
                )
            for message in batch.messages:
                cursor = _isolated(
                    session, report, inbox_store.store_inbound, session, message, now
                )
                if isinstance(cursor, int):
                    report.new_messages += 1
                elif cursor is None:
                    report.duplicate_messages += 1
            for status in batch.statuses:
                applied = _isolated(
                    session, report, outbox_store.apply_status, session, status, now
                )
                if applied is True:
                    report.statuses += 1
                elif applied is False or applied is None:
                    report.duplicate_statuses += 1
        _MARK_PROCESSED.write(
            session,
            {
                "delivery_id": delivery_id,
                "failed_items": report.failed_items,
                "processed": report.failed_items == 0,
            },
        )
        return report

    def reprocess_pending(self, received_before: float, now: float) -> list[IngestReport]:
        """Process bodies that were persisted but not (fully) processed, oldest first."""
        with self._db.read() as session:
            pending = list(
                session.execute(
                    select(WebhookDelivery.id, WebhookDelivery.body)
                    .where(
                        WebhookDelivery.processed.is_(False),
                        WebhookDelivery.received_at < received_before,
                    )
                    .order_by(WebhookDelivery.id)
                )
            )
        reports = []
        for delivery_id, body in pending:
            try:
                envelope = json.loads(body)
            except ValueError:
                envelope = None  # cannot happen for bodies we accepted; process marks it done
            reports.append(self.process(delivery_id, envelope, now))
        return reports


_FAILED = object()
_ADD_BODY = Prepared(
    insert(WebhookDelivery)
    .values(received_at=bindparam("now"), body=bindparam("body"), processed=False, failed_items=0)
    .returning(WebhookDelivery.id)
)
_MARK_PROCESSED = Prepared(
    update(WebhookDelivery)
    .where(WebhookDelivery.id == bindparam("delivery_id"))
    .values(failed_items=bindparam("failed_items"), processed=bindparam("processed"))
)


def _insert_body(session: Runner, body: bytes, now: float) -> int:
    return int(_ADD_BODY.scalar(session, {"now": now, "body": body}))


def _isolated(session: Runner, report: IngestReport, work: Callable[..., Any], *args: Any) -> Any:
    """Run one item's writes in a savepoint; a failure rolls back that item only.

    Returns what `work` returned, None for a duplicate that lost a race, or _FAILED."""
    try:
        with Savepoint(session):
            return work(*args)
    except IntegrityError:
        return None  # a concurrent delivery stored the same item first
    except Exception as exc:
        report.failed_items += 1
        # The exception type only: messages of database errors can quote member data.
        logger.error("item of delivery %s failed: %s", report.delivery_id, type(exc).__name__)
        return _FAILED
