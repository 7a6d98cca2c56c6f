"""Outbound WhatsApp message bodies in the relay's outbox shape, always inside Meta's limits.

The shapes match `relay/limits.py` (the relay rejects anything else with 422):

    {"kind": "text", "text": ...}
    {"kind": "buttons", "body": ..., "buttons": [{"id", "title"}]}            1-3 buttons
    {"kind": "list", "body": ..., "button": ..., "sections": [{"title", "rows": [...]}]}
    {"kind": "template", "template": {"name", "language", "components": [...]}}

The caller adds the envelope fields (`key`, `to`, `reply_to`). Texts we wrote or filled with
member data are trimmed here with an ellipsis rather than rejected: a slightly shorter button is
better than no reply. Ids are ours, so a bad id is a bug and raises ValueError.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TEXT_MAX = 4096
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
BUTTONS_BODY_MAX = 1024
LIST_ROWS_MAX = 10
LIST_ROW_TITLE_MAX = 24
LIST_ROW_DESCRIPTION_MAX = 72
LIST_ROW_ID_MAX = 200
LIST_BUTTON_MAX = 20
LIST_BODY_MAX = 4096
SECTION_TITLE_MAX = 24
HEADER_FOOTER_MAX = 60
TEMPLATE_QUICK_REPLIES_MAX = 10
ELLIPSIS = "…"

_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_TEMPLATE_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")
_ZWJ = "\u200d"
_REGIONAL = range(0x1F1E6, 0x1F200)  # flag halves: 🇹 + 🇷 make one flag


@dataclass(frozen=True)
class Choice:
    """One thing the member can tap: our id comes back in the reply, the title is shown."""

    id: str
    title: str
    description: str | None = None


# --- safe text ---------------------------------------------------------------------------


def clean_text(text: str, *, single_line: bool = False) -> str:
    """Drop what WhatsApp cannot carry (lone surrogates, control characters but newline/tab);
    single_line also folds all whitespace to single spaces (titles, template parameters)."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and char not in "\n\t"):
            continue
        kept.append(char)
    cleaned = "".join(kept)
    if single_line:
        cleaned = " ".join(cleaned.split())
    return cleaned.strip()


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" if cut, never mid-character:
    no letter without its accent, emoji without its skin tone or joiner, or half a flag."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    cut = text[: limit - len(ELLIPSIS)]
    # A combining mark right after the cut belongs to the last kept letter: drop that letter.
    while cut and _is_attached(text[len(cut)]):
        cut = cut[:-1]
    # A joiner at the end would glue the ellipsis onto an emoji: drop it and what it joined.
    while cut.endswith(_ZWJ):
        cut = cut[:-2]
    trailing_flags = len(cut) - len(cut.rstrip("".join(map(chr, _REGIONAL))))
    if trailing_flags % 2:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def _is_attached(char: str) -> bool:
    """Characters that only make sense glued to the one before them."""
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc", "Sk")
        or char == _ZWJ
        or "\ufe00" <= char <= "\ufe0f"  # variation selectors
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin tones
    )


def _body(text: str, limit: int) -> str:
    body = truncate(clean_text(text), limit)
    if not body:
        raise ValueError("a WhatsApp message needs a non-empty body")
    return body


def _unique_titles(titles: Sequence[str], limit: int) -> list[str]:
    """Titles trimmed to `limit` and made distinct ("Sat 28 Nov 18:00 (2)"), never blank."""
    result: list[str] = []
    for index, raw in enumerate(titles, start=1):
        title = truncate(clean_text(raw, single_line=True), limit) or str(index)
        attempt = 2
        while title in result:
            suffix = f" ({attempt})"
            title = truncate(clean_text(raw, single_line=True), limit - len(suffix)) + suffix
            attempt += 1
        result.append(title)
    return result


def _check_ids(choices: Sequence[Choice], limit: int) -> None:
    ids = [choice.id for choice in choices]
    if any(not i or len(i) > limit or i != i.strip() for i in ids):
        raise ValueError(f"choice ids must be 1-{limit} characters without outer spaces: {ids!r}")
    if len(set(ids)) != len(ids):
        raise ValueError(f"choice ids must be unique: {ids!r}")


