"""/v1: the authenticated API the desk's sync worker talks to."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from relay import inbox_store, outbox_store
from relay.inbox_store import AckBeyondCursor
from relay.limits import KEY_PATTERN, OutboxBatch
from relay.runtime import Runtime, get_runtime

logger = logging.getLogger("relay.desk_api")
_bearer = HTTPBearer(auto_error=False, description="The RELAY_DESK_TOKEN shared with the desk.")


async def require_desk(  # async: no thread-pool hop for a comparison (see get_runtime)
    runtime: Annotated[Runtime, Depends(get_runtime)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    supplied = credentials.credentials if credentials is not None else ""
    if not hmac.compare_digest(supplied.encode(), runtime.config.desk_token.encode()):
        raise HTTPException(
            401, "invalid or missing bearer token", headers={"WWW-Authenticate": "Bearer"}
        )


router = APIRouter(prefix="/v1", tags=["desk"], dependencies=[Depends(require_desk)])
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


class InboxEvent(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    cursor: int
    wamid: str
    from_: str | None = Field(alias="from", description="wa_id digits; null for username users")
    user_id: str | None = Field(description="business-scoped user id, when Meta sends one")
    profile_name: str | None
    timestamp: int = Field(description="when the member sent it (Unix seconds, from Meta)")
    type: Literal["text", "button_reply", "list_reply", "unsupported"]
    original_type: str = Field(description="Meta's message type, e.g. text, interactive, image")
    text: str | None
    reply_id: str | None = Field(description="button id / list row id / template payload")
    reply_title: str | None
    reply_description: str | None
    context_id: str | None = Field(description="wamid of the message the member replied to")
    raw: dict[str, Any] = Field(description="the message object exactly as Meta sent it")


class InboxPage(BaseModel):
    events: list[InboxEvent]
    cursor: int = Field(description="pass as `after` next time (unchanged when no events)")
    epoch: int = Field(
        description="identifies the relay's database; if it changes, the relay lost its data "
        "and cursors start again from 0"
    )


class AckRequest(BaseModel):
    cursor: int = Field(ge=0)


class AckResult(BaseModel):
    acked: int


class SendError(BaseModel):
    code: int | None
    reason: str | None


OutboxState = Literal[
    "queued", "sent", "delivered", "read", "failed", "needs_template", "unknown", "not_found"
]


class OutboxStatus(BaseModel):
    key: str
    status: OutboxState
    wamid: str | None = None
    wa_id: str | None = Field(default=None, description="the recipient's wa_id as Meta knows it")
    kind: str | None = None
    attempts: int = 0
    error: SendError | None = None
    updated_at: float | None = None


class OutboxResults(BaseModel):
    results: list[OutboxStatus]


class StatusQuery(BaseModel):
    keys: list[Annotated[str, Field(pattern=KEY_PATTERN)]] = Field(min_length=1, max_length=500)


@router.get("/inbox", response_model=InboxPage)
async def inbox(
    runtime: RuntimeDep,
    after: Annotated[int | None, Query(ge=0, description="default: the last acked cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    wait: Annotated[float, Query(ge=0, description="seconds to long-poll when empty")] = 0,
) -> Response:
    """Inbound events after `after`, oldest first; waits up to `wait` s for the first one."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(wait, runtime.config.long_poll_max_seconds)
    while True:
        wake = runtime.notifier.current()  # before the read, so no commit slips between
        epoch, after, events = await run_in_threadpool(
            _read, runtime, inbox_store.inbox_page, after, limit
        )
        remaining = deadline - loop.time()
        if events or remaining <= 0:
            break
        await runtime.notifier.wait(wake, remaining)
    cursor = events[-1]["cursor"] if events else after
    return _as_built({"events": events, "cursor": cursor, "epoch": epoch})


@router.post("/inbox/ack", response_model=AckResult)
async def ack(request: AckRequest, runtime: RuntimeDep) -> dict[str, int]:
    """The desk has durably processed everything up to `cursor`; the relay may purge it."""
    try:
        acked = await run_in_threadpool(_write, runtime, inbox_store.acknowledge, request.cursor)
    except AckBeyondCursor as exc:
        raise HTTPException(422, str(exc)) from None
    return {"acked": acked}


@router.post("/outbox", response_model=OutboxResults)
async def post_outbox(batch: OutboxBatch, runtime: RuntimeDep) -> Response:
    """Queue messages. A key seen before is not sent again; its first result is returned."""
    try:
        results = await run_in_threadpool(_enqueue, runtime, batch)
    except IntegrityError:
        # Two posts raced on the same key (PostgreSQL): the loser now sees the winner's row.
        results = await run_in_threadpool(_enqueue, runtime, batch)
    runtime.sender.wake()
    logger.info("outbox: %d message(s) posted", len(results))
    return _as_built({"results": results})


@router.post("/outbox/status", response_model=OutboxResults)
async def outbox_statuses(query: StatusQuery, runtime: RuntimeDep) -> Response:
    """Status of many keys at once, in the order asked; unknown keys are `not_found`."""
    found = await run_in_threadpool(_read, runtime, outbox_store.statuses, query.keys)
    return _as_built({"results": [found.get(k) or _not_found(k) for k in query.keys]})


@router.get("/outbox/{key}", response_model=OutboxStatus)
async def outbox_status(
    key: Annotated[str, Path(pattern=KEY_PATTERN)], runtime: RuntimeDep
) -> dict[str, Any]:
    found: dict[str, dict[str, Any]] = await run_in_threadpool(
        _read, runtime, outbox_store.statuses, [key]
    )
    if key not in found:
        raise HTTPException(404, "no outbound message with this key")
    return found[key]


def _as_built(content: dict[str, Any]) -> Response:
    """The response exactly as the store built it, in the documented model's shape.

    FastAPI would validate it against `response_model` first: every inbox event and its raw
    Meta object field by field, a good part of the relay's CPU for a page of events."""
    return JSONResponse(content)


def _not_found(key: str) -> dict[str, Any]:
    return {
        "key": key,
        "status": "not_found",
        "wamid": None,
        "wa_id": None,
        "kind": None,
        "attempts": 0,
        "error": None,
        "updated_at": None,
    }


def _read(runtime: Runtime, query: Any, *args: Any) -> Any:
    with runtime.db.fast_read() as session:
        return query(session, *args)


def _write(runtime: Runtime, command: Any, *args: Any) -> Any:
    with runtime.db.fast_write() as session:
        return command(session, *args)


def _enqueue(runtime: Runtime, batch: OutboxBatch) -> list[dict[str, Any]]:
    with runtime.db.fast_write() as session:
        return outbox_store.enqueue(session, batch.messages, time.time())
