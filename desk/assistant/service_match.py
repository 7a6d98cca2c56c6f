"""Which of the studio's services a message names: "refomer", "spning", "yogaya", "özel ders"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from desk.assistant import lexicon


@dataclass(frozen=True)
class ServiceName:
    """A bookable service as the assistant knows it: id plus the words members use for it."""

    id: int
    name: str
    aliases: tuple[str, ...] = ()


#: Words of a service's own name too generic to identify it on their own.
_GENERIC = lexicon.word_set(
    "class classes session sessions group private training lesson ders seans grup"
)
#: Endings a service name takes in a message: Turkish case and plural endings (folded, so
#: "pilates'e" → "pilatese", "yogaya", "reformerda", "pt'ye" → "ptye") and an English plural.
#: Anything else is another word: "spinach" is not Spinning.
_ENDINGS = lexicon.word_set(
    """
    s e a i u ye ya yi yu de da te ta den dan ten tan in un nin nun yin yun le la yle yla
    ci cu ler lar leri lari si su
    """
)


@dataclass(frozen=True)
class _Alias:
    service_id: int
    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


def _aliases(services: Sequence[ServiceName]) -> list[_Alias]:
    aliases = []
    for service in services:
        phrases = [service.name, *service.aliases]
        # Single distinctive words of the name: "Reformer Pilates" is asked for as "reformer".
        phrases += [w for w in service.name.split() if w.isalpha() and len(w) >= 4]
        for phrase in phrases:
            words = tuple(lexicon.tokens(lexicon.fold(lexicon.clean(phrase))))
            if words and not (len(words) == 1 and words[0] in _GENERIC):
                aliases.append(_Alias(service.id, words))
    return aliases


def find_service(words: Sequence[str], services: Sequence[ServiceName]) -> int | None:
    """The id of the service the folded tokens name best (earliest mention on a tie), or None.
    Emoji count as words: 🧘 is "yoga", 🚴 "cycling"."""
    words = [lexicon.SERVICE_EMOJI.get(word, word) for word in words]
    best: tuple[float, int, int] | None = None  # (score, -position, -service order)
    found: int | None = None
    order = {service.id: i for i, service in enumerate(services)}
    for alias in _aliases(services):
        size = len(alias.words)
        for position in range(max(0, len(words) - size + 1)):
            score = _score(alias, words[position : position + size])
            if score <= 0:
                continue
            key = (score, -position, -order[alias.service_id])
            if best is None or key > best:
                best = key
                found = alias.service_id
    return found


def _score(alias: _Alias, window: Sequence[str]) -> float:
    if tuple(window) == alias.words:
        return 100.0
    *head, last = alias.words
    token = window[-1]
    if tuple(window[:-1]) == tuple(head) and token.startswith(last):
        if _is_ending(last, token[len(last) :]):
            return 95.0
    if head:
        text = " ".join(window)
        return _fuzzy(alias.text, text) if len(alias.text) >= 8 else 0.0
    return _fuzzy(last, token)


def _is_ending(stem: str, ending: str) -> bool:
    return ending in _ENDINGS and (len(stem) >= 3 or ending != "s")


def _fuzzy(alias: str, token: str) -> float:
    """Typos in longer names; short names ("yoga", "spin") only forgive an extra letter."""
    if len(alias) < 4 or not token.replace(" ", "").isalpha():
        return 0.0
    token = re.sub(r"(.)\1{2,}", r"\1\1", token)
    score = fuzz.ratio(alias, token)
    cutoff = 85.0 if len(alias) <= 5 else 80.0
    return score - 10.0 if score >= cutoff else 0.0
