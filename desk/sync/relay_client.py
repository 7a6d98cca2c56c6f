"""Client for the relay's desk API (/v1): one `requests.Session`, timeouts, connection reuse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests

CONNECT_TIMEOUT = 5.0
READ_MARGIN = 10.0


class RelayError(Exception):
    """The relay could not be reached or refused the request. The message is for people."""


class RelayAuthError(RelayError):
    pass


@dataclass(frozen=True)
class RelayConfig:
    url: str
    token: str

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("The relay address must start with http:// or https://.")
        if not self.token:
            raise ValueError("The relay token is empty.")


class RelayClient:
    def __init__(self, config: RelayConfig, *, session: requests.Session | None = None) -> None:
        self._base = config.url.rstrip("/")
        self._http = session or requests.Session()
        self._http.headers.update(
            {"Authorization": f"Bearer {config.token}", "User-Agent": "studio-desk-sync"}
        )

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, *, read_timeout: float = 15.0, **kw: Any) -> Any:
        try:
            response = self._http.request(
                method, self._base + path, timeout=(CONNECT_TIMEOUT, read_timeout), **kw
            )
        except requests.RequestException as exc:
            raise RelayError(f"Relay unreachable ({type(exc).__name__}).") from exc
        if response.status_code == 401:
            raise RelayAuthError("The relay refused our token; check it in Settings.")
        if response.status_code >= 400:
            raise RelayError(f"Relay answered {response.status_code} to {method} {path}.")
        try:
            return response.json()
        except ValueError as exc:
            raise RelayError("Relay sent something that is not JSON.") from exc

    def inbox(
        self, *, after: int, limit: int = 50, wait: float = 0
    ) -> tuple[list[dict[str, Any]], int]:
        data = self._call(
            "GET",
            "/v1/inbox",
            params={"after": after, "limit": limit, "wait": wait},
            read_timeout=wait + READ_MARGIN,
        )
        return list(data.get("events", [])), int(data.get("cursor", after))

    def ack(self, cursor: int) -> None:
        self._call("POST", "/v1/inbox/ack", json={"cursor": cursor})

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
