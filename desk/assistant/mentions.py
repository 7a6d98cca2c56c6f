"""Day and time phrases in a member's message, found one by one: "yarın", "cumartesiye",
"next monday", "3 aralık", "18:00", "7 pm", "akşam 7", "öğleden sonra".

The text arrives folded and tokenised by `lexicon` ("18'de" → "18 de", "6pm" → "6 pm"), so the
patterns match that form. dateparser reads the fragments it is good at (month names, numeric
dates, "in 3 days"); weekday names, parts of the day and Turkish suffixes are handled here,
where dateparser either gives up ("yarın akşam", "haftaya salı") or guesses in ways a studio
would not. `when` groups the phrases into "when"s.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from desk.assistant import dates
from desk.assistant.dates import PartOfDay
from desk.domain.timeutil import week_start


class Role(StrEnum):
    """Which side of a move a day/time is on: "move *Saturday* to *Monday*"."""

    FROM = "from"
    TO = "to"


@dataclass(frozen=True)
class Clock:
    hour: int
    minute: int
    meridiem: str | None = None  # "am" | "pm"
    padded: bool = False  # "06:30" means morning even without "am"


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    days: tuple[date, date] | None = None
    clock: Clock | None = None
    part: PartOfDay | None = None
    lead_role: Role | None = None  # "to Monday": the marker comes first (English)
    tail_role: Role | None = None  # "pazartesiye": the marker is a suffix (Turkish)


# --- patterns ------------------------------------------------------------------------------

_GREETINGS = re.compile(
    r"\b(?:good (?:morning|afternoon|evening|night|day)|gunaydin|"
    r"iyi (?:aksamlar|geceler|gunler|sabahlar|calismalar)|hayirli (?:aksamlar|sabahlar|gunler)|"
    r"have a (?:good|nice|great|lovely) (?:day|evening|night|weekend))\b"
)
_DAY_AFTER = re.compile(
    r"\b(?:the )?day after (?:tomorrow|tmrw|tmr)\b|\bobur(?:su)? gun\w*|\byarindan sonra\b"
)
_TODAY = re.compile(r"\b(?:todays?|tdy|bugun\w*|bu gun\w*)\b")
_TONIGHT = re.compile(r"\b(?:tonight|tonite|2nite|bu gece\w*)\b")
_THIS_PART = re.compile(
    r"\b(?:this|bu) (morning|afternoon|evening|sabah\w*|ogleden sonra|ogle\w*|aksam\w*)"
)
_TOMORROW = re.compile(
    r"\b(?:(?:tomorrow|tmrw|tmr|tmrow|tmw|tomoz|2moro|2morrow)s?|yarin\w*|yrn\w*|yarn)\b"
)
_WEEKEND = re.compile(r"\b(?:(this|next|haftaya|bu|gelecek) )?(?:weekend|hafta ?sonu\w*)")
_WEEK = re.compile(
    r"\b(?:(next) week|(gelecek|onumuzdeki) hafta\w*|(haftaya)\b|(this) week|(bu) hafta\w*)"
)
_WEEKDAY = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|weds|wed|thurs|"
    r"thur|thu|fri|sat|sun|pazartesi|pzt|pts|sali|carsamba|crs|persembe|prs|cumartesi|cmt|cts|"
    r"cuma|pazar|paz)([a-z]*)"
)
_WEEKDAY_NUMBER = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "pazartesi": 0, "pzt": 0, "pts": 0, "sali": 1, "carsamba": 2, "crs": 2, "persembe": 3,
    "prs": 3, "cuma": 4, "cumartesi": 5, "cmt": 5, "cts": 5, "pazar": 6, "paz": 6,
}  # fmt: skip
_NEXT_WEEK_BEFORE = re.compile(
    r"\b(?:next week|gelecek hafta(?:ki)?|onumuzdeki hafta(?:ki)?|haftaya|haftaki)(?: on)? $"
)
_MODIFIER_BEFORE = re.compile(r"\b(next|this|coming|upcoming|bu|onumuzdeki|gelecek)(?: on)? $")
_NEXT_WEEK_AFTER = re.compile(r"^ (?:of )?(?:next week|haftaya)\b")
_MONTHS = {
    "january": 1, "jan": 1, "ocak": 1, "february": 2, "feb": 2, "subat": 2, "march": 3,
    "mar": 3, "mart": 3, "april": 4, "apr": 4, "nisan": 4, "may": 5, "mayis": 5, "june": 6,
    "jun": 6, "haziran": 6, "july": 7, "jul": 7, "temmuz": 7, "august": 8, "aug": 8,
    "agustos": 8, "september": 9, "sept": 9, "sep": 9, "eylul": 9, "october": 10, "oct": 10,
    "ekim": 10, "november": 11, "nov": 11, "kasim": 11, "december": 12, "dec": 12, "aralik": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"\b([0-3]?[0-9])(?: (?:st|nd|rd|th))?(?: of)? ({_MONTH})[a-z]*(?: ([0-9]{{4}}))?\b"
)
_MONTH_DAY = re.compile(rf"\b({_MONTH})[a-z]* ([0-3]?[0-9])(?: (?:st|nd|rd|th))?\b(?! [:.] [0-9])")
_NUMERIC_DATE = re.compile(r"\b([0-3]?[0-9]) ([./]) ([01]?[0-9])\b(?: \2 ([0-9]{2}|[0-9]{4})\b)?")
_IN_DAYS = re.compile(
    r"\bin (a|an|one|two|three|four|five|six|seven|[0-9]{1,2}) (days?|weeks?)\b|"
    r"\b([0-9]{1,2}|bir|iki|uc|dort|bes) (gun|hafta) sonra\b"
)
MAX_DATE_FRAGMENTS = 6
_DAY_OF_MONTH = re.compile(r"\b(?:on|for) the ([0-3]?[0-9]) (?:st|nd|rd|th)\b")
_COUNT_WORDS = {
    "a": 1, "an": 1, "one": 1, "bir": 1, "two": 2, "iki": 2, "three": 3, "uc": 3, "four": 4,
    "dort": 4, "five": 5, "bes": 5, "six": 6, "seven": 7,
}  # fmt: skip

_AMPM = r"(?P<ap>am|pm|a \. m|p \. m)"
_NOT_A_COUNT = (
    r"(?! (?:days?|weeks?|gun|hafta|people|persons?|kisi|sessions?|classes|ders|seans|tane"
    r"|spots?)\b)"
)
_TIMES = (
    re.compile(rf"\b(?P<h>[0-9]{{1,2}}) [:.] (?P<m>[0-5][0-9])\b(?! [./:] [0-9])(?: {_AMPM}\b)?"),
    re.compile(rf"\b(?P<h>[0-9]{{1,2}}) {_AMPM}\b"),
    re.compile(
        r"\b(?:saat|at|@|around|about|approx|by) (?P<h>[0-9]{1,2})\b(?! [:.] [0-9])"
        + _NOT_A_COUNT
        + rf"(?: {_AMPM}\b)?"
    ),
    re.compile(r"\b(?P<h>[0-9]{1,2}) (?:de|da|te|ta|gibi|civari\w*|sularinda|suralarinda)\b"),
    re.compile(r"\b(?P<h>[0-9]{1,2}) (?P<half>bucuk\w*)"),
    re.compile(r"\b(?P<noon>noon|midday)\b"),
)
_BARE_HOUR_AFTER = re.compile(rf"^ (?P<h>[0-9]{{1,2}})\b(?! [:./] [0-9]){_NOT_A_COUNT}")
_PARTS = (
    (PartOfDay.AFTERNOON, re.compile(
        r"\b(?:afternoons?|ogleden sonra\w*|ogle den sonra|ogle sonrasi|ikindi\w*)")),
    (PartOfDay.NOON, re.compile(r"\b(?:lunch ?time|lunch|ogle\w*)")),
    (PartOfDay.MORNING, re.compile(r"\b(?:mornings?|sabah\w*)")),
    (PartOfDay.EVENING, re.compile(
        r"\b(?:evenings?|night|aksam\w*|gece\w*|after work|is cikisi|isten sonra)")),
)  # fmt: skip
_DATIVE = ("e", "a", "ye", "ya", "ne", "na")
_ACCUSATIVE = ("i", "u", "yi", "yu", "ni", "nu")


def find_mentions(flat: str, now: datetime) -> list[Mention]:
    """Every day/time phrase in the folded text, in order, without overlaps; `now` is local."""
    flat = _GREETINGS.sub(lambda m: " " * len(m.group(0)), flat)
    candidates = [
        *_find_days(flat, now),
        *_find_times(flat),
        *_find_parts(flat),
    ]
    return _with_bare_hours(flat, _without_overlaps(candidates))


def _without_overlaps(candidates: list[Mention]) -> list[Mention]:
    kept: list[Mention] = []
    for m in sorted(candidates, key=lambda m: (-(m.end - m.start), m.start)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


# --- days ----------------------------------------------------------------------------------


def _find_days(flat: str, now: datetime) -> list[Mention]:
    today = now.date()
    found: list[Mention] = []
    one_day = timedelta(days=1)
    for pattern, offset in ((_DAY_AFTER, 2), (_TODAY, 0), (_TOMORROW, 1)):
        for m in pattern.finditer(flat):
            day = today + offset * one_day
            found.append(
                Mention(m.start(), m.end(), days=(day, day), tail_role=_suffix_role(m.group(0)))
            )
    for m in _TONIGHT.finditer(flat):
        found.append(Mention(m.start(), m.end(), days=(today, today), part=PartOfDay.EVENING))
    for m in _THIS_PART.finditer(flat):
        part = _part_of(m.group(1))
        found.append(Mention(m.start(), m.end(), days=(today, today), part=part))
    found += _find_weekdays(flat, today)
    found += _find_weeks(flat, today)
    found += _find_dates(flat, now)
    return found


def _suffix_role(word: str) -> Role | None:
    """Role from a Turkish case ending on the last word: "yarına" (to), "yarınki" (from)."""
    last = word.split()[-1]
    stem = next((s for s in ("yarin", "bugun", "gun", "sonra") if last.startswith(s)), None)
    if stem is None:
        return None
    return _ending_role(last[len(stem) :])


def _ending_role(ending: str) -> Role | None:
    if ending in _DATIVE:
        return Role.TO
    if ending in _ACCUSATIVE or ending.endswith(("ki", "ku")):
        return Role.FROM
    return None


def _find_weekdays(flat: str, today: date) -> list[Mention]:
    """ "saturday", "next monday", "haftaya salı", "tuesday next week", "cumartesiye"."""
    found = []
    for m in _WEEKDAY.finditer(flat):
        name, ending = m.group(1), m.group(2)
        if not _plausible_weekday(name, ending):
            continue
        weekday = _WEEKDAY_NUMBER.get(name, _WEEKDAY_NUMBER.get(name[:3], 0))
        start, end = m.start(), m.end()
        week_before = _NEXT_WEEK_BEFORE.search(flat[:start])
        week_after = _NEXT_WEEK_AFTER.match(flat[end:])
        modifier = _MODIFIER_BEFORE.search(flat[:start])
        if week_before or week_after:
            day = week_start(today) + timedelta(days=7 + weekday)
            start = week_before.start() if week_before else start
            end += week_after.end() if week_after and not week_before else 0
        else:
            # A bare weekday is the next one, today included; "next" skips today.
            ahead = (weekday - today.weekday()) % 7
            if ahead == 0 and modifier and modifier.group(1) in ("next", "onumuzdeki", "gelecek"):
                ahead = 7
            day = today + timedelta(days=ahead)
            start = modifier.start() if modifier else start
        role = _ending_role(ending) if name in _TURKISH_DAYS else None
        found.append(Mention(start, end, days=(day, day), tail_role=role))
    return found


_TURKISH_DAYS = frozenset(
    {"pazartesi", "pzt", "pts", "sali", "carsamba", "crs", "persembe", "prs", "cumartesi"}
    | {"cmt", "cts", "cuma", "pazar", "paz"}
)
_ENGLISH_FULL = frozenset(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)


def _plausible_weekday(name: str, ending: str) -> bool:
    """ "saturdays" and "cumartesiye" are days; "sunny", "monitor" and "salata" are not."""
    if name in _ENGLISH_FULL:
        return ending in ("", "s")
    if name in ("pazartesi", "carsamba", "persembe", "cumartesi"):
        return len(ending) <= 6
    if name in ("sali", "cuma", "pazar"):
        return ending == "" or (len(ending) <= 5 and ending[0] in "ynlsdtg")
    return ending == ""


def _find_weeks(flat: str, today: date) -> list[Mention]:
    found = []
    monday = week_start(today)
    for m in _WEEKEND.finditer(flat):
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:
            saturday = today - timedelta(days=1)
        if m.group(1) in ("next", "haftaya", "gelecek"):
            saturday = monday + timedelta(days=12)
        first = max(saturday, today)
        found.append(Mention(m.start(), m.end(), days=(first, saturday + timedelta(days=1))))
    for m in _WEEK.finditer(flat):
        if m.group(1) or m.group(2) or m.group(3):
            days = (monday + timedelta(days=7), monday + timedelta(days=13))
        else:
            days = (today, monday + timedelta(days=6))
        found.append(Mention(m.start(), m.end(), days=days))
    return found


def _find_dates(flat: str, now: datetime) -> list[Mention]:
    """Dates dateparser reads well, each from a short fragment rebuilt in plain English.

    At most `MAX_DATE_FRAGMENTS` go to dateparser: a message listing fifty dates is not a
    booking request, and each call costs real time.
    """
    found = []
    calls = 0
    for pattern, fragment in _DATE_FRAGMENTS:
        for m in pattern.finditer(flat):
            text = fragment(m, now)
            if not text or calls >= MAX_DATE_FRAGMENTS:
                continue
            calls += 1
            if (day := dates.parse_date(text, now)) is not None:
                found.append(Mention(m.start(), m.end(), days=(day, day)))
    return found


def _day_month(m: re.Match[str], now: datetime) -> str:
    return f"{m.group(1)} {_month_name(m.group(2))} {m.group(3) or ''}"


def _month_day(m: re.Match[str], now: datetime) -> str:
    return f"{m.group(2)} {_month_name(m.group(1))}"


def _numeric(m: re.Match[str], now: datetime) -> str | None:
    if m.group(2) == "." and not m.group(4) and not _dotted_is_date(m.group(1), m.group(3)):
        return None
    return f"{m.group(1)}/{m.group(3)}" + (f"/{m.group(4)}" if m.group(4) else "")


def _in_days(m: re.Match[str], now: datetime) -> str:
    count_word, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    count = _COUNT_WORDS.get(count_word) or int(count_word)
    return f"in {count} {'days' if unit.startswith(('day', 'gun')) else 'weeks'}"


def _day_of_month(m: re.Match[str], now: datetime) -> str:
    """ "the 30th": this month if the 30th is still to come, else next month."""
    month = now.month if int(m.group(1)) >= now.day else now.month % 12 + 1
    return f"{m.group(1)} {dates.EN_MONTHS[month - 1]}"


_DATE_FRAGMENTS: tuple[
    tuple[re.Pattern[str], Callable[[re.Match[str], datetime], str | None]], ...
] = (
    (_DAY_MONTH, _day_month),
    (_MONTH_DAY, _month_day),
    (_NUMERIC_DATE, _numeric),
    (_IN_DAYS, _in_days),
    (_DAY_OF_MONTH, _day_of_month),
)


def _month_name(word: str) -> str:
    return dates.EN_MONTHS[_MONTHS[word] - 1]


def _dotted_is_date(left: str, right: str) -> bool:
    """ "3.12" is the 3rd of December; "18.30" and "9.45" are times."""
    if len(right) != 2 or right in ("00", "15", "30", "45"):
        return False
    return 1 <= int(left) <= 31 and 1 <= int(right) <= 12


# --- times and parts of the day --------------------------------------------------------------


def _find_times(flat: str) -> list[Mention]:
    found = []
    for pattern in _TIMES:
        for m in pattern.finditer(flat):
            clock = _clock(m)
            if clock is not None:
                found.append(Mention(m.start(), m.end(), clock=clock))
    return found


def _clock(m: re.Match[str]) -> Clock | None:
    groups = m.groupdict()
    if groups.get("noon"):
        return Clock(12, 0, padded=True)
    hour = int(groups["h"])
    minute = 30 if groups.get("half") else int(groups.get("m") or 0)
    meridiem = (groups.get("ap") or "").replace(" . ", "")[:2] or None
    if (
        groups.get("m")
        and m.group(0).split()[1] == "."
        and _dotted_is_date(groups["h"], groups["m"])
    ):
        return None
    if meridiem and not 1 <= hour <= 12:
        return None
    if hour > 23:
        return None
    return Clock(hour, minute, meridiem, padded=groups["h"].startswith("0") or hour == 0)


def _find_parts(flat: str) -> list[Mention]:
    return [
        Mention(m.start(), m.end(), part=part)
        for part, pattern in _PARTS
        for m in pattern.finditer(flat)
    ]


def _part_of(word: str) -> PartOfDay:
    for part, pattern in _PARTS:
        if pattern.match(word):
            return part
    return PartOfDay.EVENING


def _with_bare_hours(flat: str, mentions: list[Mention]) -> list[Mention]:
    """ "yarın 18", "cumartesi 10", "akşam 7": a bare number after a day or part is an hour."""
    extra = []
    taken = [(m.start, m.end) for m in mentions]
    for m in mentions:
        if m.clock is not None:
            continue
        bare = _BARE_HOUR_AFTER.match(flat[m.end :])
        if bare and int(bare.group("h")) <= 23:
            start, end = m.end + bare.start("h"), m.end + bare.end("h")
            if all(end <= s or start >= e for s, e in taken):
                h = bare.group("h")
                extra.append(Mention(start, end, clock=Clock(int(h), 0, padded=h.startswith("0"))))
    return sorted([*mentions, *extra], key=lambda m: m.start)
