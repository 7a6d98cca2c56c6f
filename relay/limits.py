"""Outbound message shapes the desk may post, checked against WhatsApp's content limits, and
their translation into Graph API request bodies.

Rejecting here (422 to the desk) is far cheaper than finding out from Meta after a send slot,
a retry cycle and a confused member.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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

# The key travels as biz_opaque_callback_data and in URLs, so keep it plain.
KEY_PATTERN = r"^[A-Za-z0-9._:~-]{1,128}$"
# E.164: up to 15 digits, no leading zero; "+" optional because inbound wa_ids come without it.
TO_PATTERN = r"^\+?[1-9][0-9]{6,14}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Outbound(_Strict):
    key: str = Field(pattern=KEY_PATTERN, description="The desk's idempotency key.")
    to: str = Field(pattern=TO_PATTERN, description='"+<E.164>" or wa_id digits.')
    reply_to: str | None = Field(
        default=None, max_length=256, description="wamid of the message this one answers."
    )

    @property
    def to_digits(self) -> str:
        return self.to.lstrip("+")


class TextOut(_Outbound):
    kind: Literal["text"]
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    preview_url: bool = False


class ReplyButton(_Strict):
    id: str = Field(min_length=1, max_length=BUTTON_ID_MAX)
    title: str = Field(min_length=1, max_length=BUTTON_TITLE_MAX)


class ButtonsOut(_Outbound):
    kind: Literal["buttons"]
    body: str = Field(min_length=1, max_length=BUTTONS_BODY_MAX)
    buttons: list[ReplyButton] = Field(min_length=1, max_length=BUTTONS_MAX)
    header: str | None = Field(default=None, min_length=1, max_length=HEADER_FOOTER_MAX)
    footer: str | None = Field(default=None, min_length=1, max_length=HEADER_FOOTER_MAX)

    @model_validator(mode="after")
    def _distinct(self) -> ButtonsOut:
        titles = [b.title for b in self.buttons]
        if len(set(titles)) != len(titles):
            raise ValueError("button titles must be unique")
        ids = [b.id for b in self.buttons]
        if len(set(ids)) != len(ids):
            raise ValueError("button ids must be unique")
        return self


class ListRow(_Strict):
    id: str = Field(min_length=1, max_length=LIST_ROW_ID_MAX)
    title: str = Field(min_length=1, max_length=LIST_ROW_TITLE_MAX)
    description: str | None = Field(default=None, max_length=LIST_ROW_DESCRIPTION_MAX)


class ListSection(_Strict):
    title: str | None = Field(default=None, min_length=1, max_length=SECTION_TITLE_MAX)
    rows: list[ListRow] = Field(min_length=1, max_length=LIST_ROWS_MAX)


class ListOut(_Outbound):
    kind: Literal["list"]
    body: str = Field(min_length=1, max_length=LIST_BODY_MAX)
    button: str = Field(min_length=1, max_length=LIST_BUTTON_MAX, description="Menu label.")
    sections: list[ListSection] = Field(min_length=1, max_length=LIST_ROWS_MAX)
    header: str | None = Field(default=None, min_length=1, max_length=HEADER_FOOTER_MAX)
    footer: str | None = Field(default=None, min_length=1, max_length=HEADER_FOOTER_MAX)

    @model_validator(mode="after")
    def _rows(self) -> ListOut:
        rows = [row for section in self.sections for row in section.rows]
        if len(rows) > LIST_ROWS_MAX:
            raise ValueError(
                f"a list may have at most {LIST_ROWS_MAX} rows in total, got {len(rows)}"
            )
        ids = [row.id for row in rows]
        if len(set(ids)) != len(ids):
            raise ValueError("list row ids must be unique")
        if len(self.sections) > 1 and any(s.title is None for s in self.sections):
            raise ValueError("every section needs a title when there is more than one")
        return self


class TemplateSpec(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_]{1,512}$")
    language: str = Field(pattern=r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$", examples=["en_US"])
    components: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("components")
    @classmethod
    def _typed(cls, components: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for i, component in enumerate(components):
            if not isinstance(component.get("type"), str):
                raise ValueError(f"component {i} needs a string 'type'")
        return components


class TemplateOut(_Outbound):
    kind: Literal["template"]
    template: TemplateSpec


OutboundRequest = Annotated[
    TextOut | ButtonsOut | ListOut | TemplateOut, Field(discriminator="kind")
]


class OutboxBatch(_Strict):
    messages: list[OutboundRequest] = Field(min_length=1, max_length=100)


def graph_payload(message: TextOut | ButtonsOut | ListOut | TemplateOut) -> dict[str, Any]:
    """The /messages request body for one validated outbound message."""
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        # With "+", Meta reads the number as international instead of prefixing our own
        # country code.
        "to": "+" + message.to_digits,
        # Lets statuses find the row even if we never learned the wamid (timeout, crash).
        "biz_opaque_callback_data": message.key,
    }
    if message.reply_to:
        body["context"] = {"message_id": message.reply_to}
    body.update(_content(message))
    return body


def _content(message: TextOut | ButtonsOut | ListOut | TemplateOut) -> dict[str, Any]:
    if isinstance(message, TextOut):
        return {"type": "text", "text": {"body": message.text, "preview_url": message.preview_url}}
    if isinstance(message, TemplateOut):
        template = message.template
        return {
            "type": "template",
            "template": {
                "name": template.name,
                "language": {"code": template.language},
                "components": template.components,
            },
        }
    if isinstance(message, ButtonsOut):
        action: dict[str, Any] = {
            "buttons": [
                {"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in message.buttons
            ]
        }
        return _interactive("button", message.body, action, message.header, message.footer)
    action = {
        "button": message.button,
        "sections": [_section(s) for s in message.sections],
    }
    return _interactive("list", message.body, action, message.header, message.footer)


def _section(section: ListSection) -> dict[str, Any]:
    rows = []
    for row in section.rows:
        item = {"id": row.id, "title": row.title}
        if row.description:
            item["description"] = row.description
        rows.append(item)
    return {"title": section.title, "rows": rows} if section.title else {"rows": rows}


def _interactive(
    kind: str, body: str, action: dict[str, Any], header: str | None, footer: str | None
) -> dict[str, Any]:
    interactive: dict[str, Any] = {"type": kind, "body": {"text": body}, "action": action}
    if header:
        interactive["header"] = {"type": "text", "text": header}
    if footer:
        interactive["footer"] = {"text": footer}
    return {"type": "interactive", "interactive": interactive}
