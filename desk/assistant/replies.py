"""What the assistant says, in the member's language (English or Turkish).

Simple texts are templates keyed by `Msg` (`say(Msg.TEXT_ONLY, "tr")`, texts in
`reply_texts`); replies with lists, dates or times in them have their own functions below,
which format days and times in the member's language.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from desk.assistant import messages
from desk.assistant.dates import PartOfDay, When, format_day, format_slot, format_time
from desk.assistant.reply_texts import LABELS, TEXTS
from desk.assistant.reply_texts import Label as Label  # re-exported: callers use replies only
from desk.assistant.reply_texts import Msg as Msg


def _lang(language: str) -> str:
    return "tr" if language == "tr" else "en"


def say(msg: Msg, language: str, **params: object) -> str:
    """The text of `msg` in the member's language with its {placeholders} filled in."""
    return TEXTS[msg][_lang(language)].format(**{k: str(v) for k, v in params.items()})


def placeholders(msg: Msg, language: str) -> frozenset[str]:
    """The parameter names a message needs (tests check both languages agree)."""
    fields = string.Formatter().parse(TEXTS[msg][_lang(language)])
    return frozenset(name for _, name, _, _ in fields if name)


def label(which: Label, language: str) -> str:
    return LABELS[which][_lang(language)]


# --- replies with dates and lists ------------------------------------------------------------


def slot(start: datetime, tz: ZoneInfo, language: str) -> str:
    """A session start in a sentence: "Saturday 28 November, 18:00"."""
    local = start.astimezone(tz)
    return f"{format_day(local.date(), language)}, {format_time(local)}"


def option_title(start: datetime, tz: ZoneInfo, language: str) -> str:
    """A session start for a button or list row: "Sat 28 Nov 18:00" (fits 20 characters)."""
    return format_slot(start, tz, language, short=True)


def option_description(language: str, *, trainer: str | None, spots_left: int | None) -> str:
    """ "with Ayşe · 3 spots left" / "Eğitmen: Ayşe · 3 yer kaldı"."""
    parts = []
    if trainer:
        parts.append(f"with {trainer}" if _lang(language) == "en" else f"Eğitmen: {trainer}")
    if spots_left is not None:
        if _lang(language) == "tr":
            parts.append(f"{spots_left} yer kaldı")
        else:
            parts.append(f"{spots_left} spot{'s' if spots_left != 1 else ''} left")
    return " · ".join(parts)


@dataclass(frozen=True)
class SessionOption:
    """A session offered to the member; `id` is ours and comes back when they tap it."""

    id: str
    start: datetime
    trainer: str | None = None
    spots_left: int | None = None


def session_choices(
    language: str, *, body: str, options: Sequence[SessionOption], tz: ZoneInfo
) -> dict[str, Any]:
    """The options as reply buttons (up to 3) or a list (4-10), titled with day and time."""
    choices = [
        messages.Choice(
            option.id,
            option_title(option.start, tz, language),
            option_description(language, trainer=option.trainer, spots_left=option.spots_left),
        )
        for option in options
    ]
    return messages.choices(body, choices, button=label(Label.CHOOSE, language))


def trainer_slot_title(start: datetime, tz: ZoneInfo, language: str, trainer: str) -> str:
    """A free time with its trainer, short enough for a button: "Fri 27 10:00 Ayşe" /
    "27 Cum 10:00 Ayşe" (the month is left out: offers span a week or two)."""
    local = start.astimezone(tz)
    day = format_day(local.date(), language, short=True).split()
    month_at = 1 if _lang(language) == "tr" else 2
    weekday_and_day = " ".join(part for i, part in enumerate(day) if i != month_at)
    return f"{weekday_and_day} {format_time(local)} {trainer}".rstrip()


def free_time_choices(
    language: str, *, body: str, options: Sequence[SessionOption], tz: ZoneInfo
) -> dict[str, Any]:
    """Free private-session times as buttons or a list; titles name the trainer when the
    options are with more than one."""
    several = len({o.trainer for o in options}) > 1
    choices = [
        messages.Choice(
            option.id,
            trainer_slot_title(option.start, tz, language, option.trainer or "")
            if several
            else option_title(option.start, tz, language),
            option_description(language, trainer=option.trainer, spots_left=None),
        )
        for option in options
    ]
    return messages.choices(body, choices, button=label(Label.CHOOSE, language))


def booked(
    language: str, *, service: str, start: datetime, tz: ZoneInfo, trainer: str | None
) -> str:
    return say(
        Msg.BOOKED, language, service=service, slot=slot(start, tz, language),
        trainer=_with_trainer(language, trainer),
    )  # fmt: skip


def rescheduled(
    language: str,
    *,
    service: str,
    old_start: datetime,
    new_start: datetime,
    tz: ZoneInfo,
    trainer: str | None,
) -> str:
    return say(
        Msg.RESCHEDULED, language, service=service, old_slot=option_title(old_start, tz, language),
        new_slot=option_title(new_start, tz, language), trainer=_with_trainer(language, trainer),
    )  # fmt: skip


def _with_trainer(language: str, trainer: str | None) -> str:
    if not trainer:
        return ""
    return f" with {trainer}" if _lang(language) == "en" else f" (eğitmen: {trainer})"


