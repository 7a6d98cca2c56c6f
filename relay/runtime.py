"""What a running relay holds, shared by the routers through `app.state.runtime`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from fastapi import Request

from relay.config import RelayConfig
from relay.db import Database
from relay.ingest import WebhookIngestor
from relay.sender import Sender


class InboxNotifier:
    """Wakes long-polling desk requests when new inbound messages are committed.

    A fresh Event per generation: a waiter takes the current one *before* reading the
    database, so a message committed between its read and its wait still wakes it."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.waiting = 0  # observable so tests can tell a poll is parked

    def current(self) -> asyncio.Event:
        return self._event

    def notify(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, event: asyncio.Event, timeout: float) -> None:
        self.waiting += 1
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self.waiting -= 1


@dataclass
class Runtime:
    config: RelayConfig
    db: Database
    ingestor: WebhookIngestor
    sender: Sender
    notifier: InboxNotifier = field(default_factory=InboxNotifier)


async def get_runtime(request: Request) -> Runtime:
    # async: FastAPI runs a plain `def` dependency in the thread pool, a thread hop per request.
    runtime: Runtime = request.app.state.runtime
    return runtime
