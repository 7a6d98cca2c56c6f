"""Service names as members type them, and words that only look like them."""

from __future__ import annotations

import pytest

from desk.assistant.lexicon import clean, fold, tokens
from desk.assistant.service_match import ServiceName, find_service

from .test_phrasings import SERVICES


def _find(text: str, services: tuple[ServiceName, ...] = SERVICES) -> int | None:
    return find_service(tokens(fold(clean(text))), services)


@pytest.mark.parametrize(
    ("text", "service_id"),
    [
        ("REFORMER", 1),
        ("refomer", 1),
        ("Reformer Pilates", 1),
        ("pilatese", 1),
        ("reformerda", 1),
        ("spning", 2),
        ("Spinnig", 2),
        ("bisiklete", 2),
        ("🚴", 2),
        ("yogaya", 3),
        ("yogaaa", 3),
        ("🧘‍♀️", 3),
        ("pt'ye", 4),
        ("özel derse", 4),
        ("ozel ders", 4),
        ("kişisel antrenman", 4),
        ("personal training", 4),
    ],
)
def test_services_are_found_through_typos_suffixes_and_emoji(text: str, service_id: int) -> None:
    assert _find(text) == service_id


@pytest.mark.parametrize(
    "text", ["spinach", "yogurt", "yok", "spot", "apt", "pilot", "reception", "pass", "ders"]
)
def test_lookalike_words_are_not_services(text: str) -> None:
    assert _find(text) is None


def test_the_first_mention_wins_between_two_services() -> None:
    assert _find("yoga or spinning?") == 3
    assert _find("spinning or yoga?") == 2


def test_the_studios_own_names_and_aliases_are_used() -> None:
    studio = (ServiceName(7, "Mat Pilates", ("mat",)), ServiceName(8, "Aerial Yoga", ("aerial",)))
    assert _find("mat class tomorrow", studio) == 7
    assert _find("aerial yoga pls", studio) == 8
    # Each word of a name is an alias too: "pilates" here can only mean Mat Pilates.
    assert _find("pilates", studio) == 7
    assert _find("yoga", studio) == 8
