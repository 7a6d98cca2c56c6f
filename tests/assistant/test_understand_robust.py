"""Whatever a member (or an attacker) sends, reading it never fails and stays fast."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.assistant import dates
from desk.assistant import understand as understand_module
from desk.assistant.understand import Intent, Understanding, interpret, understand

from .test_phrasings import NOW, SERVICES, TABLE, TZ

HOSTILE = [
    "'; DROP TABLE members; --",
    "1' OR '1'='1",
    "<script>alert(1)</script>",
    "{{7*7}} ${jndi:ldap://x}",
    "\x00\x01\x02\x1b[2J\x7f",
    "\u202e\u202d\u200f\u200e",
    "ما هي مواعيد الحصص؟",
    "שלום, אפשר להירשם?",
    "Привет, можно записаться?",
    "我想预约明天的课",
    "Z̴̡̛̖a̷̡̛l̸̢̛g̵̨̛o̶̡̕",
    "🍕🍕🍕🍕",
    "\ud800\udfff lone surrogates",
    "",
    "   \n\t  ",
]

_FRAGMENTS = st.sampled_from(
    [
        *HOSTILE,
        *(row.text for row in TABLE[::7]),
        "18:00",
        "99:99",
        "31.02",
        "32/13/2026",
        "3/12/99999",
        "in 999 days",
        "the 99th",
        "saat 77",
        "cumartesiyeyeye",
        "→→→",
        "?",
        "#",
    ]
)
_ANY_TEXT = st.text(st.characters(codec=None), max_size=200)
_MESSAGES = st.one_of(
    _ANY_TEXT,
    st.lists(_FRAGMENTS | _ANY_TEXT, max_size=8).map(" ".join),
    st.tuples(_FRAGMENTS, st.integers(1, 5000)).map(lambda t: t[0] * t[1]),
)


def assert_valid(result: Understanding) -> None:
    assert isinstance(result.intent, Intent)
    assert result.language in ("en", "tr")
    assert 0.0 <= result.confidence <= 1.0
    assert result.option is None or 1 <= result.option <= 10
    if result.intent is Intent.UNKNOWN:
        assert result.confidence == 0.0
    for when in (result.when, result.target_when):
        if when is not None:
            assert when.first_day <= when.last_day
            assert when.start.tzinfo is not None and when.start <= when.end


@given(text=_MESSAGES)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@pytest.mark.property
def test_any_text_is_read_without_raising(text: str) -> None:
    # `interpret` has no safety net: this proves `understand`'s net is never what saves us.
    assert_valid(interpret(text, now=NOW, tz=TZ, services=SERVICES))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_and_foreign_text_is_handed_to_reception(text: str) -> None:
    result = interpret(text, now=NOW, tz=TZ, services=SERVICES)
    assert result.intent is Intent.UNKNOWN
    assert result.service_id is None and result.when is None


def test_a_huge_message_is_read_quickly() -> None:
    huge = "cancel my reformer tomorrow at 18:00 please 🙏 " * 30_000  # ~1.4 MB
    started = time.perf_counter()
    result = understand(huge, now=NOW, tz=TZ, services=SERVICES)
    assert time.perf_counter() - started < 1.0
    assert result.intent is Intent.CANCEL  # read from the first 1,000 characters


def test_a_message_full_of_dates_calls_dateparser_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = dates.parse_date

    def counting(fragment: str, now: datetime) -> object:
        calls.append(fragment)
        return real(fragment, now)

    monkeypatch.setattr(dates, "parse_date", counting)
    result = interpret("3 dec 4/12 " * 100, now=NOW, tz=TZ, services=SERVICES)
    assert 0 < len(calls) <= 6
    assert result.when is not None and result.when.label() == "2026-12-03"


def test_a_bug_inside_is_a_hand_off_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("bug")

    monkeypatch.setattr(understand_module, "interpret", broken)
    result = understand("yarın yoga", now=NOW, tz=TZ, services=SERVICES, default_language="tr")
    assert result == Understanding(Intent.UNKNOWN, "tr")


def test_days_are_the_studios_even_when_now_is_given_in_utc() -> None:
    # 22:30 UTC on Friday is already 01:30 on Saturday in Istanbul: "tomorrow" is Sunday.
    late = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)
    result = interpret("yoga tomorrow at 10am", now=late, tz=TZ, services=SERVICES)
    assert result.when is not None
    assert result.when.label() == "2026-11-29 10:00"
    assert result.when.start == datetime(2026, 11, 29, 7, 0, tzinfo=UTC)


def test_wall_times_keep_their_meaning_across_a_clock_change() -> None:
    london = ZoneInfo("Europe/London")
    saturday = datetime(2026, 10, 24, 12, 0, tzinfo=london)  # clocks go back on Sunday 25 Oct
    result = interpret("spin sunday 9am", now=saturday, tz=london, services=SERVICES)
    assert result.when is not None
    assert result.when.start == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)  # GMT again


def test_the_conversation_language_is_kept_for_messages_without_words() -> None:
    for text in ("2", "👍", "18:00"):
        result = interpret(text, now=NOW, tz=TZ, services=SERVICES, default_language="tr")
        assert result.language == "tr"


def test_no_services_configured_still_reads_the_rest() -> None:
    result = interpret("cancel tomorrow's reformer", now=NOW, tz=TZ, services=())
    assert (result.intent, result.service_id) == (Intent.CANCEL, None)
    assert result.when is not None and result.when.label() == "2026-11-28"
