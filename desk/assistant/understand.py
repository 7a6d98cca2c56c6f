"""Read one WhatsApp text from a member: what they want, in which language, for which service
and when. Pure: no database, no network; the conversation layer decides what to do with it.

    understand("yarın akşam reformer var mı?", now=now, tz=tz, services=services)
    → Understanding(intent=availability, language="tr", service_id=1,
                    when=When(2026-11-28, evening), ...)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from desk.assistant import intents, lexicon, options, when
from desk.assistant.dates import PartOfDay, When
from desk.assistant.intents import Intent
from desk.assistant.service_match import ServiceName, find_service

__all__ = ["Intent", "PartOfDay", "ServiceName", "Understanding", "When", "understand"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Understanding:
    """What one message asks for. `when` is the day/time the member named (for a reschedule:
    the booking to move); `target_when` is where a reschedule should go; `option` is the
    1-based number of an offered option they picked."""

    intent: Intent
    language: str
    service_id: int | None = None
    when: When | None = None
    target_when: When | None = None
    option: int | None = None
    confidence: float = 0.0


def understand(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    services: Sequence[ServiceName],
    default_language: str = "en",
) -> Understanding:
    """Never raises on what a member sends: anything unreadable is `Intent.UNKNOWN`.

    `default_language` is used when the message gives no clue ("2", "👍", "18:00"); pass the
    language the conversation has been in so far.
    """
    try:
        return interpret(text, now=now, tz=tz, services=services, default_language=default_language)
    except Exception:  # a bug must cost one message a hand-off to reception, not the sync loop
        log.exception("could not read a member's message (%d chars)", len(text or ""))
        return Understanding(Intent.UNKNOWN, "tr" if default_language == "tr" else "en")


def interpret(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    services: Sequence[ServiceName],
    default_language: str = "en",
) -> Understanding:
    """`understand` without the safety net, so tests can prove the net is never needed."""
    fallback = "tr" if default_language == "tr" else "en"
    cleaned = lexicon.clean(text)
    raw = lexicon.tokens(lexicon.fold(cleaned))
    if not raw:
        return Understanding(Intent.UNKNOWN, fallback)
    tokens = [lexicon.EMOJI_WORDS.get(t) or lexicon.correct(t) for t in raw]
    words = [t for t in tokens if t.isalnum()]
    flat = " ".join(tokens)
    language = lexicon.language(cleaned, [lexicon.correct(t) for t in raw], fallback)
    service_id = find_service(raw, services)
    found = when.find(flat, now=now, tz=tz)
    pick = options.find_pick(flat, words, found.spans)
    has_slots = service_id is not None or bool(found.whens)
    option = pick.number if pick else None
    only = pick is not None and pick.only
    reading = intents.decide(
        flat,
        words,
        has_slots=has_slots,
        option=option,
        option_only=only,
        move_hint=found.suffix_move,
    )
    if reading.intent is Intent.UNKNOWN:
        return Understanding(Intent.UNKNOWN, language)
    day, target = found.move() if reading.intent is Intent.RESCHEDULE else (found.first, None)
    return Understanding(
        intent=reading.intent,
        language=language,
        service_id=service_id,
        when=day,
        target_when=target,
        option=option,
        confidence=reading.confidence,
    )
