"""Outbound message builders: every WhatsApp limit holds, and the relay accepts what we build.

The relay's own validation (relay/limits.py, pydantic) is the judge of the shape: each built
message, wrapped in the envelope the sync worker adds, must pass it.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from desk.assistant import messages as m
from desk.assistant.messages import Choice
from relay import limits

RELAY = TypeAdapter(limits.OutboundRequest)


def relay_accepts(message: dict[str, Any]) -> None:
    """Validate as the relay will: our content plus the envelope fields the caller adds."""
    envelope = {"key": "out-1", "to": "+905321234567", **message}
    RELAY.validate_python(envelope)
    # And it must survive the trip as UTF-8 JSON (no lone surrogates).
    json.dumps(envelope, ensure_ascii=False).encode("utf-8")


def test_limits_match_the_relay() -> None:
    assert m.TEXT_MAX == limits.TEXT_MAX == 4096
    assert (m.BUTTONS_MAX, m.BUTTON_TITLE_MAX, m.BUTTON_ID_MAX) == (3, 20, 256)
    assert (m.BUTTONS_MAX, m.BUTTON_TITLE_MAX, m.BUTTON_ID_MAX) == (
        limits.BUTTONS_MAX,
        limits.BUTTON_TITLE_MAX,
        limits.BUTTON_ID_MAX,
    )
    assert m.BUTTONS_BODY_MAX == limits.BUTTONS_BODY_MAX == 1024
    assert (m.LIST_ROWS_MAX, m.LIST_ROW_TITLE_MAX, m.LIST_ROW_DESCRIPTION_MAX) == (10, 24, 72)
    assert (m.LIST_ROWS_MAX, m.LIST_ROW_TITLE_MAX, m.LIST_ROW_DESCRIPTION_MAX) == (
        limits.LIST_ROWS_MAX,
        limits.LIST_ROW_TITLE_MAX,
        limits.LIST_ROW_DESCRIPTION_MAX,
    )
    assert m.LIST_BUTTON_MAX == limits.LIST_BUTTON_MAX == 20
    assert m.LIST_ROW_ID_MAX == limits.LIST_ROW_ID_MAX
    assert m.SECTION_TITLE_MAX == limits.SECTION_TITLE_MAX


# --- text ----------------------------------------------------------------------------------


def test_text_keeps_a_message_at_the_limit_and_cuts_one_over_it() -> None:
    exact = "a" * 4096
    assert m.text(exact) == {"kind": "text", "text": exact}
    long = m.text("word " * 2000)
    assert len(long["text"]) <= 4096
    assert long["text"].endswith("…")
    relay_accepts(long)


def test_text_drops_control_characters_and_lone_surrogates_but_keeps_lines() -> None:
    built = m.text("Line one\nLine\x00 two\x1b[31m \ud800ok")
    assert built["text"] == "Line one\nLine two[31m ok"
    relay_accepts(built)


@pytest.mark.parametrize("body", ["", "   ", "\x00\x01"])
def test_an_empty_text_is_a_bug_not_a_message(body: str) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        m.text(body)


# --- truncation never splits a character ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Cafe\u0301 au lait", 5, "Caf…"),  # the e and its accent go together
        ("Cafe\u0301 au lait", 6, "Cafe\u0301…"),
        ("ab👩\u200d💻cd", 5, "ab…"),  # no half of a joined emoji
        ("ab👍🏽cd", 4, "ab…"),  # no thumb without its skin tone
        ("ab🇹🇷cd", 4, "ab…"),  # no half a flag
        ("ab🇹🇷cd", 5, "ab🇹🇷…"),
        ("hello world", 7, "hello…"),  # no trailing space before the ellipsis
        ("short", 5, "short"),
    ],
)
def test_truncate_cuts_between_whole_characters(text: str, limit: int, expected: str) -> None:
    cut = m.truncate(text, limit)
    assert cut == expected
    assert len(cut) <= limit


@given(st.text(min_size=0, max_size=300), st.integers(min_value=1, max_value=80))
@settings(max_examples=300, deadline=None)
@pytest.mark.property
def test_truncate_is_always_within_the_limit(text: str, limit: int) -> None:
    cut = m.truncate(text, limit)
    assert len(cut) <= limit
    if len(text) <= limit:
        assert cut == text
    else:
        assert cut.endswith("…")
        kept = cut[:-1]
        assert text.startswith(kept)
        # The cut never falls between a letter and its accent.
        assert unicodedata.category(text[len(kept)]) not in ("Mn", "Me")


# --- reply buttons -------------------------------------------------------------------------


def test_buttons_trim_titles_to_20_and_keep_them_unique() -> None:
    built = m.buttons(
        "Pick one",
        [
            Choice("s:1", "Reformer Pilates Saturday 18:00"),
            Choice("s:2", "Reformer Pilates Saturday 19:00"),
            Choice("s:3", "Reformer Pilates Saturday 20:00"),
        ],
    )
    titles = [b["title"] for b in built["buttons"]]
    assert all(len(t) <= 20 for t in titles)
    assert len(set(titles)) == 3
    assert titles[0] == "Reformer Pilates Sa…"
    assert titles[1].endswith("(2)") and titles[2].endswith("(3)")
    relay_accepts(built)


def test_buttons_body_is_cut_to_1024() -> None:
    built = m.buttons("x" * 5000, [Choice("yes", "Yes")])
    assert len(built["body"]) == 1024
    relay_accepts(built)


@pytest.mark.parametrize("count", [0, 4])
def test_buttons_take_one_to_three_choices(count: int) -> None:
    with pytest.raises(ValueError, match="1-3"):
        m.buttons("Pick", [Choice(f"c{i}", f"C{i}") for i in range(count)])


def test_button_ids_are_checked_not_trimmed() -> None:
    with pytest.raises(ValueError, match="1-256"):
        m.buttons("Pick", [Choice("x" * 257, "Too long an id")])
    with pytest.raises(ValueError, match="unique"):
        m.buttons("Pick", [Choice("a", "One"), Choice("a", "Two")])
    relay_accepts(m.buttons("Pick", [Choice("x" * 256, "Longest id")]))


def test_blank_and_multiline_titles_still_make_valid_buttons() -> None:
    built = m.buttons("Pick", [Choice("a", "  \n "), Choice("b", "Two\nlines")])
    assert [b["title"] for b in built["buttons"]] == ["1", "Two lines"]
    relay_accepts(built)


# --- lists ---------------------------------------------------------------------------------


def _rows(count: int, title: str = "Spinning Monday 30 November 19:00") -> list[Choice]:
    return [
        Choice(f"session:{i}", title, description="with Ayşe Yılmaz-Demir · 3 spots left " * 4)
        for i in range(count)
    ]


def test_list_trims_rows_button_and_section_title() -> None:
    built = m.list_message(
        "Times with free spots:",
        "Choose a time, any time you like",
        _rows(10),
        section_title="Spinning next week and more",
    )
    section = built["sections"][0]
    assert len(section["rows"]) == 10
    assert len(built["button"]) <= 20
    assert len(section["title"]) <= 24
    titles = [row["title"] for row in section["rows"]]
    assert all(len(t) <= 24 for t in titles) and len(set(titles)) == 10
    assert all(len(row["description"]) <= 72 for row in section["rows"])
    relay_accepts(built)


def test_list_takes_at_most_ten_rows() -> None:
    with pytest.raises(ValueError, match="1-10"):
        m.list_message("Pick", "Choose", _rows(11))


def test_list_row_ids_are_at_most_200() -> None:
    with pytest.raises(ValueError, match="1-200"):
        m.list_message("Pick", "Choose", [Choice("x" * 201, "Row")])


def test_list_rows_without_description_omit_it() -> None:
    built = m.list_message("Pick", "Choose", [Choice(str(i), f"Row {i}") for i in range(4)])
    assert all("description" not in row for row in built["sections"][0]["rows"])
    relay_accepts(built)


# --- buttons or list -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "kind", "shown"),
    [(1, "buttons", 1), (3, "buttons", 3), (4, "list", 4), (10, "list", 10), (14, "list", 10)],
)
def test_choices_use_buttons_up_to_three_and_a_list_up_to_ten(
    count: int, kind: str, shown: int
) -> None:
    built = m.choices("Which one?", _rows(count), button="Choose")
    assert built["kind"] == kind
    items = built["buttons"] if kind == "buttons" else built["sections"][0]["rows"]
    assert [item["id"] for item in items] == [f"session:{i}" for i in range(shown)]
    relay_accepts(built)


# --- templates -----------------------------------------------------------------------------


def test_template_has_body_parameters_and_quick_reply_payloads() -> None:
    built = m.template(
        "class_reminder",
        "tr",
        body_params=["Ayşe", "Reformer Pilates\n28 Kasım\t18:00"],
        quick_replies=["confirm:42", "cancel:42"],
    )
    assert built == {
        "kind": "template",
        "template": {
            "name": "class_reminder",
            "language": "tr",
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Ayşe"},
                        {"type": "text", "text": "Reformer Pilates 28 Kasım 18:00"},
                    ],
                },
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": "0",
                    "parameters": [{"type": "payload", "payload": "confirm:42"}],
                },
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": "1",
                    "parameters": [{"type": "payload", "payload": "cancel:42"}],
                },
            ],
        },
    }
    relay_accepts(built)


@pytest.mark.parametrize(
    ("name", "language", "match"),
    [("Class Reminder", "en", "names"), ("reminder", "english", "language")],
)
def test_template_name_and_language_are_checked(name: str, language: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        m.template(name, language)


def test_template_payloads_are_checked() -> None:
    with pytest.raises(ValueError, match="payloads"):
        m.template("reminder", "en", quick_replies=[""])
    with pytest.raises(ValueError, match="at most 10"):
        m.template("reminder", "en", quick_replies=[f"p{i}" for i in range(11)])


def test_preview_shows_what_the_member_sees() -> None:
    built = m.buttons("Cancel Yoga?", [Choice("y", "Yes, cancel"), Choice("n", "Keep it")])
    assert m.preview(built) == "Cancel Yoga?\n[Yes, cancel / Keep it]"
    assert m.preview(m.text("Hi")) == "Hi"
    reminder = m.template("class_reminder", "en", body_params=["Ayşe", "Yoga"])
    assert m.preview(reminder) == "(template class_reminder) Ayşe · Yoga"


# --- anything in, valid message out --------------------------------------------------------

_ANY_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=200) | st.text(
    min_size=1, max_size=6000
)


@given(
    body=_ANY_TEXT,
    titles=st.lists(st.text(max_size=60), min_size=1, max_size=12),
    descriptions=st.lists(st.none() | st.text(max_size=120), min_size=12, max_size=12),
)
@settings(max_examples=150, deadline=None)
@pytest.mark.property
def test_builders_turn_any_member_text_into_messages_the_relay_accepts(
    body: str, titles: list[str], descriptions: list[str | None]
) -> None:
    options = [
        Choice(f"opt:{i}", title, description=descriptions[i]) for i, title in enumerate(titles)
    ]
    if not m.clean_text(body):
        body = "Pick one"
    relay_accepts(m.text(body))
    relay_accepts(m.choices(body, options, button=titles[0] or "Choose"))
    relay_accepts(m.buttons(body, options[:3]))
    relay_accepts(m.template("class_reminder", "en", body_params=[body, *titles]))
