"""Housekeeping: retry unprocessed webhook bodies, settle stale sends, purge old rows.

The relay holds messages in transit only; the desk is the source of truth. Anything the desk
has acknowledged, or that has finished its journey, is deleted after the retention period.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete

from relay import inbox_store, outbox_store
from relay.db import Database
from relay.db import rowcount as _deleted
from relay.ingest import WebhookIngestor
from relay.models import InboundEvent, Member, OutboundMessage, StatusEvent, WebhookDelivery

logger = logging.getLogger("relay.retention")

DAY = 86400.0
REPROCESS_AFTER_SECONDS = 60.0
STALE_SENDING_SECONDS = 600.0


@dataclass(frozen=True)
class PurgeCounts:
    inbound: int
    deliveries: int
    statuses: int
    outbound: int
    members: int


def purge(db: Database, now: float, retention_days: float) -> PurgeCounts:
    cutoff = now - retention_days * DAY
    # The window needs a member's last message for 24 h whatever the retention.
    member_cutoff = min(cutoff, now - inbox_store.WINDOW_SECONDS)
    with db.write() as session:
        acked = inbox_store.counter_value(session, "inbox_acked")
        counts = PurgeCounts(
            inbound=_deleted(
                session.execute(
                    delete(InboundEvent).where(
                        InboundEvent.cursor <= acked, InboundEvent.received_at < cutoff
                    )
                )
            ),
            deliveries=_deleted(
                session.execute(delete(WebhookDelivery).where(WebhookDelivery.received_at < cutoff))
            ),
            statuses=_deleted(
                session.execute(delete(StatusEvent).where(StatusEvent.received_at < cutoff))
            ),
            outbound=_deleted(
                session.execute(
                    delete(OutboundMessage).where(
                        OutboundMessage.status.in_(outbox_store.FINISHED),
                        OutboundMessage.updated_at < cutoff,
                    )
                )
            ),
            members=_deleted(
                session.execute(delete(Member).where(Member.last_inbound_at < member_cutoff))
            ),
        )
    return counts


def housekeep(
    db: Database, ingestor: WebhookIngestor, now: float, retention_days: float
) -> PurgeCounts:
    reports = ingestor.reprocess_pending(now - REPROCESS_AFTER_SECONDS, now)
    if reports:
        logger.info("reprocessed %d webhook delivery(ies)", len(reports))
    with db.write() as session:
        stale = outbox_store.release_in_flight(session, now, now - STALE_SENDING_SECONDS)
    if stale:
        logger.warning("%d send(s) never recorded a result; now unknown", stale)
    counts = purge(db, now, retention_days)
    logger.info("purged %s", counts)
    return counts
