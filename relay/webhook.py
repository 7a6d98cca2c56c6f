"""/webhook: Meta's verification handshake and signed event deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from relay.runtime import Runtime, get_runtime

logger = logging.getLogger("relay.webhook")
router = APIRouter(tags=["webhook (Meta)"])

SIGNATURE_HEADER = "X-Hub-Signature-256"


def signature_for(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header: str) -> bool:
    # Over the raw bytes as received: Meta signs its own escaped serialization (\u00e9, \/),
    # which re-encoding the parsed JSON would not reproduce.
    expected = signature_for(secret, body)
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())


@router.get("/webhook", response_class=PlainTextResponse)
async def verify(
    runtime: Annotated[Runtime, Depends(get_runtime)],
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> Response:
    """Meta's subscription handshake: echo the challenge if the verify token matches."""
    expected = runtime.config.verify_token.encode()
    if (
        mode == "subscribe"
        and token is not None
        and challenge is not None
        and hmac.compare_digest(expected, token.encode())
    ):
        return PlainTextResponse(challenge)
    return PlainTextResponse("forbidden", status_code=403)


@router.post("/webhook")
async def receive(request: Request, runtime: Annotated[Runtime, Depends(get_runtime)]) -> Response:
    """A signed batch of messages and statuses. 200 only once the raw body is stored."""
    body = await _read_limited(request, runtime.config.max_body_bytes)
    if body is None:
        return _error(413, "body too large")
    header = request.headers.get(SIGNATURE_HEADER)
    if not header:
        return _error(401, f"missing {SIGNATURE_HEADER}")
    if not signature_matches(runtime.config.app_secret, body, header):
        logger.warning("rejected webhook with a bad signature (%d bytes)", len(body))
        return _error(403, "signature mismatch")
    try:
        envelope = json.loads(body)
    except ValueError:
        return _error(400, "body is not JSON")
    if not isinstance(envelope, dict):
        return _error(400, "body is not a JSON object")

    try:
        # Body and processing in one transaction (see relay/ingest.py): committed, the body
        # is safe even if its processing failed, and Meta gets its 200.
        report = await run_in_threadpool(runtime.ingestor.ingest, body, envelope, time.time())
    except Exception as exc:
        # Not 200: Meta keeps the delivery and retries it later.
        logger.error("could not persist webhook body: %s", type(exc).__name__)
        return _error(503, "could not store the delivery; retry later")
    if isinstance(report, int):
        return JSONResponse({"status": "stored"})  # housekeeping processes it again
    if logger.isEnabledFor(logging.INFO):
        logger.info("webhook %s", report.summary())
    if report.new_messages:
        runtime.notifier.notify()
    return JSONResponse({"status": "ok"})


async def _read_limited(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)
