"""The ASGI application: routers, lifespan (database, sender, housekeeping), access log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from relay import __version__, desk_api, retention, webhook
from relay.config import RelayConfig
from relay.db import Database
from relay.graph import GraphClient
from relay.ingest import WebhookIngestor
from relay.runtime import Runtime
from relay.sender import Sender

logger = logging.getLogger("relay")
access_logger = logging.getLogger("relay.access")

# FastAPI's built-in OpenTelemetry hooks would record validation errors (with message
# bodies) and query strings (the webhook verify token): the relay logs ids and counts only.
NO_TELEMETRY: Any = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


def create_app(config: RelayConfig) -> FastAPI:
    """Build the relay; the database and the sender start with the app's lifespan."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await run_in_threadpool(_start_runtime, config)
        app.state.runtime = runtime
        housekeeping = asyncio.create_task(_housekeeping_loop(runtime))
        logger.info("relay started for phone number id %s", config.phone_number_id)
        try:
            yield
        finally:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
            await run_in_threadpool(runtime.sender.stop)
            runtime.db.dispose()
            logger.info("relay stopped")

    app = FastAPI(
        title="Studio Desk WhatsApp relay",
        version=__version__,
        description="Receives WhatsApp webhooks for the studio and relays messages to and "
        "from the desk. The desk API (/v1) needs `Authorization: Bearer <RELAY_DESK_TOKEN>`.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        telemetry=NO_TELEMETRY,
    )
    app.include_router(webhook.router)
    app.include_router(desk_api.router)
    app.add_api_route("/healthz", healthz, methods=["GET"], tags=["ops"])
    app.add_middleware(AccessLog)
    return app


def _start_runtime(config: RelayConfig) -> Runtime:
    db = Database(config.database_url)
    db.create_schema()
    graph = GraphClient(config.messages_url, config.access_token, config.send_timeout_seconds)
    sender = Sender(db, config, graph)
    sender.start()
    return Runtime(config, db, WebhookIngestor(db, config.phone_number_id), sender)


async def _housekeeping_loop(runtime: Runtime) -> None:
    while True:
        try:
            await run_in_threadpool(
                retention.housekeep,
                runtime.db,
                runtime.ingestor,
                time.time(),
                runtime.config.retention_days,
            )
        except Exception as exc:
            logger.error("housekeeping failed: %s", type(exc).__name__)
        await asyncio.sleep(runtime.config.housekeeping_interval_seconds)


async def healthz(request: Request) -> JSONResponse:
    """Liveness for the reverse proxy / monitoring; no authentication, no details."""
    runtime: Runtime = request.app.state.runtime
    try:
        await run_in_threadpool(_ping, runtime.db)
    except Exception:
        return JSONResponse({"status": "database unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def _ping(db: Database) -> None:
    with db.read() as session:
        session.execute(text("SELECT 1"))


class AccessLog:
    """Method, path (never the query string: it carries the verify token), status, time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access_logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)  # nothing to note: no wrapper per message
            return
        started = time.perf_counter()
        status = 0

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            access_logger.info(
                "%s %s %d %.1fms", scope["method"], scope["path"], status, elapsed_ms
            )
