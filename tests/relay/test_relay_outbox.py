"""Desk API, outbound side, with the sender talking to a fake Graph API on loopback."""

from __future__ import annotations

import time

import pytest
from relay_harness import (
    ACCESS_TOKEN,
    PHONE_NUMBER_ID,
    FakeGraph,
    GraphReply,
    RelayClient,
    change_value,
    envelope,
    member_writes,
    status,
)

from relay import retention
from relay.graph import GraphClient
from relay.models import Member
from relay.sender import Sender

pytestmark = pytest.mark.e2e

MEMBER = "34600111222"


def text(key: str, to: str = "+" + MEMBER, body: str = "See you at 9!") -> dict:
    return {"key": key, "to": to, "kind": "text", "text": body}


def template(key: str, to: str = "+" + MEMBER) -> dict:
    return {
        "key": key,
        "to": to,
        "kind": "template",
        "template": {
            "name": "class_reminder",
            "language": "en_US",
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "9:00"}]}],
        },
    }


@pytest.fixture
def member_in_window(relay: RelayClient) -> str:
    assert relay.post_webhook(member_writes(MEMBER, "wamid.OPEN")).status_code == 200
    return MEMBER


def test_text_is_sent_to_graph_with_callback_data_and_bearer_token(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    response = relay.post_outbox(text("reply-1"))
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "queued"

    sent = relay.wait_status("reply-1", "sent")

    [call] = graph.wait_for_calls(1)
    assert (call.version, call.phone_number_id) == ("v21.0", PHONE_NUMBER_ID)
    assert call.authorization == f"Bearer {ACCESS_TOKEN}"
    assert call.body["to"] == "+" + MEMBER
    assert call.body["biz_opaque_callback_data"] == "reply-1"
    assert call.body["text"]["body"] == "See you at 9!"
    assert sent["wamid"] == "wamid.FAKE1"
    assert sent["wa_id"] == MEMBER


def test_same_key_twice_sends_once_and_returns_the_first_result(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    relay.post_outbox(text("once"))
    first = relay.wait_status("once", "sent")

    again = relay.post_outbox(text("once", body="a different body"))
    retry_in_batch = relay.post_outbox(text("once"), text("once"))

    assert again.json()["results"][0]["wamid"] == first["wamid"]
    assert [r["wamid"] for r in retry_in_batch.json()["results"]] == [first["wamid"]] * 2
    relay.post_outbox(text("marker"))
    relay.wait_status("marker", "sent")
    assert [c.body["biz_opaque_callback_data"] for c in graph.calls] == ["once", "marker"]


def test_desk_retrying_its_post_while_the_send_is_in_flight_sends_once(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    graph.reply(GraphReply(hang=0.3))  # slow, but inside the send timeout
    relay.post_outbox(text("slow"))
    graph.wait_for_calls(1)

    again = relay.post_outbox(text("slow"))  # e.g. the desk's POST timed out on its side

    assert again.json()["results"][0]["status"] == "queued"
    assert relay.wait_status("slow", "sent")["attempts"] == 1
    relay.post_outbox(text("slow"))
    assert len(graph.calls) == 1


def test_throughput_error_backs_off_then_succeeds(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    graph.reply(
        GraphReply(status=400, error_code=130429), GraphReply(status=400, error_code=131000)
    )

    relay.post_outbox(text("busy"))
    done = relay.wait_status("busy", "sent")

    calls = graph.wait_for_calls(3)
    assert done["attempts"] == 3
    # backoff_unit 0.01 s: 4^1 and 4^2 units between the attempts.
    assert calls[1].at - calls[0].at >= 0.04 * 0.9
    assert calls[2].at - calls[1].at >= 0.16 * 0.9
    assert done["error"] is None


def test_server_errors_and_recipient_limits_are_retried(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    graph.reply(GraphReply(status=503), GraphReply(status=400, error_code=131056))
    relay.post_outbox(text("flaky"))
    assert relay.wait_status("flaky", "sent")["attempts"] == 3


def test_retries_give_up_after_max_attempts(start_relay, graph: FakeGraph) -> None:
    relay = start_relay(max_send_attempts=2)
    relay.post_webhook(member_writes(MEMBER, "wamid.OPEN2"))
    graph.reply(*[GraphReply(status=500, error_code=2)] * 2)

    relay.post_outbox(text("doomed"))
    failed = relay.wait_status("doomed", "failed")

    assert failed["error"]["code"] == 2
    assert len(graph.calls) == 2


@pytest.mark.parametrize("code", [131026, 132001, 190, 100])
def test_permanent_errors_fail_with_code_and_reason(
    relay: RelayClient, graph: FakeGraph, member_in_window: str, code: int
) -> None:
    graph.reply(GraphReply(status=400, error_code=code))
    relay.post_outbox(text("perm"))

    failed = relay.wait_status("perm", "failed")

    assert failed["error"] == {"code": code, "reason": f"code {code}"}
    assert len(graph.calls) == 1


def test_outside_window_text_is_not_sent_and_needs_template(
    relay: RelayClient, graph: FakeGraph
) -> None:
    response = relay.post_outbox(text("cold", to="+34699999999"))
    assert response.json()["results"][0]["status"] == "needs_template"
    relay.post_outbox(template("tpl-marker", to="+34699999999"))
    relay.wait_status("tpl-marker", "sent")
    assert [c.body["biz_opaque_callback_data"] for c in graph.calls] == ["tpl-marker"]


def test_template_is_allowed_outside_the_window(relay: RelayClient, graph: FakeGraph) -> None:
    relay.post_outbox(template("reminder-77", to="+34688888888"))

    relay.wait_status("reminder-77", "sent")

    [call] = graph.wait_for_calls(1)
    assert call.body["type"] == "template"
    assert call.body["template"]["name"] == "class_reminder"
    assert call.body["template"]["language"] == {"code": "en_US"}


def test_meta_131047_marks_needs_template(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    graph.reply(GraphReply(status=400, error_code=131047))
    relay.post_outbox(text("late"))
    result = relay.wait_status("late", "needs_template")
    assert result["error"]["code"] == 131047
    assert len(graph.calls) == 1


def test_window_is_checked_again_at_send_time(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    # Queued while the window was open, but it closed before the sender got to it.
    relay.runtime.sender.stop()
    relay.post_outbox(text("stale"))
    db = relay.runtime.db
    with db.write() as session:
        session.get(Member, MEMBER).last_inbound_at = time.time() - 25 * 3600

    config = relay.runtime.config
    graph_client = GraphClient(config.messages_url, config.access_token, 0.5)
    sender = Sender(db, config, graph_client)
    sender.start()
    try:
        assert relay.wait_status("stale", "needs_template")["wamid"] is None
    finally:
        sender.stop()
    assert graph.calls == []


def test_status_ordering_never_downgrades(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    relay.post_outbox(text("ordered"))
    wamid = relay.wait_status("ordered", "sent")["wamid"]

    relay.post_webhook(envelope(change_value(statuses=[status(wamid, "read", MEMBER)])))
    relay.post_webhook(envelope(change_value(statuses=[status(wamid, "delivered", MEMBER)])))
    relay.post_webhook(envelope(change_value(statuses=[status(wamid, "sent", MEMBER)])))

    assert relay.outbox_status("ordered")["status"] == "read"


def test_failed_status_is_terminal(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    relay.post_outbox(text("doomed-later"))
    wamid = relay.wait_status("doomed-later", "sent")["wamid"]

    failed = status(wamid, "failed", MEMBER, error_code=131026)
    relay.post_webhook(envelope(change_value(statuses=[failed])))
    relay.post_webhook(envelope(change_value(statuses=[status(wamid, "delivered", MEMBER)])))
    relay.post_webhook(envelope(change_value(statuses=[status(wamid, "read", MEMBER)])))

    result = relay.outbox_status("doomed-later")
    assert result["status"] == "failed"
    assert result["error"] == {"code": 131026, "reason": "details for 131026"}


def test_failed_status_with_131047_means_needs_template(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    relay.post_outbox(text("async-fail"))
    wamid = relay.wait_status("async-fail", "sent")["wamid"]
    failed = status(wamid, "failed", MEMBER, error_code=131047)
    relay.post_webhook(envelope(change_value(statuses=[failed])))
    assert relay.outbox_status("async-fail")["status"] == "needs_template"


def test_timed_out_send_is_unknown_then_reconciled_by_callback_data(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    graph.reply(GraphReply(hang=1.5))  # longer than the relay's 0.5 s send timeout
    relay.post_outbox(text("maybe"))

    assert relay.wait_status("maybe", "unknown")["wamid"] is None
    # Meta did send it: its status names our key in biz_opaque_callback_data.
    delivered = status("wamid.LATE1", "delivered", MEMBER, callback="maybe")
    relay.post_webhook(envelope(change_value(statuses=[delivered])))

    result = relay.outbox_status("maybe")
    assert (result["status"], result["wamid"]) == ("delivered", "wamid.LATE1")
    assert len(graph.calls) == 1  # never blindly resent


def test_status_racing_ahead_of_the_send_answer_is_merged(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    # "read" for wamid.FAKE1 arrives before the relay has stored that wamid.
    relay.post_webhook(envelope(change_value(statuses=[status("wamid.FAKE1", "read", MEMBER)])))
    relay.post_outbox(text("fast"))
    assert relay.wait_status("fast", "read", "sent")["status"] == "read"


def test_returned_wa_id_is_stored_and_opens_the_window_for_its_alias(
    relay: RelayClient, graph: FakeGraph
) -> None:
    # Meta normalizes the number we used (e.g. a Brazilian ninth digit) to another wa_id.
    graph.reply(GraphReply(wa_id="551199998888"))
    relay.post_outbox(template("first-contact", to="+5511999998888"))
    assert relay.wait_status("first-contact", "sent")["wa_id"] == "551199998888"

    relay.post_webhook(member_writes("551199998888", "wamid.BR1", "oi"))
    response = relay.post_outbox(text("reply-br", to="+5511999998888"))

    assert response.json()["results"][0]["status"] == "queued"
    relay.wait_status("reply-br", "sent")


def test_batch_status_lookup(relay: RelayClient, member_in_window: str) -> None:
    relay.post_outbox(text("b1"), text("b2", to="+34611111111"))
    relay.wait_status("b1", "sent")

    response = relay.http.post(f"{relay.url}/v1/outbox/status", json={"keys": ["b2", "nope", "b1"]})

    results = response.json()["results"]
    assert [(r["key"], r["status"]) for r in results] == [
        ("b2", "needs_template"),
        ("nope", "not_found"),
        ("b1", "sent"),
    ]
    assert relay.http.get(f"{relay.url}/v1/outbox/nope").status_code == 404


def test_messages_to_one_member_keep_their_order(
    relay: RelayClient, graph: FakeGraph, member_in_window: str
) -> None:
    graph.reply(GraphReply(status=503))  # the first one has to retry
    relay.post_outbox(*[text(f"seq-{i}", body=f"part {i}") for i in range(4)])
    relay.wait_status("seq-3", "sent")
    sent_order = [c.body["text"]["body"] for c in graph.calls]
    assert sent_order == ["part 0", "part 0", "part 1", "part 2", "part 3"]


def test_per_recipient_pacing_spaces_out_sends(start_relay, graph: FakeGraph) -> None:
    relay = start_relay(recipient_interval_seconds=0.3, recipient_burst=1)
    relay.post_webhook(member_writes(MEMBER, "wamid.PACE"))
    relay.post_outbox(text("pace-1"), text("pace-2"))
    relay.wait_status("pace-2", "sent")
    first, second = graph.wait_for_calls(2)
    assert second.at - first.at >= 0.25


def test_outbound_rows_are_purged_after_retention(
    relay: RelayClient, member_in_window: str
) -> None:
    relay.post_outbox(text("old"))
    relay.wait_status("old", "sent")
    counts = retention.purge(relay.runtime.db, time.time() + 8 * 86400, retention_days=7)
    assert counts.outbound == 1
    assert relay.http.get(f"{relay.url}/v1/outbox/old").status_code == 404
