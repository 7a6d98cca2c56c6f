"""One turn of a conversation: who wrote, what they have open, and the replies being built.

Handlers read the member, the clock and the dialog state from the `Turn`, call the booking
services, and add replies to it; `conversation` then stores the state and queues the replies.
Every service call that writes goes through `Turn.attempt`, inside a savepoint, so a refusal
halfway through leaves nothing behind while the inbound event itself is still recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from desk.assistant import messages, replies
from desk.assistant.dialog import Pending, State
from desk.assistant.replies import Label, Msg
from desk.assistant.service_match import ServiceName
from desk.domain.enums import Channel, ServiceKind
from desk.domain.errors import DomainError
from desk.services.actor import Actor
from desk.services.catalog import ServiceView
from desk.services.members import MemberProfile

log = logging.getLogger(__name__)

T = TypeVar("T")

CHANNEL = Channel.WHATSAPP

#: Words members use for a service beyond its own name, by a word of that name (folded).
_ALIASES_BY_WORD: dict[str, tuple[str, ...]] = {
    "spinning": ("spin", "cycling", "bisiklet", "indoor cycling"),
    "cycling": ("spin", "spinning", "bisiklet"),
    "reformer": ("pilates", "reformer pilates"),
    "pilates": ("pilates",),
    "yoga": ("yoga",),
}
_PRIVATE_ALIASES = ("pt", "personal training", "private", "özel ders", "kişisel antrenman")


def service_names(services: Sequence[ServiceView]) -> list[ServiceName]:
    """The studio's services as the language side knows them, with the usual nicknames."""
    names = []
    for service in services:
        aliases: list[str] = []
        for word in service.name.lower().split():
            aliases += _ALIASES_BY_WORD.get(word, ())
        if service.kind is ServiceKind.PRIVATE:
            aliases += _PRIVATE_ALIASES
        unique = tuple(dict.fromkeys(a for a in aliases if a != service.name.lower()))
        names.append(ServiceName(service.id, service.name, unique))
    return names


@dataclass
class Turn:
    session: Session
    now: datetime
    tz: ZoneInfo
    wa_id: str
    member: MemberProfile | None
    language: str
    state: State
    services: dict[int, ServiceView]
    #: No dialog state was open (new, or expired): a bare "yes" answers nothing we asked.
    fresh: bool = False
    replies: list[dict[str, Any]] = field(default_factory=list)
    needs_staff: bool = False
    intent: str = ""

    @property
    def actor(self) -> Actor:
        return Actor.whatsapp(self.wa_id)

    @property
    def member_id(self) -> int:
        assert self.member is not None, "handlers run for known members only"
        return self.member.id

    # --- replies ----------------------------------------------------------------------------

    def say(self, msg: Msg, **params: object) -> None:
        self.text(replies.say(msg, self.language, **params))

    def text(self, body: str) -> None:
        self.replies.append(messages.text(body))

    def send(self, message: dict[str, Any]) -> None:
        self.replies.append(message)

    def hand_off(self, msg: Msg, **params: object) -> None:
        """Reply, and flag the conversation for reception."""
        self.say(msg, **params)
        self.needs_staff = True

    def ask(self, body: str, pending: Pending, titles: Sequence[tuple[str, str]]) -> None:
        """A question with choices as buttons (≤ 3) or a list; remembers what was offered."""
        options = [messages.Choice(cid, title) for cid, title in titles]
        self.send(messages.choices(body, options, button=self.label(Label.CHOOSE)))
        self.state.pending = pending

    def label(self, which: Label) -> str:
        return replies.label(which, self.language)

    # --- words for rows -----------------------------------------------------------------------

    def service_name(self, service_id: int) -> str:
        service = self.services.get(service_id)
        return service.name if service else "?"

    def slot(self, start: datetime) -> str:
        return replies.slot(start, self.tz, self.language)

    def short_slot(self, start: datetime) -> str:
        return replies.option_title(start, self.tz, self.language)

    # --- acting -----------------------------------------------------------------------------

    def attempt(self, action: Callable[[], T]) -> T | DomainError:
        """Run a service call in a savepoint; a refusal comes back as the error, undone."""
        try:
            with self.session.begin_nested():
                return action()
        except DomainError as refusal:
            log.info("assistant: %s refused: %s", type(refusal).__name__, refusal)
            return refusal
