"""Test harness: real uvicorn servers on loopback, a scriptable fake Graph API, and builders
for webhook bodies exactly as Meta serializes them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "verify-token-1"
DESK_TOKEN = "desk-token-abc"
ACCESS_TOKEN = "graph-access-token"
PHONE_NUMBER_ID = "106540352242922"
WAIT = 10.0  # generous upper bound for anything asynchronous; tests normally finish fast


def wait_until(predicate: Callable[[], Any], timeout: float = WAIT, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


# --- Meta's wire format ---------------------------------------------------------------------


def meta_json(payload: Any) -> bytes:
    """Serialize like Meta: compact, ASCII-only (\\u00e9) and with "/" escaped as "\\/"."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    return text.replace("/", "\\/").encode("ascii")


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(*values: dict[str, Any], entries: int = 1) -> dict[str, Any]:
    """Spread change values over `entries` entries, like a batched delivery."""
    buckets: list[list[dict[str, Any]]] = [[] for _ in range(entries)]
    for i, value in enumerate(values):
        buckets[i % entries].append({"field": "messages", "value": value})
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": f"WABA{i}", "changes": changes} for i, changes in enumerate(buckets)],
    }


def change_value(
    messages: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id},
    }
    if contacts is not None:
        value["contacts"] = contacts
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return value


def contact(wa_id: str | None, name: str, user_id: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"profile": {"name": name}}
    if wa_id is not None:
        item["wa_id"] = wa_id
    if user_id is not None:
        item["user_id"] = user_id
    return item


def message(wamid: str, wa_from: str | None, kind: str, ts: float | None = None, **content: Any):
    item: dict[str, Any] = {"id": wamid, "timestamp": str(int(ts or time.time())), "type": kind}
    if wa_from is not None:
        item["from"] = wa_from
    item.update(content)
    return item


def text_message(wamid: str, wa_from: str, body: str, ts: float | None = None) -> dict[str, Any]:
    return message(wamid, wa_from, "text", ts, text={"body": body})


def status(
    wamid: str,
    state: str,
    recipient: str,
    callback: str | None = None,
    error_code: int | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": wamid,
        "status": state,
        "timestamp": str(int(time.time())),
        "recipient_id": recipient,
    }
    if callback is not None:
        item["biz_opaque_callback_data"] = callback
    if error_code is not None:
        item["errors"] = [
            {
                "code": error_code,
                "title": "failure",
                "message": "failure",
                "error_data": {"details": f"details for {error_code}"},
            }
        ]
    return item


def member_writes(wa_id: str, wamid: str, body: str = "hi") -> dict[str, Any]:
    return envelope(
        change_value(messages=[text_message(wamid, wa_id, body)], contacts=[contact(wa_id, "M")])
    )


# --- servers --------------------------------------------------------------------------------


class ServerThread:
    """uvicorn on a pre-bound loopback socket (no port race), stopped via should_exit."""

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="on",
            http="h11",
            ws="none",
            loop="asyncio",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> ServerThread:
        self._thread.start()
        wait_until(lambda: self.server.started or not self._thread.is_alive(), what="server start")
        if not self.server.started:
            raise RuntimeError("server failed to start")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(WAIT)
        self._socket.close()
        if self._thread.is_alive():
            raise RuntimeError("server did not stop in time")


@dataclass
class GraphReply:
    status: int = 200
    error_code: int | None = None
    wa_id: str | None = None  # what Meta says the recipient's wa_id is
    hang: float = 0.0  # seconds to stall before answering (client timeouts)


@dataclass
class GraphCall:
    version: str
    phone_number_id: str
    authorization: str | None
    body: dict[str, Any]
    at: float


@dataclass
class FakeGraph:
    """The Cloud API's /messages endpoint: records calls, answers from a script."""

    calls: list[GraphCall] = field(default_factory=list)
    script: deque[GraphReply] = field(default_factory=deque)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def reset(self) -> None:
        with self._cond:
            self.calls.clear()
            self.script.clear()

    def reply(self, *replies: GraphReply) -> None:
        with self._cond:
            self.script.extend(replies)

    def wait_for_calls(self, count: int, timeout: float = WAIT) -> list[GraphCall]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.calls) >= count, timeout):
                raise AssertionError(f"expected {count} Graph call(s), got {len(self.calls)}")
            return list(self.calls)

    def _record(self, call: GraphCall) -> tuple[GraphReply, int]:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
            return (self.script.popleft() if self.script else GraphReply()), len(self.calls)

    def app(self) -> FastAPI:
        api = FastAPI()

        @api.post("/{version}/{phone_number_id}/messages")
        async def messages(version: str, phone_number_id: str, request: Request) -> Any:
            body = await request.json()
            call = GraphCall(
                version,
                phone_number_id,
                request.headers.get("authorization"),
                body,
                time.monotonic(),
            )
            reply, number = self._record(call)
            if reply.hang:
                await asyncio.sleep(reply.hang)
            if reply.error_code is not None or reply.status >= 400:
                return JSONResponse(_graph_error(reply), status_code=reply.status)
            wa_id = reply.wa_id or body["to"].lstrip("+")
            return {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": wa_id}],
                "messages": [{"id": f"wamid.FAKE{number}"}],
            }

        return api


def _graph_error(reply: GraphReply) -> dict[str, Any]:
    return {
        "error": {
            "message": f"(#{reply.error_code}) scripted failure",
            "type": "OAuthException",
            "code": reply.error_code,
            "error_data": {"messaging_product": "whatsapp", "details": f"code {reply.error_code}"},
            "fbtrace_id": "AbCdEf",
        }
    }


class RelayClient:
    """A started relay plus a requests session that speaks to it as the desk and as Meta."""

    def __init__(self, server: ServerThread, app: Any) -> None:
        self.server = server
        self.url = server.url
        self.app = app
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {DESK_TOKEN}"

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    def post_webhook(
        self, payload: Any = None, *, body: bytes | None = None, signature: str | None = "auto"
    ) -> requests.Response:
        raw = body if body is not None else meta_json(payload)
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            headers["X-Hub-Signature-256"] = sign(raw)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return requests.post(f"{self.url}/webhook", data=raw, headers=headers, timeout=WAIT)

    def inbox(self, **params: Any) -> requests.Response:
        return self.http.get(f"{self.url}/v1/inbox", params=params, timeout=WAIT + 30)

    def post_outbox(self, *messages: dict[str, Any]) -> requests.Response:
        return self.http.post(
            f"{self.url}/v1/outbox", json={"messages": list(messages)}, timeout=WAIT
        )

    def outbox_status(self, key: str) -> dict[str, Any]:
        response = self.http.get(f"{self.url}/v1/outbox/{key}", timeout=WAIT)
        response.raise_for_status()
        return dict(response.json())

    def wait_status(self, key: str, *states: str) -> dict[str, Any]:
        def settled() -> dict[str, Any] | None:
            current = self.outbox_status(key)
            return current if current["status"] in states else None

        return dict(wait_until(settled, what=f"{key} to become {states}"))

    def close(self) -> None:
        self.http.close()
