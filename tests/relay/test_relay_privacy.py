"""Message bodies and secrets never reach the logs; only ids and counts do."""

from __future__ import annotations

import logging

import pytest
import requests
from relay_harness import (
    ACCESS_TOKEN,
    APP_SECRET,
    DESK_TOKEN,
    VERIFY_TOKEN,
    FakeGraph,
    GraphReply,
    RelayClient,
    change_value,
    contact,
    envelope,
    text_message,
)

pytestmark = pytest.mark.e2e

INBOUND_BODY = "my knee hurts, cancel thursday"
OUTBOUND_BODY = "get well soon, cancelled"


def test_a_full_exchange_logs_no_bodies_and_no_secrets(
    relay: RelayClient, graph: FakeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "9"}
    requests.get(f"{relay.url}/webhook", params=params, timeout=5)
    requests.get(f"{relay.url}/v1/inbox", headers={"Authorization": "Bearer guess"}, timeout=5)
    value = change_value(
        messages=[text_message("wamid.PRIV", "34600111222", INBOUND_BODY)],
        contacts=[contact("34600111222", "Private Person")],
    )
    relay.post_webhook(envelope(value))
    relay.inbox(after=0)
    graph.reply(GraphReply(status=400, error_code=131000))
    relay.post_outbox({"key": "p1", "to": "+34600111222", "kind": "text", "text": OUTBOUND_BODY})
    relay.wait_status("p1", "sent")

    # uvicorn's own access log is switched off by `desk-relay serve` (it prints query strings,
    # see test_serve_runs_until_terminated); pytest attaches a capture handler to it anyway.
    logged = "\n".join(
        caplog.handler.format(r) for r in caplog.records if r.name != "uvicorn.access"
    )
    assert "POST /webhook 200" in logged  # the log is not simply empty
    for secret in (
        INBOUND_BODY,
        OUTBOUND_BODY,
        "Private Person",
        DESK_TOKEN,
        "guess",
        ACCESS_TOKEN,
        APP_SECRET,
        VERIFY_TOKEN,
    ):
        assert secret not in logged
