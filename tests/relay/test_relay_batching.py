"""The relay's cheaper write paths keep their guarantees: one transaction per webhook (the raw
body survives a failed processing), batched claims and group-committed send results."""

from __future__ import annotations

import threading
import time

import pytest
from relay_harness import (
    FakeGraph,
    RelayClient,
    change_value,
    envelope,
    meta_json,
    text_message,
    wait_until,
)
from sqlalchemy import bindparam, func, select, update

from relay import retention
from relay.graph import GraphClient
from relay.models import InboundEvent, OutboundMessage, WebhookDelivery
from relay.prepared import Prepared, Runner
from relay.sender import Sender

pytestmark = pytest.mark.e2e

_RENAME = Prepared(
    update(OutboundMessage)
    .where(OutboundMessage.key == bindparam("key"))
    .values(kind=bindparam("kind"))
)


@pytest.fixture
def graph(fake_graph: tuple[FakeGraph, str]) -> FakeGraph:
    return fake_graph[0]


def _inbound_count(relay: RelayClient) -> int:
    with relay.runtime.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(InboundEvent)) or 0)


def test_processing_that_fails_as_a_whole_rolls_back_its_items_but_keeps_the_body(
    relay: RelayClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from relay import ingest

    class Broken:
        def write(self, *_args: object) -> int:
            raise RuntimeError("simulated failure after the items were stored")

    real_mark = ingest._MARK_PROCESSED
    monkeypatch.setattr(ingest, "_MARK_PROCESSED", Broken())
    wa = "34600111222"
    raw = meta_json(envelope(change_value(messages=[text_message("wamid.WHOLE", wa, "x")])))

    response = relay.post_webhook(body=raw)

    assert response.status_code == 200  # the body is stored: Meta must not resend
    assert response.json() == {"status": "stored"}
    assert _inbound_count(relay) == 0  # the item's writes went with the failed processing
    with relay.runtime.db.read() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
    assert (delivery.body, delivery.processed) == (raw, False)

    monkeypatch.setattr(ingest, "_MARK_PROCESSED", real_mark)
    retention.housekeep(relay.runtime.db, relay.runtime.ingestor, time.time() + 120, 7)
    retention.housekeep(relay.runtime.db, relay.runtime.ingestor, time.time() + 240, 7)

    assert _inbound_count(relay) == 1  # processed once, however often housekeeping runs
    with relay.runtime.db.read() as session:
        assert session.scalars(select(WebhookDelivery.processed)).one() is True


def test_a_burst_to_many_members_sends_each_message_exactly_once(
    relay: RelayClient, graph: FakeGraph
) -> None:
    messages = [
        {
            "key": f"burst-{i}",
            "to": f"+3469900{i:04d}",
            "kind": "template",
            "template": {"name": "reminder", "language": "en"},
        }
        for i in range(40)
    ]
    assert relay.post_outbox(*messages).status_code == 200

    graph.wait_for_calls(40)
    for message in messages:
        assert relay.wait_status(message["key"], "sent")["attempts"] == 1
    time.sleep(0.2)  # a double send would arrive by now
    keys = [call.body["biz_opaque_callback_data"] for call in graph.calls]
    assert sorted(keys) == sorted(m["key"] for m in messages)


def _row_exists(relay: RelayClient, key: str) -> bool:
    with relay.runtime.db.read() as session:
        found = session.scalar(select(OutboundMessage.id).where(OutboundMessage.key == key))
    return found is not None


def test_group_commit_reports_a_failed_write_to_every_result_in_it(relay: RelayClient) -> None:
    config = relay.runtime.config
    sender = Sender(relay.runtime.db, config, GraphClient(config.messages_url, "t", 0.5))
    relay.post_outbox(
        {
            "key": "group",
            "to": "+34699999999",
            "kind": "template",
            "template": {"name": "x", "language": "en"},
        }
    )
    errors: dict[str, BaseException | None] = {}

    def settle(name: str, fail: bool) -> None:
        def write(tx: Runner) -> None:
            _RENAME.write(tx, {"key": "group", "kind": name})
            if fail:
                raise RuntimeError("disk full")

        try:
            sender._record(write)
            errors[name] = None
        except RuntimeError as exc:
            errors[name] = exc

    with sender._record_lock:  # both results queue up behind a commit in progress
        threads = [
            threading.Thread(target=settle, args=(name, name == "bad")) for name in ("good", "bad")
        ]
        for thread in threads:
            thread.start()
        wait_until(lambda: len(sender._pending) == 2, what="both results pending")
    for thread in threads:
        thread.join(10)

    assert set(errors) == {"good", "bad"}
    assert all(isinstance(error, RuntimeError) for error in errors.values())
    with relay.runtime.db.read() as session:
        kind = session.scalar(select(OutboundMessage.kind).where(OutboundMessage.key == "group"))
    assert kind == "template"  # neither write committed
    assert _row_exists(relay, "group")

    settle("later", False)  # the next result commits on its own
    assert errors["later"] is None
