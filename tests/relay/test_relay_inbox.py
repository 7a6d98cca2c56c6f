"""Desk API, inbound side: auth, cursor paging, long-poll, ack and retention."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
import requests
from relay_harness import (
    DESK_TOKEN,
    WAIT,
    RelayClient,
    change_value,
    contact,
    envelope,
    member_writes,
    text_message,
    wait_until,
)

from relay import retention

pytestmark = pytest.mark.e2e


BAD_CREDENTIALS = {
    "missing": {},
    "wrong": {"Authorization": "Bearer nope"},
    "wrong-scheme": {"Authorization": f"Basic {DESK_TOKEN}"},
    "prefix": {"Authorization": f"Bearer {DESK_TOKEN[:-1]}"},
}
DESK_ENDPOINTS = [
    ("GET", "/v1/inbox", None),
    ("POST", "/v1/inbox/ack", {"cursor": 0}),
    ("POST", "/v1/outbox", {"messages": []}),
    ("GET", "/v1/outbox/some-key", None),
    ("POST", "/v1/outbox/status", {"keys": ["a"]}),
]


def test_desk_api_requires_the_bearer_token(relay: RelayClient) -> None:
    for (method, path, body), (name, headers) in itertools.product(
        DESK_ENDPOINTS, BAD_CREDENTIALS.items()
    ):
        response = requests.request(method, relay.url + path, json=body, headers=headers, timeout=5)
        assert response.status_code == 401, (method, path, name)
        assert response.headers["www-authenticate"] == "Bearer"


def test_healthz_and_openapi_need_no_token(relay: RelayClient) -> None:
    assert requests.get(f"{relay.url}/healthz", timeout=5).json() == {"status": "ok"}
    schema = requests.get(f"{relay.url}/openapi.json", timeout=5).json()
    assert {"/v1/inbox", "/v1/inbox/ack", "/v1/outbox", "/v1/outbox/{key}"} <= set(schema["paths"])


def test_inbox_pages_by_cursor_oldest_first(relay: RelayClient) -> None:
    for i in range(5):
        relay.post_webhook(member_writes("34600111222", f"wamid.P{i}", f"msg {i}"))

    first = relay.inbox(after=0, limit=2).json()
    second = relay.inbox(after=first["cursor"], limit=10).json()
    empty = relay.inbox(after=second["cursor"]).json()

    assert [e["text"] for e in first["events"]] == ["msg 0", "msg 1"]
    assert [e["text"] for e in second["events"]] == ["msg 2", "msg 3", "msg 4"]
    assert empty == {"events": [], "cursor": second["cursor"], "epoch": first["epoch"]}


def test_long_poll_returns_early_when_a_webhook_arrives(relay: RelayClient) -> None:
    result: dict = {}

    def poll() -> None:
        started = time.monotonic()
        result["response"] = relay.inbox(after=0, wait=20)
        result["elapsed"] = time.monotonic() - started

    poller = threading.Thread(target=poll)
    poller.start()
    wait_until(lambda: relay.runtime.notifier.waiting == 1, what="the poll to park")

    relay.post_webhook(member_writes("34600111222", "wamid.WAKE", "are you there?"))
    poller.join(WAIT)

    assert result["elapsed"] < 5
    assert [e["wamid"] for e in result["response"].json()["events"]] == ["wamid.WAKE"]


def test_long_poll_times_out_empty_and_is_capped(start_relay) -> None:
    relay = start_relay(long_poll_max_seconds=0.3)
    started = time.monotonic()
    response = relay.inbox(after=0, wait=60)
    elapsed = time.monotonic() - started
    assert response.json()["events"] == []
    assert response.json()["cursor"] == 0
    assert 0.25 <= elapsed < 5


def test_ack_then_retention_purges_only_acknowledged_events(relay: RelayClient) -> None:
    relay.post_webhook(member_writes("34600111222", "wamid.A1", "one"))
    relay.post_webhook(member_writes("34600111222", "wamid.A2", "two"))
    events = relay.inbox(after=0).json()["events"]

    ack = relay.http.post(f"{relay.url}/v1/inbox/ack", json={"cursor": events[0]["cursor"]})
    assert ack.json() == {"acked": events[0]["cursor"]}
    # The default `after` is the acknowledged cursor: a restarted desk resumes there.
    assert [e["wamid"] for e in relay.inbox().json()["events"]] == ["wamid.A2"]

    runtime = relay.runtime
    not_yet = retention.purge(runtime.db, time.time(), retention_days=7)
    assert not_yet.inbound == 0
    later = retention.purge(runtime.db, time.time() + 8 * 86400, retention_days=7)
    assert later.inbound == 1
    assert later.deliveries == 2
    assert [e["wamid"] for e in relay.inbox(after=0).json()["events"]] == ["wamid.A2"]


def test_ack_never_moves_back_nor_beyond_the_last_cursor(relay: RelayClient) -> None:
    relay.post_webhook(member_writes("34600111222", "wamid.K1"))
    relay.post_webhook(member_writes("34600111222", "wamid.K2"))
    url = f"{relay.url}/v1/inbox/ack"

    assert relay.http.post(url, json={"cursor": 2}).json() == {"acked": 2}
    assert relay.http.post(url, json={"cursor": 1}).json() == {"acked": 2}
    beyond = relay.http.post(url, json={"cursor": 99})
    assert beyond.status_code == 422
    assert "beyond" in beyond.json()["detail"]


def test_cursor_stays_monotonic_after_purging_the_newest_event(relay: RelayClient) -> None:
    relay.post_webhook(member_writes("34600111222", "wamid.M1"))
    relay.http.post(f"{relay.url}/v1/inbox/ack", json={"cursor": 1})
    retention.purge(relay.runtime.db, time.time() + 30 * 86400, retention_days=7)

    relay.post_webhook(member_writes("34600111222", "wamid.M2"))

    [event] = relay.inbox(after=1).json()["events"]
    assert event["cursor"] == 2


def test_unsupported_and_text_share_one_event_shape(relay: RelayClient) -> None:
    value = change_value(
        messages=[text_message("wamid.S1", "34600111222", "hello")],
        contacts=[contact("34600111222", "Ana")],
    )
    relay.post_webhook(envelope(value))
    [event] = relay.inbox(after=0).json()["events"]
    assert set(event) == {
        "cursor",
        "wamid",
        "from",
        "user_id",
        "profile_name",
        "timestamp",
        "type",
        "original_type",
        "text",
        "reply_id",
        "reply_title",
        "reply_description",
        "context_id",
        "raw",
    }
    assert event["from"] == "34600111222"


def test_epoch_identifies_the_relay_database(start_relay, tmp_path) -> None:
    relay = start_relay()
    epoch = relay.inbox(after=0).json()["epoch"]
    relay.server.stop()
    restarted = start_relay()  # same database file
    lost_disk = start_relay(database_url=f"sqlite:///{tmp_path / 'new.sqlite3'}")

    assert epoch > 0
    assert restarted.inbox(after=0).json()["epoch"] == epoch
    assert lost_disk.inbox(after=0).json()["epoch"] != epoch
