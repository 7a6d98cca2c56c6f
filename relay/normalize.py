"""Turn Meta's webhook envelope into flat inbound messages and delivery statuses.

Pure functions over parsed JSON, so every shape Meta sends can be tested without a server.
Malformed items become `ItemError`s instead of exceptions so one bad item never hides the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TYPES = ("text", "button_reply", "list_reply")


@dataclass(frozen=True)
class InboundMessage:
    wamid: str
    wa_from: str | None
    user_id: str | None
    profile_name: str | None
    timestamp: int
    type: str  # text | button_reply | list_reply | unsupported
    original_type: str
    text: str | None = None
    reply_id: str | None = None
    reply_title: str | None = None
    reply_description: str | None = None
    context_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def member_key(self) -> str | None:
        if self.wa_from:
            return self.wa_from
        return f"user:{self.user_id}" if self.user_id else None

    def raw_json(self) -> str:
        return json.dumps(self.raw, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class StatusUpdate:
    wamid: str
    status: str  # sent | delivered | read | failed | played
    timestamp: int
    recipient_id: str | None = None
    callback_data: str | None = None
    error_code: int | None = None
    error_reason: str | None = None


@dataclass(frozen=True)
class ItemError:
    """An item we could not understand; reported by position, never by content."""

    where: str
    problem: str


@dataclass
class ChangeBatch:
    phone_number_id: str | None
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    platform_error_codes: list[int] = field(default_factory=list)


def iter_changes(envelope: Any) -> Iterator[ChangeBatch]:
    """Yield one batch per `messages` change of every entry, in order."""
    if not isinstance(envelope, dict):
        return
    for e_index, entry in enumerate(_list(envelope.get("entry"))):
        for c_index, change in enumerate(_list(_dict(entry).get("changes"))):
            change = _dict(change)
            if change.get("field", "messages") != "messages":
                continue
            yield parse_change_value(_dict(change.get("value")), f"entry[{e_index}]/{c_index}")


def parse_change_value(value: dict[str, Any], where: str = "value") -> ChangeBatch:
    metadata = _dict(value.get("metadata"))
    batch = ChangeBatch(phone_number_id=_str(metadata.get("phone_number_id")))
    contacts = _list(value.get("contacts"))
    for i, message in enumerate(_list(value.get("messages"))):
        try:
            batch.messages.append(parse_message(_dict(message), contacts))
        except ValueError as exc:
            batch.errors.append(ItemError(f"{where}/messages[{i}]", str(exc)))
    for i, status in enumerate(_list(value.get("statuses"))):
        try:
            batch.statuses.append(parse_status(_dict(status)))
        except ValueError as exc:
            batch.errors.append(ItemError(f"{where}/statuses[{i}]", str(exc)))
    for error in _list(value.get("errors")):
        code = _int(_dict(error).get("code"))
        if code is not None:
            batch.platform_error_codes.append(code)
    return batch


def parse_message(message: dict[str, Any], contacts: list[Any]) -> InboundMessage:
    wamid = _str(message.get("id"))
    if not wamid:
        raise ValueError("message without id")
    wa_from = _digits_or_none(message.get("from"))
    contact = _find_contact(contacts, wa_from)
    user_id = _str(contact.get("user_id")) or _str(message.get("from_user_id"))
    original_type = _str(message.get("type")) or "unknown"
    context = _dict(message.get("context"))
    common: dict[str, Any] = {
        "wamid": wamid,
        "wa_from": wa_from or _digits_or_none(contact.get("wa_id")),
        "user_id": user_id,
        "profile_name": _str(_dict(contact.get("profile")).get("name")),
        "timestamp": _int(message.get("timestamp")) or 0,
        "original_type": original_type,
        "context_id": _str(context.get("id")),
        "raw": message,
    }
    if common["wa_from"] is None and user_id is None:
        raise ValueError("message without sender")
    return InboundMessage(**common, **_content(original_type, message))


def _content(original_type: str, message: dict[str, Any]) -> dict[str, Any]:
    if original_type == "text":
        body = _str(_dict(message.get("text")).get("body"))
        if body is not None:
            return {"type": "text", "text": body}
    elif original_type == "interactive":
        interactive = _dict(message.get("interactive"))
        kind = _str(interactive.get("type"))
        if kind in ("button_reply", "list_reply"):
            reply = _dict(interactive.get(kind))
            return {
                "type": kind,
                "text": _str(reply.get("title")),
                "reply_id": _str(reply.get("id")),
                "reply_title": _str(reply.get("title")),
                "reply_description": _str(reply.get("description")),
            }
    elif original_type == "button":
        # A quick-reply tap on a template (e.g. Confirm on a reminder).
        button = _dict(message.get("button"))
        return {
            "type": "button_reply",
            "text": _str(button.get("text")),
            "reply_id": _str(button.get("payload")),
            "reply_title": _str(button.get("text")),
        }
    return {"type": "unsupported"}


def parse_status(status: dict[str, Any]) -> StatusUpdate:
    wamid = _str(status.get("id"))
    state = _str(status.get("status"))
    if not wamid or not state:
        raise ValueError("status without id or status")
    code, reason = _first_error(_list(status.get("errors")))
    return StatusUpdate(
        wamid=wamid,
        status=state,
        timestamp=_int(status.get("timestamp")) or 0,
        recipient_id=_str(status.get("recipient_id")) or _str(status.get("recipient_user_id")),
        callback_data=_str(status.get("biz_opaque_callback_data")),
        error_code=code,
        error_reason=reason,
    )


def _first_error(errors: list[Any]) -> tuple[int | None, str | None]:
    if not errors:
        return None, None
    error = _dict(errors[0])
    details = _str(_dict(error.get("error_data")).get("details"))
    return _int(error.get("code")), details or _str(error.get("message") or error.get("title"))


def _find_contact(contacts: list[Any], wa_from: str | None) -> dict[str, Any]:
    """The contact describing this sender: matched by wa_id, else the only one there is."""
    candidates = [_dict(c) for c in contacts]
    if wa_from:
        for contact in candidates:
            if _digits_or_none(contact.get("wa_id")) == wa_from:
                return contact
    return candidates[0] if len(candidates) == 1 else {}


def _digits_or_none(value: Any) -> str | None:
    text = _str(value)
    if text is None:
        return None
    digits = text.lstrip("+")
    return digits if digits.isdigit() else None


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
