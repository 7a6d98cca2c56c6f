"""Pure pieces of the relay: normalization, status merging, error classification, throttling,
backoff. No servers here."""

from __future__ import annotations

import itertools
import json

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from urllib3.exceptions import MaxRetryError, NewConnectionError

from relay.graph import Outcome, _transport_failure, classify, parse_response
from relay.normalize import iter_changes, parse_change_value, parse_message, parse_status
from relay.outbox_store import RANK, merge_status
from relay.sender import backoff_seconds
from relay.throttle import Throttle, TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- normalize ------------------------------------------------------------------------------


def test_text_message_takes_profile_and_user_id_from_its_contact() -> None:
    contacts = [
        {"profile": {"name": "Other"}, "wa_id": "111"},
        {"profile": {"name": "Ana"}, "wa_id": "34600111222", "user_id": "ES.99"},
    ]
    message = parse_message(
        {
            "id": "wamid.1",
            "from": "34600111222",
            "timestamp": "1700000000",
            "type": "text",
            "text": {"body": "hola"},
        },
        contacts,
    )
    assert (message.type, message.text, message.profile_name) == ("text", "hola", "Ana")
    assert (message.user_id, message.timestamp, message.member_key) == (
        "ES.99",
        1700000000,
        "34600111222",
    )


def test_username_member_is_keyed_by_user_id() -> None:
    message = parse_message(
        {"id": "wamid.2", "timestamp": "1", "type": "text", "text": {"body": "x"}},
        [{"profile": {"name": "@lu"}, "user_id": "ES.5"}],
    )
    assert message.wa_from is None
    assert message.member_key == "user:ES.5"


def test_message_without_any_sender_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_message({"id": "wamid.3", "type": "text", "text": {"body": "x"}}, [])


def test_interactive_of_another_kind_is_unsupported_but_kept() -> None:
    raw = {"id": "w", "from": "1", "type": "interactive", "interactive": {"type": "nfm_reply"}}
    message = parse_message(raw, [])
    assert (message.type, message.original_type, message.raw) == ("unsupported", "interactive", raw)


def test_failed_status_carries_code_and_details() -> None:
    update = parse_status(
        {
            "id": "wamid.9",
            "status": "failed",
            "timestamp": "5",
            "recipient_id": "34600",
            "biz_opaque_callback_data": "key-1",
            "errors": [{"code": 131026, "title": "t", "error_data": {"details": "undeliverable"}}],
        }
    )
    assert (update.error_code, update.error_reason, update.callback_data) == (
        131026,
        "undeliverable",
        "key-1",
    )


def test_non_message_fields_are_skipped() -> None:
    envelope = {
        "entry": [
            {"changes": [{"field": "message_template_status_update", "value": {"event": "X"}}]},
            {"changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": "7"}}}]},
        ]
    }
    assert [b.phone_number_id for b in iter_changes(envelope)] == ["7"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
message_like = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values | st.text(min_size=1, max_size=5),
        "from": json_values | st.just("34600111222"),
        "type": st.sampled_from(["text", "interactive", "button", "image"]) | json_values,
        "text": json_values,
        "interactive": json_values,
        "button": json_values,
        "timestamp": json_values,
    },
)


@pytest.mark.property
@settings(max_examples=200, deadline=None)
@given(
    messages=st.lists(message_like | json_values, max_size=4),
    statuses=st.lists(json_values, max_size=3),
    contacts=json_values,
)
def test_parsing_never_raises_and_accounts_for_every_item(messages, statuses, contacts) -> None:
    value = {"messages": messages, "statuses": statuses, "contacts": contacts}
    batch = parse_change_value(value)
    assert len(batch.messages) + len(batch.statuses) + len(batch.errors) == len(messages) + len(
        statuses
    )
    for message in batch.messages:
        assert message.type in ("text", "button_reply", "list_reply", "unsupported")
        json.loads(message.raw_json())


# --- status merging -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "incoming", "expected"),
    [
        ("sent", "delivered", "delivered"),
        ("read", "delivered", None),
        ("delivered", "sent", None),
        ("unknown", "delivered", "delivered"),
        ("sending", "read", "read"),
        ("read", "failed", "failed"),
        ("failed", "read", None),
        ("needs_template", "delivered", None),
        ("sent", "played", "read"),
        ("sent", "deleted", None),
    ],
)
def test_merge_status(current: str, incoming: str, expected: str | None) -> None:
    assert merge_status(current, incoming) == expected


def test_failed_with_131047_means_needs_template() -> None:
    assert merge_status("sent", "failed", 131047) == "needs_template"


