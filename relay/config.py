"""Relay settings, read once from the environment into an immutable object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///relay.sqlite3"
DEFAULT_API_BASE = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v21.0"

# Secrets and identities the relay cannot guess; everything else has a safe default.
REQUIRED_VARS = (
    "RELAY_DESK_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
)


class ConfigError(ValueError):
    """The environment does not describe a relay that can start."""


@dataclass(frozen=True)
class RelayConfig:
    desk_token: str
    app_secret: str
    verify_token: str
    access_token: str
    phone_number_id: str
    database_url: str = DEFAULT_DATABASE_URL
    api_base: str = DEFAULT_API_BASE
    api_version: str = DEFAULT_API_VERSION
    retention_days: float = 7.0
    max_body_bytes: int = 1024 * 1024
    long_poll_max_seconds: float = 30.0
    # Meta's documented ceilings: ~80 msg/s per number, ~1 per 6 s per recipient.
    send_rate_per_second: float = 80.0
    recipient_interval_seconds: float = 6.0
    recipient_burst: int = 3
    # Backoff after the n-th failure is backoff_unit * 4**n seconds, capped.
    backoff_unit_seconds: float = 1.0
    backoff_cap_seconds: float = 900.0
    max_send_attempts: int = 8
    send_timeout_seconds: float = 15.0
    send_workers: int = 4
    housekeeping_interval_seconds: float = 600.0

    def __repr__(self) -> str:
        # Keep secrets out of tracebacks and debug logs.
        return (
            f"RelayConfig(phone_number_id={self.phone_number_id!r}, "
            f"database_url={_redact_url(self.database_url)!r}, api_base={self.api_base!r})"
        )

    @property
    def messages_url(self) -> str:
        version = self.api_version if self.api_version.startswith("v") else f"v{self.api_version}"
        return f"{self.api_base.rstrip('/')}/{version}/{self.phone_number_id}/messages"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RelayConfig:
        env = os.environ if environ is None else environ
        missing = [name for name in REQUIRED_VARS if not env.get(name, "").strip()]
        if missing:
            raise ConfigError("missing required settings: " + ", ".join(missing))
        return cls(
            desk_token=env["RELAY_DESK_TOKEN"].strip(),
            app_secret=env["WHATSAPP_APP_SECRET"].strip(),
            verify_token=env["WHATSAPP_VERIFY_TOKEN"].strip(),
            access_token=env["WHATSAPP_ACCESS_TOKEN"].strip(),
            phone_number_id=env["WHATSAPP_PHONE_NUMBER_ID"].strip(),
            database_url=env.get("RELAY_DATABASE_URL") or DEFAULT_DATABASE_URL,
            api_base=env.get("WHATSAPP_API_BASE") or DEFAULT_API_BASE,
            api_version=env.get("WHATSAPP_API_VERSION") or DEFAULT_API_VERSION,
            retention_days=_number(env, "RELAY_RETENTION_DAYS", 7.0, minimum=0.0),
            max_body_bytes=int(_number(env, "RELAY_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)),
            send_rate_per_second=_number(env, "RELAY_SEND_RATE_PER_SECOND", 80.0, minimum=0.1),
            recipient_interval_seconds=_number(
                env, "RELAY_RECIPIENT_INTERVAL_SECONDS", 6.0, minimum=0.0
            ),
            recipient_burst=int(_number(env, "RELAY_RECIPIENT_BURST", 3, minimum=1)),
            backoff_unit_seconds=_number(env, "RELAY_BACKOFF_UNIT_SECONDS", 1.0, minimum=0.0),
            max_send_attempts=int(_number(env, "RELAY_MAX_SEND_ATTEMPTS", 8, minimum=1)),
            send_timeout_seconds=_number(env, "RELAY_SEND_TIMEOUT_SECONDS", 15.0, minimum=0.1),
        )


def _number(env: Mapping[str, str], name: str, default: float, *, minimum: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum:g}, got {raw!r}")
    return value


def _redact_url(url: str) -> str:
    """Hide a password embedded in a database URL."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
