"""The WhatsApp Cloud API client: one POST per message and a verdict on what to do next."""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

REASON_MAX = 500

# Codes from Meta's error reference (see /work/shared/WHATSAPP.md).
NEEDS_TEMPLATE_CODES = frozenset({131047})
THROTTLED_CODES = frozenset({130429, 4, 80007})  # the number / app / account is over its rate
RECIPIENT_CODES = frozenset({131056})  # too many messages to this one member
TRANSIENT_CODES = frozenset({131000, 131016, 1, 2})


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY = "retry"
    RETRY_RECIPIENT = "retry_recipient"
    THROTTLED = "throttled"
    NEEDS_TEMPLATE = "needs_template"
    FAILED = "failed"
    UNKNOWN = "unknown"  # the request may have been delivered: never resend blindly


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    wamid: str | None = None
    wa_id: str | None = None
    code: int | None = None
    reason: str | None = None


def is_permanent(code: int) -> bool:
    """Template problems (1320xx) and auth/permission problems (0, 10, 190, 200-299)."""
    return code in (0, 10, 190, 131026) or 132000 <= code <= 132099 or 200 <= code <= 299


def classify(http_status: int, code: int | None) -> Outcome:
    if code is not None:
        if code in NEEDS_TEMPLATE_CODES:
            return Outcome.NEEDS_TEMPLATE
        if code in THROTTLED_CODES:
            return Outcome.THROTTLED
        if code in RECIPIENT_CODES:
            return Outcome.RETRY_RECIPIENT
        if code in TRANSIENT_CODES:
            return Outcome.RETRY
        if is_permanent(code):
            return Outcome.FAILED
    if http_status == 429:
        return Outcome.THROTTLED
    if http_status >= 500:
        return Outcome.RETRY
    return Outcome.FAILED


class GraphClient:
    def __init__(self, messages_url: str, access_token: str, timeout: float) -> None:
        self._url = messages_url
        self._headers = {"Authorization": f"Bearer {access_token}"}
        # Connect quickly or not at all; a slow answer is what makes a send "unknown".
        self._timeout = (min(5.0, timeout), timeout)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def _session(self) -> requests.Session:
        # requests.Session is not documented as thread-safe: one per sender thread.
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            # Proxy and CA settings come from the environment as usual, but read once per
            # session: requests otherwise re-reads (and re-parses) them on every POST.
            settings = session.merge_environment_settings(self._url, {}, None, None, None)
            session.trust_env = False
            session.proxies.update(settings["proxies"])
            session.verify = settings["verify"]
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def send(self, payload: dict[str, Any]) -> SendResult:
        try:
            response = self._session().post(
                self._url, json=payload, headers=self._headers, timeout=self._timeout
            )
        except requests.RequestException as exc:
            return _transport_failure(exc)
        return parse_response(response.status_code, _json_or_none(response))

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()


def parse_response(http_status: int, body: Any) -> SendResult:
    body = body if isinstance(body, dict) else {}
    if 200 <= http_status < 300:
        messages = body.get("messages") or [{}]
        wamid = messages[0].get("id") if isinstance(messages[0], dict) else None
        if not isinstance(wamid, str):
            return SendResult(Outcome.UNKNOWN, reason="accepted without a message id")
        contacts = body.get("contacts") or [{}]
        wa_id = contacts[0].get("wa_id") if isinstance(contacts[0], dict) else None
        return SendResult(
            Outcome.SENT, wamid=wamid, wa_id=wa_id if isinstance(wa_id, str) else None
        )
    raw_error = body.get("error")
    error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
    raw_code = error.get("code")
    code = raw_code if isinstance(raw_code, int) else None
    return SendResult(classify(http_status, code), code=code, reason=_reason(error, http_status))


def _reason(error: dict[str, Any], http_status: int) -> str:
    raw_data = error.get("error_data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    text = data.get("details") or error.get("message") or f"HTTP {http_status}"
    return str(text)[:REASON_MAX]


def _transport_failure(exc: requests.RequestException) -> SendResult:
    if _never_reached_meta(exc):
        return SendResult(Outcome.RETRY, reason=f"connection failed ({type(exc).__name__})")
    return SendResult(Outcome.UNKNOWN, reason=f"no answer from Meta ({type(exc).__name__})")


def _never_reached_meta(exc: requests.RequestException) -> bool:
    """True only when the request provably was not sent (no connection, TLS refused)."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        cause = exc.args[0]
        # NewConnectionError (refused, DNS) subclasses ConnectTimeoutError in urllib3.
        return isinstance(cause, MaxRetryError) and isinstance(cause.reason, ConnectTimeoutError)
    return False


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
