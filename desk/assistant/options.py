"""Which offered option a member picks: "2", "#2", "option 3", "the second one", "ikincisi"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from desk.assistant.lexicon import word_set

MAX_OPTION = 10

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "birinci": 1, "ilk": 1, "ikinci": 2, "ucuncu": 3,
    "dorduncu": 4, "besinci": 5, "altinci": 6, "yedinci": 7, "sekizinci": 8, "dokuzuncu": 9,
    "onuncu": 10,
}  # fmt: skip
_NUMBER = r"(10|[1-9])"
_EN_ORDINAL = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    rf"{_NUMBER} (?:st|nd|rd|th))\b(?P<after> (?:one|option|slot|choice|session|class)\b|\s*$)?"
)
_TR_ORDINAL = re.compile(
    r"\b(birinci|ilk|ikinci|ucuncu|dorduncu|besinci|altinci|yedinci|sekizinci|dokuzuncu|onuncu)"
    r"(?P<ending>si|su|sini|sunu|yi|yu|i|ini|u|unu)?\b"
    r"(?P<after> (?:secenek|olan|sira|saat)\w*|\s*$)?"
)
_NUMBERED = re.compile(
    rf"(?:\b(?:option|number|no|nr|num|choice|secenek|numara|sira)\w*(?: \#)?|\#) {_NUMBER}\b"
    rf"|\b{_NUMBER} (?:numara\w*|nolu|no|\. secenek\w*|secenek\w*)\b"
)
#: Words around a bare number that do not change its meaning: "2 pls", "the 3rd one", "2 olsun".
_FILLER = word_set(
    """
    the one option number no nr num choice pls please plz lutfen numara olsun i want take ill
    id like choose pick that it ok okay tamam yes evet secenek istiyorum alayim alirim lets go
    with for me sira yes
    """
)


@dataclass(frozen=True)
class Pick:
    number: int
    only: bool  # the message is nothing but the pick ("2", "#3 pls")


def find_pick(flat: str, words: Sequence[str], taken: Sequence[tuple[int, int]]) -> Pick | None:
    """The option number a message names, ignoring numbers that are part of a day or time."""
    masked = _mask(flat, taken)
    bare = [w for w in _words(masked) if w not in _FILLER]
    if len(bare) == 1 and bare[0].isdigit() and 1 <= int(bare[0]) <= MAX_OPTION:
        return Pick(int(bare[0]), only=True)
    for m in _NUMBERED.finditer(masked):
        return Pick(int(m.group(1) or m.group(2)), only=False)
    short = len(words) <= 4
    for m in _EN_ORDINAL.finditer(masked):
        if m.group("after") is not None or short:
            word = m.group(1)
            return Pick(_ORDINALS.get(word) or int(word.split()[0]), only=False)
    for m in _TR_ORDINAL.finditer(masked):
        if m.group("ending") or m.group("after") is not None or short:
            return Pick(_ORDINALS[m.group(1)], only=False)
    return None


def _mask(flat: str, taken: Sequence[tuple[int, int]]) -> str:
    chars = list(flat)
    for start, end in taken:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _words(flat: str) -> list[str]:
    return [w for w in flat.split() if w.isalnum()]
