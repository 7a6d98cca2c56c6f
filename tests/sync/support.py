"""The relay side of the sync tests: a real relay (uvicorn on loopback) in front of the relay
tests' fake Graph API, restartable on the same port, and helpers to write as a member.

Reuses tests/relay/relay_harness.py (Meta's wire format, signatures, FakeGraph) unchanged.
"""

from __future__ import annotations

import dataclasses
import socket
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "relay"))

from relay_harness import (
    ACCESS_TOKEN,
    APP_SECRET,
    DESK_TOKEN,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeGraph,
    ServerThread,
    change_value,
    contact,
    envelope,
    message,
    meta_json,
    sign,
    text_message,
    wait_until,
)

from relay.app import create_app
from relay.config import RelayConfig

__all__ = [
    "DESK_TOKEN",
    "FakeGraph",
    "LoopbackServer",
    "RelayStack",
    "calls_by_key",
    "change_value",
    "contact",
    "envelope",
    "message",
    "wait_for",
]


def wait_for(predicate: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    """The relay harness's wait_until with the longer bound the desk-to-relay round trips need."""
    return wait_until(predicate, timeout, what)


class LoopbackServer(ServerThread):
    """The relay harness's ServerThread; `port=` lets a stopped relay come back where it was."""

    def __init__(self, app: Any, port: int = 0) -> None:
        super().__init__(app)
        if port:
            # The harness always binds a fresh port; swap in a socket on the old one before the
            # server thread (not started yet) is built around it.
            self._socket.close()
            self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind(("127.0.0.1", port))
            self.port, self.url = port, f"http://127.0.0.1:{port}"
            self._thread = threading.Thread(
                target=self.server.run, kwargs={"sockets": [self._socket]}, daemon=True
            )


def relay_config(database: Path, graph_url: str, **overrides: Any) -> RelayConfig:
    """Fast settings: millisecond backoff, no per-recipient pacing, short long-polls."""
    config = RelayConfig(
        desk_token=DESK_TOKEN,
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
        access_token=ACCESS_TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        database_url=f"sqlite:///{database}",
        api_base=graph_url,
        api_version="v21.0",
        backoff_unit_seconds=0.01,
        send_timeout_seconds=2.0,
        recipient_interval_seconds=0.0,
        housekeeping_interval_seconds=3600.0,
    )
    return dataclasses.replace(config, **overrides)


class RelayStack:
    """A relay on loopback wired to a fake Graph API; stop() and start() keep its port."""

    def __init__(self, database: Path, graph: FakeGraph, graph_url: str, **overrides: Any):
        self.database = database
        self.graph = graph
        self.config = relay_config(database, graph_url, **overrides)
        self.server: LoopbackServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RelayStack:
        self.server = LoopbackServer(create_app(self.config), port=self.port).start()
        self.port = self.server.port
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def restart_empty(self, database: Path) -> None:
        """The relay comes back with a new, empty database (its disk was lost)."""
        self.stop()
        self.config = dataclasses.replace(self.config, database_url=f"sqlite:///{database}")
        self.start()

    # -- as Meta --------------------------------------------------------------------------

    def post_webhook(self, payload: Any) -> requests.Response:
        raw = meta_json(payload)
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw)}
        response = requests.post(f"{self.url}/webhook", data=raw, headers=headers, timeout=15)
        response.raise_for_status()
        return response

    def member_writes(self, wa_id: str, wamid: str, text: str, name: str = "Member") -> None:
        self.post_webhook(member_message(wa_id, wamid, text, name))

    def member_writes_many(self, messages: list[tuple[str, str, str]]) -> None:
        """One batched delivery: (wa_id, wamid, text) each."""
        values = [
            change_value(
                messages=[text_message(wamid, wa_id, text)], contacts=[contact(wa_id, "Member")]
            )
            for wa_id, wamid, text in messages
        ]
        self.post_webhook(envelope(*values))


def member_message(wa_id: str, wamid: str, text: str, name: str = "Member") -> dict[str, Any]:
    return envelope(
        change_value(messages=[text_message(wamid, wa_id, text)], contacts=[contact(wa_id, name)])
    )


def calls_by_key(graph: FakeGraph) -> Counter[str]:
    """How many times each outbound key reached the Graph API (biz_opaque_callback_data)."""
    return Counter(str(c.body.get("biz_opaque_callback_data")) for c in list(graph.calls))


def texts_to(graph: FakeGraph, wa_id: str) -> list[str]:
    """What a member was sent, in order (text bodies, or the body of buttons and lists)."""
    found = []
    for call in list(graph.calls):
        if call.body.get("to", "").lstrip("+") != wa_id:
            continue
        body = call.body
        if body.get("type") == "text":
            found.append(body["text"]["body"])
        elif body.get("type") == "interactive":
            found.append(body["interactive"]["body"]["text"])
        else:
            found.append(str(body))
    return found


@contextmanager
def graph_server() -> Iterator[tuple[FakeGraph, str]]:
    graph = FakeGraph()
    server = LoopbackServer(graph.app()).start()
    try:
        yield graph, server.url
    finally:
        server.stop()
