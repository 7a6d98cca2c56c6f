"""Where a member's conversation stands between two messages, as plain JSON.

The state is small and self-checking: a *pending question* (the options we offered, what "yes"
means) plus the service the member was talking about. Every option is a choice id such as
"book:42" that also travels as the id of a WhatsApp button or list row, so a tap, a typed "2" and
a typed "yes" all end in the same place. Anything in the state that does not look right (an
older format, a hand-edited row) reads as "nothing pending": a broken state must cost a member
one question, never a wrong booking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from desk.assistant.dates import PartOfDay, When

#: A choice id: what to do and with which row, e.g. "book:42", "cancel-yes:7".
_CHOICE = re.compile(r"^([a-z][a-z-]{0,15}):([0-9]{1,12})$")


class Choice:
    """The actions a choice id can name. Ids are ours: they come back in button taps."""

    BOOK = "book"  # book class session N
    WAITLIST_JOIN = "wl-join"  # join the waitlist of class session N
    WAITLIST_SKIP = "wl-skip"  # don't join it
    WAITLIST_ACCEPT = "wl-accept"  # take the seat held by waitlist entry N
    WAITLIST_DECLINE = "wl-decline"  # pass it on
    CANCEL = "cancel"  # this booking N is the one to cancel (asks to confirm)
    CANCEL_YES = "cancel-yes"  # confirmed: cancel booking N
    CANCEL_NO = "cancel-no"  # keep booking N
    MOVE = "move"  # booking N is the one to move (offers new times)
    MOVE_TO = "move-to"  # move the pending booking to class session N
    BOOK_SLOT = "pt"  # book the pending private service at free time N (see `slot_choice`)

    #: Choices that only ever say "no": harmless without a pending question.
    HARMLESS = frozenset({WAITLIST_SKIP, CANCEL_NO})
    #: Choices that stand alone (template quick replies sent hours ago), checked by the handler.
    STANDALONE = frozenset({WAITLIST_ACCEPT, WAITLIST_DECLINE})


def choice_id(action: str, row_id: int) -> str:
    return f"{action}:{row_id}"


#: A free time travels as one row number: trainer id, then the start in minutes since 1970
#: (8 digits until the year 2160), so a choice id names exactly the trainer and time offered.
_MINUTES = 10**8
#: Trainer ids a free-time choice can carry (a row number has at most 12 digits).
SLOT_TRAINER_MAX = 9_999


def slot_choice(trainer_id: int, starts_at: datetime) -> str | None:
    """The choice id of a free time with `trainer_id` (None if it cannot be written as one)."""
    minutes, seconds = divmod(int(starts_at.timestamp()), 60)
    if seconds or not (0 < trainer_id <= SLOT_TRAINER_MAX and 0 <= minutes < _MINUTES):
        return None
    return choice_id(Choice.BOOK_SLOT, trainer_id * _MINUTES + minutes)


def slot_of(row: int) -> tuple[int, datetime] | None:
    """(trainer id, aware UTC start) of a free-time row number, or None for nonsense."""
    trainer_id, minutes = divmod(row, _MINUTES)
    if not 0 < trainer_id <= SLOT_TRAINER_MAX:
        return None
    return trainer_id, datetime.fromtimestamp(minutes * 60, tz=UTC)


def parse_choice(raw: str) -> tuple[str, int] | None:
    """(action, row id) of a choice id, or None for anything we did not write."""
    found = _CHOICE.match(raw.strip()) if raw else None
    if found is None:
        return None
    return found.group(1), int(found.group(2))


@dataclass
class Pending:
    """A question we asked: the options in the order shown, and the option "yes" stands for."""

    kind: str
    choices: list[str]
    yes: str | None = None
    no: str | None = None
    #: Extra facts the next step needs (e.g. the booking being moved, where to).
    extra: dict[str, Any] = field(default_factory=dict)

    def offers(self, choice: str) -> bool:
        return choice in self.choices or choice in (self.yes, self.no)

    def numbered(self, number: int) -> str | None:
        """The choice a typed "2" means (1-based)."""
        return self.choices[number - 1] if 1 <= number <= len(self.choices) else None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "choices": list(self.choices),
            "yes": self.yes,
            "no": self.no,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_json(cls, raw: Any) -> Pending | None:
        if not isinstance(raw, dict):
            return None
        kind, choices = raw.get("kind"), raw.get("choices")
        yes, no, extra = raw.get("yes"), raw.get("no"), raw.get("extra", {})
        if not isinstance(kind, str) or not isinstance(choices, list):
            return None
        if not all(isinstance(c, str) and parse_choice(c) for c in choices):
            return None
        for answer in (yes, no):
            if answer is not None and not (isinstance(answer, str) and parse_choice(answer)):
                return None
        if not isinstance(extra, dict):
            return None
        return cls(kind=kind, choices=choices, yes=yes, no=no, extra=extra)


@dataclass
class State:
    """The whole dialog state of one member."""

    pending: Pending | None = None
    #: The service the member last asked about, so "and on Saturday?" needs no repeat.
    service_id: int | None = None
    #: An unknown number was already told reception will answer (once per conversation).
    lead_told: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.pending is not None:
            data["pending"] = self.pending.to_json()
        if self.service_id is not None:
            data["service_id"] = self.service_id
        if self.lead_told:
            data["lead_told"] = True
        return data

    @classmethod
    def from_json(cls, raw: Any) -> State:
        if not isinstance(raw, dict):
            return cls()
        service_id = raw.get("service_id")
        return cls(
            pending=Pending.from_json(raw.get("pending")),
            service_id=service_id if isinstance(service_id, int) else None,
            lead_told=raw.get("lead_told") is True,
        )


# --- a "when" kept between messages ----------------------------------------------------------


def when_to_json(when: When | None) -> dict[str, Any] | None:
    if when is None:
        return None
    return {
        "first": when.first_day.isoformat(),
        "last": when.last_day.isoformat(),
        "at": when.at.strftime("%H:%M") if when.at else None,
        "part": when.part.value if when.part else None,
        "day_given": when.day_given,
    }


def when_from_json(raw: Any, tz: ZoneInfo) -> When | None:
    if not isinstance(raw, dict):
        return None
    try:
        at = raw.get("at")
        part = raw.get("part")
        return When(
            first_day=date.fromisoformat(str(raw["first"])),
            last_day=date.fromisoformat(str(raw["last"])),
            tz=tz,
            at=time.fromisoformat(at) if isinstance(at, str) else None,
            part=PartOfDay(part) if isinstance(part, str) else None,
            day_given=raw.get("day_given") is not False,
        )
    except (KeyError, ValueError):
        return None
