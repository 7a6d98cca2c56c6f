"""Client for the relay's desk API (/v1): `requests` sessions, timeouts, connection reuse.

Each thread gets its own `requests.Session` (the inbox long-poll and the outbox pusher run on
different threads, and a session is not meant to be shared between threads); connections are
kept alive and reused within a thread.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests

CONNECT_TIMEOUT = 5.0
READ_MARGIN = 10.0
USER_AGENT = "studio-desk-sync"


class RelayError(Exception):
    """The relay could not be reached or refused the request. The message is for people."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class RelayAuthError(RelayError):
    """401: the relay does not accept our token. Retrying will not help until it is fixed."""


class RelayRejected(RelayError):
    """422: the relay understood the request and refused its content (e.g. a bad message)."""

    def __init__(self, message: str, *, detail: str) -> None:
        super().__init__(message, status_code=422)
        self.detail = detail


@dataclass(frozen=True)
class RelayConfig:
    url: str
    token: str

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("The relay address must start with http:// or https://.")
        if not self.token:
            raise ValueError("The relay token is empty.")

    def __repr__(self) -> str:
        return f"RelayConfig(url={self.url!r}, token='***')"


def _detail(response: requests.Response) -> str:
    """FastAPI's `detail`, as one line (a string, or the first validation error's message)."""
    try:
        detail = response.json().get("detail", "")
    except (ValueError, AttributeError):
        return ""
    if isinstance(detail, list) and detail:
        first = detail[0]
        where = ".".join(str(part) for part in first.get("loc", []))
        return f"{where}: {first.get('msg', '')}".strip(": ")
    return str(detail)


@dataclass(frozen=True)
class InboxPage:
    events: list[dict[str, Any]]
    cursor: int
    #: The relay database's identity; a new one means its cursors started again from 0.
    epoch: int | None


class RelayClient:
    def __init__(self, config: RelayConfig, *, session: requests.Session | None = None) -> None:
        self._base = config.url.rstrip("/")
        self._token = config.token
        self._shared = session
        if session is not None:
            self._prepare(session)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self._base

    def _prepare(self, session: requests.Session) -> None:
        session.headers.update({"Authorization": f"Bearer {self._token}", "User-Agent": USER_AGENT})

    def _http(self) -> requests.Session:
        if self._shared is not None:
            return self._shared
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._prepare(session)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        if self._shared is not None:
            self._shared.close()

    def _call(self, method: str, path: str, *, read_timeout: float = 15.0, **kw: Any) -> Any:
        try:
            response = self._http().request(
                method, self._base + path, timeout=(CONNECT_TIMEOUT, read_timeout), **kw
            )
        except requests.RequestException as exc:
            raise RelayError(f"Relay unreachable at {self._base} ({type(exc).__name__}).") from exc
        code = response.status_code
        if code == 401:
            raise RelayAuthError(
                "The relay refused our token; check the relay token in Settings.", status_code=401
            )
        if code == 422:
            detail = _detail(response)
            raise RelayRejected(f"Relay refused {method} {path}: {detail}", detail=detail)
        if code >= 400:
            raise RelayError(f"Relay answered {code} to {method} {path}.", status_code=code)
        try:
            return response.json()
        except ValueError as exc:
            raise RelayError("Relay sent something that is not JSON.", status_code=code) from exc

    def inbox(self, *, after: int | None, limit: int = 50, wait: float = 0) -> InboxPage:
        """Events after `after` (None: after the relay's own acknowledged cursor)."""
        params: dict[str, float] = {"limit": limit, "wait": wait}
        if after is not None:
            params["after"] = after
        data = self._call("GET", "/v1/inbox", params=params, read_timeout=wait + READ_MARGIN)
        epoch = data.get("epoch")
        return InboxPage(
            events=list(data.get("events", [])),
            cursor=int(data.get("cursor", after or 0)),
            epoch=int(epoch) if isinstance(epoch, int) and epoch > 0 else None,
        )

    def ack(self, cursor: int) -> int:
        data = self._call("POST", "/v1/inbox/ack", json={"cursor": cursor})
        return int(data.get("acked", cursor))

    def post_outbox(self, messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        data = self._call("POST", "/v1/outbox", json={"messages": list(messages)})
        return list(data.get("results", []))

    def statuses(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        data = self._call("POST", "/v1/outbox/status", json={"keys": list(keys)})
        return list(data.get("results", []))

    def healthy(self) -> bool:
        try:
            self._call("GET", "/healthz", read_timeout=5.0)
        except RelayError:
            return False
        return True