@dataclass(frozen=True)
class BalanceLine:
    """One active entitlement as the member sees it; `remaining` None means unlimited."""

    product: str
    remaining: int | None
    expires_on: date | None


def balance(language: str, lines: Sequence[BalanceLine]) -> str:
    """ "Your packages:\n• Reformer 10: 4 sessions left, valid until Sat 12 Dec"."""
    if not lines:
        return say(Msg.NO_BALANCE, language)
    return "\n".join([say(Msg.BALANCE, language), *(_balance_line(language, b) for b in lines)])


def _balance_line(language: str, line: BalanceLine) -> str:
    tr = _lang(language) == "tr"
    if line.remaining is None:
        amount = "sınırsız" if tr else "unlimited"
    elif tr:
        amount = f"{line.remaining} seans kaldı"
    else:
        amount = f"{line.remaining} session{'s' if line.remaining != 1 else ''} left"
    if line.expires_on is None:
        validity = ""
    else:
        day = format_day(line.expires_on, language, short=True)
        validity = f", son gün {day}" if tr else f", valid until {day}"
    return f"• {line.product}: {amount}{validity}"


@dataclass(frozen=True)
class BookingLine:
    service: str
    start: datetime
    trainer: str | None = None


def my_bookings(language: str, bookings: Sequence[BookingLine], tz: ZoneInfo) -> str:
    if not bookings:
        return say(Msg.NO_BOOKINGS, language)
    lines = [
        f"• {option_title(b.start, tz, language)} {b.service}{_with_trainer(language, b.trainer)}"
        for b in bookings
    ]
    return "\n".join([say(Msg.MY_BOOKINGS, language), *lines])


class NoEntitlementReason(StrEnum):
    NONE = "none"  # no package at all for this service
    NOT_COVERED = "not_covered"  # has a package, but not for this service
    USED_UP = "used_up"
    EXPIRED = "expired"
    WEEKLY_LIMIT = "weekly_limit"  # a capped membership is full that week
    NOT_USABLE = "not_usable"  # paused, or not started yet, on that day


def no_entitlement(
    language: str,
    *,
    reason: NoEntitlementReason,
    service: str,
    package: str | None = None,
    expired_on: date | None = None,
    products: Sequence[str] = (),
) -> str:
    """Why the member cannot book `service`, which products would let them, and that reception
    can sell one."""
    package_name = package or service
    if reason is NoEntitlementReason.NOT_COVERED and package:
        why = say(Msg.NOT_COVERED, language, package=package_name, service=service)
    elif reason is NoEntitlementReason.USED_UP:
        why = say(Msg.USED_UP, language, package=package_name)
    elif reason is NoEntitlementReason.EXPIRED and expired_on is not None:
        day = format_day(expired_on, language, short=True)
        why = say(Msg.EXPIRED, language, package=package_name, day=day)
    elif reason is NoEntitlementReason.WEEKLY_LIMIT:
        why = say(Msg.WEEKLY_LIMIT, language, package=package_name)
    elif reason is NoEntitlementReason.NOT_USABLE:
        why = say(Msg.PACKAGE_NOT_USABLE, language, package=package_name)
    else:
        why = say(Msg.NO_PACKAGE, language, service=service)
    parts = [why]
    if products:
        parts.append(say(Msg.PRODUCTS_THAT_WOULD, language, products=", ".join(products)))
    parts.append(say(Msg.RECEPTION_CAN_SELL, language))
    return " ".join(parts)


def greeting(language: str, name: str | None = None) -> str:
    first = (name or "").split()[0] if (name or "").split() else ""
    return say(Msg.GREETING, language, name=f" {first}" if first else "")


def ask_service(language: str, services: Sequence[str]) -> str:
    return say(Msg.ASK_SERVICE, language, services=", ".join(services))


_PARTS_OF_DAY = {
    PartOfDay.MORNING: ("in the morning", "sabahı"),
    PartOfDay.NOON: ("around noon", "öğlen"),
    PartOfDay.AFTERNOON: ("in the afternoon", "öğleden sonra"),
    PartOfDay.EVENING: ("in the evening", "akşamı"),
}


def describe_when(when: When, language: str) -> str:
    """The member's "when" back in words, to fit "...with free spots {when}" / "{when} boş yeri
    olan...": "on Saturday 28 November at 18:00" / "28 Kasım Cumartesi saat 18:00 için"."""
    tr = _lang(language) == "tr"
    first = format_day(when.first_day, language, short=when.first_day != when.last_day)
    if when.first_day != when.last_day:
        last = format_day(when.last_day, language, short=True)
        return f"{first} – {last} arasında" if tr else f"between {first} and {last}"
    if when.at is not None:
        at = format_time(when.at)
        return f"{first} saat {at} için" if tr else f"on {first} at {at}"
    if when.part is not None:
        en, turkish = _PARTS_OF_DAY[when.part]
        return f"{first} {turkish} için" if tr else f"on {first} {en}"
    return f"{first} için" if tr else f"on {first}"


def no_options(language: str, *, service: str, when: When | None) -> str:
    phrase = (
        describe_when(when, language)
        if when
        else ("şu sıralar" if _lang(language) == "tr" else "soon")
    )
    return say(Msg.NO_OPTIONS, language, service=service, when=phrase)
