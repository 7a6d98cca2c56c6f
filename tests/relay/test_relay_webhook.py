"""The /webhook endpoint against a real relay on loopback."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
import requests
from relay_harness import (
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    RelayClient,
    change_value,
    contact,
    envelope,
    message,
    meta_json,
    sign,
    status,
    text_message,
)
from sqlalchemy import func, select

from relay.models import StatusEvent, WebhookDelivery

pytestmark = pytest.mark.e2e


def _events(relay: RelayClient, after: int = 0) -> list[dict]:
    response = relay.inbox(after=after, limit=500)
    assert response.status_code == 200
    return list(response.json()["events"])


def test_verification_handshake_echoes_challenge_as_plain_text(relay: RelayClient) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "8471"}
    response = requests.get(f"{relay.url}/webhook", params=params, timeout=5)
    assert response.status_code == 200
    assert response.text == "8471"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {},
    ],
)
def test_verification_refused_without_the_right_token(relay: RelayClient, params: dict) -> None:
    response = requests.get(f"{relay.url}/webhook", params=params, timeout=5)
    assert response.status_code == 403
    assert "1" not in response.text


def test_signature_over_meta_escaped_body_is_accepted(relay: RelayClient) -> None:
    # Accents, "/" and "@" are exactly what broke libraries that re-serialized before hashing.
    body_text = "Café à 18h/19h? écrivez-moi @ studio"
    payload = envelope(
        change_value(
            messages=[text_message("wamid.ACCENT", "34600111222", body_text)],
            contacts=[contact("34600111222", "José Núñez")],
        )
    )
    raw = meta_json(payload)
    assert b"\\u00e9" in raw and b"\\/" in raw and raw.isascii()

    response = relay.post_webhook(body=raw)

    assert response.status_code == 200
    [event] = _events(relay)
    assert event["text"] == body_text
    assert event["profile_name"] == "José Núñez"


def test_tampered_body_is_rejected(relay: RelayClient) -> None:
    raw = meta_json(
        envelope(change_value(messages=[text_message("wamid.T", "34600111222", "book me")]))
    )
    signature = sign(raw)
    tampered = raw.replace(b"book me", b"cancel all")

    response = relay.post_webhook(body=tampered, signature=signature)

    assert response.status_code == 403
    assert _events(relay) == []


def test_reserialized_body_does_not_match_meta_signature(relay: RelayClient) -> None:
    payload = envelope(change_value(messages=[text_message("wamid.R", "34600111222", "día/hora")]))
    signature = sign(meta_json(payload))
    reserialized = json.dumps(payload, ensure_ascii=False).encode()

    assert relay.post_webhook(body=reserialized, signature=signature).status_code == 403


def test_missing_signature_is_401(relay: RelayClient) -> None:
    response = relay.post_webhook(
        envelope(change_value(messages=[text_message("wamid.N", "34600111222", "hi")])),
        signature=None,
    )
    assert response.status_code == 401
    assert _events(relay) == []


def test_redelivery_is_deduplicated(relay: RelayClient) -> None:
    payload = envelope(
        change_value(
            messages=[text_message("wamid.DUP", "34600111222", "hello")],
            contacts=[contact("34600111222", "Ana")],
        )
    )
    for _ in range(3):
        assert relay.post_webhook(payload).status_code == 200

    events = _events(relay)
    assert [e["wamid"] for e in events] == ["wamid.DUP"]


def test_batched_post_processes_every_entry_message_and_status(relay: RelayClient) -> None:
    members = [f"3460000{i:04d}" for i in range(6)]
    values = [
        change_value(
            messages=[
                text_message(f"wamid.B{i}a", wa, "one"),
                text_message(f"wamid.B{i}b", wa, "two"),
            ],
            contacts=[contact(wa, f"Member {i}")],
            statuses=[status(f"wamid.OUT{i}", "delivered", wa)],
        )
        for i, wa in enumerate(members)
    ]
    response = relay.post_webhook(envelope(*values, entries=3))

    assert response.status_code == 200
    events = _events(relay)
    assert len(events) == 12
    assert [e["cursor"] for e in events] == sorted(e["cursor"] for e in events)
    assert {e["from"] for e in events} == set(members)
    with relay.runtime.db.read() as session:
        assert session.scalar(select(func.count()).select_from(StatusEvent)) == 6


def test_one_bad_item_does_not_drop_the_others(relay: RelayClient) -> None:
    value = change_value(
        messages=[
            {"type": "text", "text": {"body": "no id"}},  # unusable: no wamid
            "not even an object",
            text_message("wamid.GOOD", "34600111222", "still here"),
        ],
        statuses=[{"status": "read"}, status("wamid.X", "read", "34600111222")],
    )
    assert relay.post_webhook(envelope(value)).status_code == 200
    assert [e["wamid"] for e in _events(relay)] == ["wamid.GOOD"]


def test_other_phone_number_id_is_ignored_but_acknowledged(relay: RelayClient) -> None:
    ours = change_value(messages=[text_message("wamid.OURS", "34600111222", "mine")])
    theirs = change_value(
        messages=[text_message("wamid.THEIRS", "34600111222", "not ours")],
        phone_number_id="999999999",
    )
    assert relay.post_webhook(envelope(ours, theirs)).status_code == 200
    assert [e["wamid"] for e in _events(relay)] == ["wamid.OURS"]


def test_message_types_are_normalized(relay: RelayClient) -> None:
    wa = "34600111222"
    messages = [
        text_message("wamid.text", wa, "hola"),
        message(
            "wamid.btn",
            wa,
            "interactive",
            interactive={"type": "button_reply", "button_reply": {"id": "book:42", "title": "Yes"}},
            context={"from": PHONE_NUMBER_ID, "id": "wamid.ASKED"},
        ),
        message(
            "wamid.list",
            wa,
            "interactive",
            interactive={
                "type": "list_reply",
                "list_reply": {"id": "slot:9", "title": "Mon 9:00", "description": "Reformer"},
            },
        ),
        message("wamid.tpl", wa, "button", button={"payload": "confirm:77", "text": "Confirm"}),
        message("wamid.img", wa, "image", image={"id": "MEDIA1", "mime_type": "image/jpeg"}),
        message("wamid.loc", wa, "location", location={"latitude": 40.4, "longitude": -3.7}),
        message("wamid.rx", wa, "reaction", reaction={"message_id": "wamid.X", "emoji": "👍"}),
    ]
    payload = envelope(change_value(messages=messages, contacts=[contact(wa, "Ana")]))
    assert relay.post_webhook(payload).status_code == 200

    by_id = {e["wamid"]: e for e in _events(relay)}
    assert by_id["wamid.text"]["type"] == "text"
    expected = {
        "type": "button_reply",
        "reply_id": "book:42",
        "reply_title": "Yes",
        "context_id": "wamid.ASKED",
        "original_type": "interactive",
    }
    assert expected.items() <= by_id["wamid.btn"].items()
    assert by_id["wamid.list"]["type"] == "list_reply"
    assert by_id["wamid.list"]["reply_description"] == "Reformer"
    assert (by_id["wamid.tpl"]["type"], by_id["wamid.tpl"]["reply_id"]) == (
        "button_reply",
        "confirm:77",
    )
    assert by_id["wamid.tpl"]["original_type"] == "button"
    for wamid, original in [
        ("wamid.img", "image"),
        ("wamid.loc", "location"),
        ("wamid.rx", "reaction"),
    ]:
        assert by_id[wamid]["type"] == "unsupported"
        assert by_id[wamid]["original_type"] == original
        assert by_id[wamid]["raw"]["type"] == original  # kept for reception to see


def test_username_member_without_wa_id_is_kept_by_user_id(relay: RelayClient) -> None:
    value = change_value(
        messages=[message("wamid.U", None, "text", text={"body": "hi"}, from_user_id="ES.123")],
        contacts=[contact(None, "@lucia", user_id="ES.123")],
    )
    assert relay.post_webhook(envelope(value)).status_code == 200
    [event] = _events(relay)
    assert (event["from"], event["user_id"], event["profile_name"]) == (None, "ES.123", "@lucia")


def test_body_over_the_limit_is_413(start_relay) -> None:
    relay = start_relay(max_body_bytes=4096)
    padding = "x" * 5000
    payload = envelope(change_value(messages=[text_message("wamid.BIG", "34600111222", padding)]))
    assert relay.post_webhook(payload).status_code == 413

    def chunks():
        yield meta_json(payload)  # no Content-Length: the limit must hold while streaming

    response = requests.post(
        f"{relay.url}/webhook",
        data=chunks(),
        headers={"X-Hub-Signature-256": "sha256=0"},
        timeout=5,
    )
    assert response.status_code == 413
    assert _events(relay) == []


def test_malformed_json_is_400(relay: RelayClient) -> None:
    raw = b'{"object":"whatsapp_business_account","entry":['
    assert relay.post_webhook(body=raw).status_code == 400
    assert relay.post_webhook(body=b'["a list"]').status_code == 400


def test_raw_body_is_persisted_before_200(relay: RelayClient) -> None:
    raw = meta_json(envelope(change_value(messages=[text_message("wamid.RAW", "346001", "x")])))
    assert relay.post_webhook(body=raw).status_code == 200
    with relay.runtime.db.read() as session:
        stored = session.scalars(select(WebhookDelivery)).one()
    assert stored.body == raw
    assert stored.processed


def test_persistence_failure_answers_5xx_so_meta_retries(
    start_relay, relay_config, tmp_path
) -> None:
    # Create the schema with a normal relay, then reopen the same file read-only.
    path = tmp_path / "relay.sqlite3"
    first = start_relay()
    first.server.stop()
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    relay = start_relay(database_url=f"sqlite:///file:{path}?mode=ro&uri=true")

    payload = envelope(change_value(messages=[text_message("wamid.RO", "34600111222", "hi")]))
    response = relay.post_webhook(payload)

    assert 500 <= response.status_code < 600


def test_unprocessed_body_is_reprocessed_by_housekeeping(relay: RelayClient) -> None:
    raw = meta_json(envelope(change_value(messages=[text_message("wamid.LATE", "346001", "x")])))
    now = time.time()
    relay.runtime.ingestor.persist(raw, now - 120)  # stored, then the process died

    from relay import retention

    retention.housekeep(relay.runtime.db, relay.runtime.ingestor, now, 7)

    assert [e["wamid"] for e in _events(relay)] == ["wamid.LATE"]


def test_item_that_crashes_is_isolated_and_retried_later(
    relay: RelayClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from relay import inbox_store, retention

    real_store = inbox_store.store_inbound

    def flaky_store(session, message, now):
        if message.wamid == "wamid.BOOM":
            raise RuntimeError("simulated bug")
        return real_store(session, message, now)

    monkeypatch.setattr(inbox_store, "store_inbound", flaky_store)
    wa = "34600111222"
    messages = [text_message(w, wa, "x") for w in ("wamid.OK1", "wamid.BOOM", "wamid.OK2")]
    assert relay.post_webhook(envelope(change_value(messages=messages))).status_code == 200
    assert [e["wamid"] for e in _events(relay)] == ["wamid.OK1", "wamid.OK2"]
    with relay.runtime.db.read() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
    assert (delivery.processed, delivery.failed_items) == (False, 1)

    monkeypatch.setattr(inbox_store, "store_inbound", real_store)  # the bug is fixed
    retention.housekeep(relay.runtime.db, relay.runtime.ingestor, time.time() + 120, 7)

    assert [e["wamid"] for e in _events(relay)] == ["wamid.OK1", "wamid.OK2", "wamid.BOOM"]