@pytest.mark.property
# Up to 120 orders per example: on a loaded 2-core CI one example can pass 200 ms.
@settings(deadline=None)
@given(st.sets(st.sampled_from(["sent", "delivered", "read", "failed", "played"]), min_size=1))
def test_final_status_does_not_depend_on_arrival_order(statuses: set[str]) -> None:
    finals = set()
    for order in itertools.permutations(statuses):
        current = "sent"
        for incoming in order:
            current = merge_status(current, incoming) or current
        finals.add(current)
    assert len(finals) == 1
    [final] = finals
    if "failed" in statuses:
        assert final == "failed"
    else:
        best = max(("read" if s == "played" else s for s in statuses), key=RANK.__getitem__)
        assert final == max(best, "sent", key=RANK.__getitem__)


# --- Graph errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("http_status", "code", "outcome"),
    [
        (400, 131047, Outcome.NEEDS_TEMPLATE),
        (400, 130429, Outcome.THROTTLED),
        (400, 131056, Outcome.RETRY_RECIPIENT),
        (500, 131000, Outcome.RETRY),
        (400, 131016, Outcome.RETRY),
        (400, 1, Outcome.RETRY),
        (400, 2, Outcome.RETRY),
        (503, None, Outcome.RETRY),
        (429, None, Outcome.THROTTLED),
        (400, 131026, Outcome.FAILED),
        (400, 132001, Outcome.FAILED),
        (401, 190, Outcome.FAILED),
        (403, 10, Outcome.FAILED),
        (403, 200, Outcome.FAILED),
        (400, 0, Outcome.FAILED),
        (500, 190, Outcome.FAILED),
        (400, 100, Outcome.FAILED),
        (404, None, Outcome.FAILED),
    ],
)
def test_classify(http_status: int, code: int | None, outcome: Outcome) -> None:
    assert classify(http_status, code) is outcome


def test_success_response_yields_wamid_and_wa_id() -> None:
    result = parse_response(
        200,
        {
            "contacts": [{"input": "+5511999998888", "wa_id": "551199998888"}],
            "messages": [{"id": "wamid.OK"}],
        },
    )
    assert (result.outcome, result.wamid, result.wa_id) == (
        Outcome.SENT,
        "wamid.OK",
        "551199998888",
    )


def test_accepted_without_id_is_unknown_not_resent() -> None:
    assert parse_response(200, {"weird": True}).outcome is Outcome.UNKNOWN


def test_refused_connection_is_retried_but_a_read_timeout_is_unknown() -> None:
    refused = requests.ConnectionError(
        MaxRetryError(None, "/", NewConnectionError(None, "refused"))
    )
    assert _transport_failure(refused).outcome is Outcome.RETRY
    assert _transport_failure(requests.ReadTimeout()).outcome is Outcome.UNKNOWN
    assert _transport_failure(requests.ConnectionError("Connection aborted.")).outcome is (
        Outcome.UNKNOWN
    )


# --- throttling and backoff -----------------------------------------------------------------


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.try_take() for _ in range(4)] == [True, True, True, False]
    assert bucket.wait_time() == pytest.approx(0.5)
    clock.now += 0.5
    assert bucket.try_take()
    assert not bucket.try_take()


def test_recipient_pacing_is_per_member() -> None:
    clock = FakeClock()
    throttle = Throttle(80, recipient_interval=6.0, recipient_burst=2, clock=clock)
    assert throttle.try_acquire("a") and throttle.try_acquire("a")
    assert not throttle.try_acquire("a")
    assert throttle.try_acquire("b")
    assert throttle.recipient_wait("a") == pytest.approx(6.0)
    clock.now += 6.0
    assert throttle.try_acquire("a")


def test_overall_rate_caps_all_recipients() -> None:
    clock = FakeClock()
    throttle = Throttle(5, recipient_interval=0, recipient_burst=1, clock=clock)
    granted = sum(throttle.try_acquire(f"m{i}") for i in range(20))
    assert granted == 5
    clock.now += 1.0
    assert sum(throttle.try_acquire(f"n{i}") for i in range(20)) == 5


def test_pause_stops_everything_until_it_ends() -> None:
    clock = FakeClock()
    throttle = Throttle(80, recipient_interval=0, recipient_burst=1, clock=clock)
    throttle.pause(16)
    assert not throttle.try_acquire("a")
    clock.now += 16
    assert throttle.try_acquire("a")


def test_prune_forgets_refilled_recipients() -> None:
    clock = FakeClock()
    throttle = Throttle(80, recipient_interval=1.0, recipient_burst=1, clock=clock)
    throttle.try_acquire("a")
    clock.now += 2
    throttle.prune()
    assert throttle.recipient_wait("a") == 0.0


def test_backoff_is_four_to_the_n_and_capped() -> None:
    assert [backoff_seconds(n, 1.0, 900) for n in range(1, 7)] == [4, 16, 64, 256, 900, 900]
    assert backoff_seconds(2, 0.01, 900) == pytest.approx(0.16)