def _optional(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return truncate(clean_text(text, single_line=True), limit) or None


# --- builders ------------------------------------------------------------------------------


def text(body: str) -> dict[str, Any]:
    return {"kind": "text", "text": _body(body, TEXT_MAX)}


def buttons(
    body: str,
    choices: Sequence[Choice],
    *,
    header: str | None = None,
    footer: str | None = None,
) -> dict[str, Any]:
    """Reply buttons: 1-3 choices with unique titles of ≤ 20 characters, body ≤ 1024."""
    if not 1 <= len(choices) <= BUTTONS_MAX:
        raise ValueError(f"reply buttons take 1-{BUTTONS_MAX} choices, got {len(choices)}")
    _check_ids(choices, BUTTON_ID_MAX)
    titles = _unique_titles([c.title for c in choices], BUTTON_TITLE_MAX)
    message: dict[str, Any] = {
        "kind": "buttons",
        "body": _body(body, BUTTONS_BODY_MAX),
        "buttons": [{"id": c.id, "title": t} for c, t in zip(choices, titles, strict=True)],
    }
    return _with_header_footer(message, header, footer)


def list_message(
    body: str,
    button: str,
    choices: Sequence[Choice],
    *,
    section_title: str | None = None,
    header: str | None = None,
    footer: str | None = None,
) -> dict[str, Any]:
    """A list: 1-10 rows (title ≤ 24, description ≤ 72), menu button label ≤ 20."""
    if not 1 <= len(choices) <= LIST_ROWS_MAX:
        raise ValueError(f"a list takes 1-{LIST_ROWS_MAX} rows, got {len(choices)}")
    _check_ids(choices, LIST_ROW_ID_MAX)
    titles = _unique_titles([c.title for c in choices], LIST_ROW_TITLE_MAX)
    rows = []
    for choice, title in zip(choices, titles, strict=True):
        row = {"id": choice.id, "title": title}
        if description := _optional(choice.description, LIST_ROW_DESCRIPTION_MAX):
            row["description"] = description
        rows.append(row)
    section: dict[str, Any] = {"rows": rows}
    if heading := _optional(section_title, SECTION_TITLE_MAX):
        section["title"] = heading
    message: dict[str, Any] = {
        "kind": "list",
        "body": _body(body, LIST_BODY_MAX),
        "button": _optional(button, LIST_BUTTON_MAX) or "…",
        "sections": [section],
    }
    return _with_header_footer(message, header, footer)


def choices(
    body: str,
    options: Sequence[Choice],
    *,
    button: str,
    section_title: str | None = None,
) -> dict[str, Any]:
    """Options offered the way WhatsApp shows them best: buttons for up to 3, a list for 4-10.
    More than 10 are cut to the first 10 (offer the soonest first)."""
    if not options:
        raise ValueError("offer at least one option")
    if len(options) <= BUTTONS_MAX:
        return buttons(body, options)
    return list_message(body, button, options[:LIST_ROWS_MAX], section_title=section_title)


def template(
    name: str,
    language: str,
    *,
    body_params: Sequence[str] = (),
    quick_replies: Sequence[str] = (),
) -> dict[str, Any]:
    """A pre-approved template (outside the 24-hour window): positional body parameters and
    the payloads its quick-reply buttons send back (as inbound `type: "button"`)."""
    if not _TEMPLATE_NAME.match(name):
        raise ValueError(f"template names are lower-case letters, digits and _: {name!r}")
    if not _TEMPLATE_LANGUAGE.match(language):
        raise ValueError(f"template language must look like 'en' or 'tr' or 'en_US': {language!r}")
    if len(quick_replies) > TEMPLATE_QUICK_REPLIES_MAX:
        raise ValueError(f"at most {TEMPLATE_QUICK_REPLIES_MAX} quick-reply buttons")
    components: list[dict[str, Any]] = []
    if body_params:
        # Meta refuses parameters with newlines, tabs or runs of spaces (error 132018).
        parameters = [{"type": "text", "text": _template_param(p)} for p in body_params]
        components.append({"type": "body", "parameters": parameters})
    for index, payload in enumerate(quick_replies):
        if not payload or len(payload) > BUTTON_ID_MAX:
            raise ValueError(f"quick-reply payloads must be 1-{BUTTON_ID_MAX} characters")
        components.append(
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": str(index),
                "parameters": [{"type": "payload", "payload": payload}],
            }
        )
    return {
        "kind": "template",
        "template": {"name": name, "language": language, "components": components},
    }


def _template_param(value: str) -> str:
    return truncate(clean_text(value, single_line=True), TEXT_MAX // 4) or "-"


def _with_header_footer(
    message: dict[str, Any], header: str | None, footer: str | None
) -> dict[str, Any]:
    if text := _optional(header, HEADER_FOOTER_MAX):
        message["header"] = text
    if text := _optional(footer, HEADER_FOOTER_MAX):
        message["footer"] = text
    return message


def preview(message: dict[str, Any]) -> str:
    """Plain text of a built message, for the desk's inbox screen."""
    kind = message.get("kind")
    if kind == "text":
        return str(message["text"])
    if kind == "buttons":
        titles = " / ".join(b["title"] for b in message["buttons"])
        return f"{message['body']}\n[{titles}]"
    if kind == "list":
        rows = [row["title"] for s in message["sections"] for row in s["rows"]]
        return f"{message['body']}\n[{' / '.join(rows)}]"
    if kind == "template":
        params = [
            p.get("text", "")
            for c in message["template"]["components"]
            if c.get("type") == "body"
            for p in c.get("parameters", [])
        ]
        return f"(template {message['template']['name']}) " + " · ".join(params)
    return ""
