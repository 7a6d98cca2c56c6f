"""WhatsApp content limits on POST /v1/outbox, and the Graph bodies built from valid input."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError
from relay_harness import RelayClient

from relay.limits import OutboundRequest, graph_payload

ADAPTER: TypeAdapter[Any] = TypeAdapter(OutboundRequest)
TO = "+34600111222"


def buttons(n: int, title: str = "Opt", **extra: Any) -> dict[str, Any]:
    return {
        "key": "k",
        "to": TO,
        "kind": "buttons",
        "body": "Pick one",
        "buttons": [{"id": f"b{i}", "title": f"{title}{i}"} for i in range(n)],
        **extra,
    }


def a_list(rows_per_section: list[int], **extra: Any) -> dict[str, Any]:
    sections = [
        {"title": f"S{s}", "rows": [{"id": f"r{s}.{r}", "title": f"Row {r}"} for r in range(n)]}
        for s, n in enumerate(rows_per_section)
    ]
    return {
        "key": "k",
        "to": TO,
        "kind": "list",
        "body": "Slots",
        "button": "See slots",
        "sections": sections,
        **extra,
    }


VALID = [
    {"key": "k", "to": TO, "kind": "text", "text": "x" * 4096},
    {"key": "k", "to": "34600111222", "kind": "text", "text": "digits only is fine"},
    buttons(1),
    buttons(3, title="A" * 19),
    a_list([10]),
    a_list([4, 6]),
    {"key": "k", "to": TO, "kind": "template", "template": {"name": "reminder", "language": "en"}},
]

INVALID = [
    ({"key": "k", "to": TO, "kind": "text", "text": "x" * 4097}, "at most 4096"),
    ({"key": "k", "to": TO, "kind": "text", "text": ""}, "at least 1"),
    ({"key": "k", "to": "0034600", "kind": "text", "text": "x"}, "pattern"),
    ({"key": "has space", "to": TO, "kind": "text", "text": "x"}, "pattern"),
    ({"key": "k", "to": TO, "kind": "fax", "text": "x"}, "tag"),
    (buttons(0), "at least 1"),
    (buttons(4), "at most 3"),
    (buttons(2, title="A" * 20), "at most 20"),
    (
        {**buttons(2), "buttons": [{"id": "a", "title": "Same"}, {"id": "b", "title": "Same"}]},
        "titles must be unique",
    ),
    ({**buttons(1), "buttons": [{"id": "i" * 257, "title": "t"}]}, "at most 256"),
    ({**buttons(1), "body": "b" * 1025}, "at most 1024"),
    (a_list([6, 5]), "at most 10 rows in total"),
    (a_list([11]), "at most 10"),
    (a_list([1], button="B" * 21), "at most 20"),
    ({**a_list([1]), "sections": [{"rows": [{"id": "r", "title": "T" * 25}]}]}, "at most 24"),
    (
        {
            **a_list([1]),
            "sections": [{"rows": [{"id": "r", "title": "T", "description": "d" * 73}]}],
        },
        "at most 72",
    ),
    (
        {
            "key": "k",
            "to": TO,
            "kind": "template",
            "template": {"name": "Bad Name", "language": "en"},
        },
        "pattern",
    ),
    ({"key": "k", "to": TO, "kind": "template", "template": {"name": "ok"}}, "language"),
    (
        {
            "key": "k",
            "to": TO,
            "kind": "template",
            "template": {"name": "ok", "language": "en", "components": [{"parameters": []}]},
        },
        "needs a string 'type'",
    ),
]


@pytest.mark.parametrize("message", VALID)
def test_valid_messages_pass(message: dict[str, Any]) -> None:
    ADAPTER.validate_python(message)


@pytest.mark.parametrize(("message", "complaint"), INVALID)
def test_invalid_messages_fail_with_a_clear_reason(message: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        ADAPTER.validate_python(message)


def test_buttons_payload_matches_the_cloud_api_shape() -> None:
    message = ADAPTER.validate_python(
        buttons(2, header="Tomorrow", footer="Studio", reply_to="wamid.Q")
    )
    assert graph_payload(message) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "biz_opaque_callback_data": "k",
        "context": {"message_id": "wamid.Q"},
        "type": "interactive",
        "interactive": {
            "type": "button",
            "header": {"type": "text", "text": "Tomorrow"},
            "body": {"text": "Pick one"},
            "footer": {"text": "Studio"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "b0", "title": "Opt0"}},
                    {"type": "reply", "reply": {"id": "b1", "title": "Opt1"}},
                ]
            },
        },
    }


def test_list_payload_matches_the_cloud_api_shape() -> None:
    message = ADAPTER.validate_python(a_list([2]))
    interactive = graph_payload(message)["interactive"]
    assert interactive["type"] == "list"
    assert interactive["action"] == {
        "button": "See slots",
        "sections": [
            {
                "title": "S0",
                "rows": [{"id": "r0.0", "title": "Row 0"}, {"id": "r0.1", "title": "Row 1"}],
            }
        ],
    }


def test_digits_are_sent_with_a_plus_so_meta_reads_them_as_international() -> None:
    message = ADAPTER.validate_python(VALID[1])
    assert graph_payload(message)["to"] == "+34600111222"


@pytest.mark.e2e
def test_outbox_answers_422_naming_the_problem_and_queues_nothing(relay: RelayClient) -> None:
    good = {"key": "good", "to": TO, "kind": "text", "text": "fine"}
    response = relay.post_outbox(good, buttons(4))

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "buttons"
    assert "at most 3" in error["msg"]
    assert relay.http.get(f"{relay.url}/v1/outbox/good").status_code == 404


@pytest.mark.e2e
def test_outbox_rejects_an_empty_or_oversized_batch(relay: RelayClient) -> None:
    assert relay.post_outbox().status_code == 422
    many = [{"key": f"k{i}", "to": TO, "kind": "text", "text": "x"} for i in range(101)]
    assert relay.post_outbox(*many).status_code == 422
