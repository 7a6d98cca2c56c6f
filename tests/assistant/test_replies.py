"""Reply texts: both languages complete, dates in the member's language, WhatsApp-sized."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from desk.assistant import replies
from desk.assistant.dates import PartOfDay, When, format_day
from desk.assistant.messages import BUTTON_TITLE_MAX, BUTTONS_BODY_MAX, LIST_ROW_TITLE_MAX
from desk.assistant.replies import (
    BalanceLine,
    BookingLine,
    Label,
    Msg,
    NoEntitlementReason,
    label,
    placeholders,
    say,
)

from .test_messages import relay_accepts

TZ = ZoneInfo("Europe/Istanbul")
# 18:00 in Istanbul (UTC+3) on Saturday 28 November 2026.
SATURDAY_SIX_PM = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("msg", list(Msg))
def test_every_message_exists_in_both_languages_with_the_same_parameters(msg: Msg) -> None:
    assert placeholders(msg, "en") == placeholders(msg, "tr")
    params = {name: "X" for name in placeholders(msg, "en")}
    english, turkish = say(msg, "en", **params), say(msg, "tr", **params)
    assert english and turkish and english != turkish
    # Long enough member data still fits a button message body.
    long_params = {name: "Reformer Pilates Advanced" for name in params}
    assert len(say(msg, "tr", **long_params)) <= BUTTONS_BODY_MAX


@pytest.mark.parametrize("which", list(Label))
@pytest.mark.parametrize("language", ["en", "tr"])
def test_button_labels_fit_a_button(which: Label, language: str) -> None:
    assert 0 < len(label(which, language)) <= BUTTON_TITLE_MAX


def test_unknown_language_falls_back_to_english() -> None:
    assert say(Msg.TEXT_ONLY, "de") == say(Msg.TEXT_ONLY, "en")


def test_days_are_written_in_the_members_language() -> None:
    saturday = date(2026, 11, 28)
    assert format_day(saturday, "en") == "Saturday 28 November"
    assert format_day(saturday, "tr") == "28 Kasım Cumartesi"
    assert format_day(saturday, "en", short=True) == "Sat 28 Nov"
    assert format_day(saturday, "tr", short=True) == "28 Kas Cmt"
    assert format_day(date(2027, 8, 4), "tr") == "4 Ağustos Çarşamba"


@pytest.mark.parametrize("language", ["en", "tr"])
def test_an_option_title_fits_a_button_on_every_day_of_the_year(language: str) -> None:
    start = datetime(2027, 1, 1, 20, 59, tzinfo=UTC)
    titles = [replies.option_title(start + timedelta(days=d), TZ, language) for d in range(366)]
    assert max(len(t) for t in titles) <= min(BUTTON_TITLE_MAX, LIST_ROW_TITLE_MAX)
    assert titles[0].endswith("23:59")  # shown in the studio's time, not UTC


def test_booking_confirmation_has_day_time_and_trainer() -> None:
    english = replies.booked("en", service="Spinning", start=SATURDAY_SIX_PM, tz=TZ, trainer="Ayşe")
    assert (
        english
        == "You're booked! ✅ Spinning, Saturday 28 November, 18:00 with Ayşe. See you there!"
    )
    turkish = replies.booked("tr", service="Spinning", start=SATURDAY_SIX_PM, tz=TZ, trainer=None)
    assert "28 Kasım Cumartesi, 18:00" in turkish and "eğitmen" not in turkish


def test_reschedule_confirmation_shows_both_times() -> None:
    text = replies.rescheduled(
        "en",
        service="Yoga",
        old_start=SATURDAY_SIX_PM,
        new_start=SATURDAY_SIX_PM + timedelta(days=2, hours=1),
        tz=TZ,
        trainer="Can",
    )
    assert text == "Moved! ✅ Yoga: Sat 28 Nov 18:00 → Mon 30 Nov 19:00 with Can."


def test_balance_lists_each_entitlement_with_remaining_and_expiry() -> None:
    lines = [
        BalanceLine("Reformer 10", 4, date(2026, 12, 12)),
        BalanceLine("PT 5", 1, None),
        BalanceLine("Monthly unlimited", None, date(2026, 12, 27)),
    ]
    assert replies.balance("en", lines) == (
        "Your packages:\n"
        "• Reformer 10: 4 sessions left, valid until Sat 12 Dec\n"
        "• PT 5: 1 session left\n"
        "• Monthly unlimited: unlimited, valid until Sun 27 Dec"
    )
    assert replies.balance("tr", lines[:1]) == (
        "Paketleriniz:\n• Reformer 10: 4 seans kaldı, son gün 12 Ara Cmt"
    )
    assert replies.balance("tr", []) == say(Msg.NO_BALANCE, "tr")


def test_my_bookings_lists_upcoming_sessions() -> None:
    text = replies.my_bookings("en", [BookingLine("Yoga", SATURDAY_SIX_PM, "Can")], TZ)
    assert text == "Your upcoming bookings:\n• Sat 28 Nov 18:00 Yoga with Can"
    assert replies.my_bookings("tr", [], TZ) == say(Msg.NO_BOOKINGS, "tr")


@pytest.mark.parametrize(
    ("reason", "package", "expired_on", "english"),
    [
        (
            NoEntitlementReason.NOT_COVERED,
            "PT package",
            None,
            "Your PT package doesn't cover Spinning.",
        ),
        (NoEntitlementReason.USED_UP, "Spinning 10", None, "Your Spinning 10 is used up."),
        (
            NoEntitlementReason.EXPIRED,
            "Spinning 10",
            date(2026, 11, 3),
            "Your Spinning 10 expired on Tue 3 Nov.",
        ),
        (NoEntitlementReason.NONE, None, None, "You don't have a package that covers Spinning."),
    ],
)
def test_no_entitlement_says_why_what_would_do_and_that_reception_can_sell(
    reason: NoEntitlementReason, package: str | None, expired_on: date | None, english: str
) -> None:
    products = ["Spinning 10", "Monthly unlimited"]
    text = replies.no_entitlement(
        "en",
        reason=reason,
        service="Spinning",
        package=package,
        expired_on=expired_on,
        products=products,
    )
    assert text.startswith(english)
    assert "These would cover it: Spinning 10, Monthly unlimited." in text
    assert text.endswith(say(Msg.RECEPTION_CAN_SELL, "en"))
    turkish = replies.no_entitlement(
        "tr", reason=reason, service="Spinning", package=package, expired_on=expired_on
    )
    assert turkish.endswith(say(Msg.RECEPTION_CAN_SELL, "tr"))
    assert "Şu paketler" not in turkish  # no products offered, none listed


def test_cancel_consequences_name_the_window() -> None:
    params = {"service": "PT 1:1", "slot": "Sat 28 Nov 18:00", "hours": 12}
    assert "deducted" in say(Msg.CANCEL_LATE_DEDUCT, "en", **params)
    assert "12 saatten az" in say(Msg.CANCEL_LATE_DEDUCT, "tr", **params)
    assert "no-show" in say(Msg.CANCEL_LATE_NO_SHOW, "en", **params)
    assert "free" in say(Msg.CANCEL_FREE, "en", service="Yoga", slot="Sat 28 Nov 18:00")


@pytest.mark.parametrize(
    ("when", "english", "turkish"),
    [
        (
            When(date(2026, 11, 28), date(2026, 11, 28), TZ, at=time(18)),
            "on Saturday 28 November at 18:00",
            "28 Kasım Cumartesi saat 18:00 için",
        ),
        (
            When(date(2026, 11, 28), date(2026, 11, 28), TZ, part=PartOfDay.EVENING),
            "on Saturday 28 November in the evening",
            "28 Kasım Cumartesi akşamı için",
        ),
        (
            When(date(2026, 11, 30), date(2026, 12, 6), TZ),
            "between Mon 30 Nov and Sun 6 Dec",
            "30 Kas Pzt – 6 Ara Paz arasında",
        ),
    ],
)
def test_no_options_repeats_the_members_when(when: When, english: str, turkish: str) -> None:
    assert replies.describe_when(when, "en") == english
    assert replies.describe_when(when, "tr") == turkish
    assert english in replies.no_options("en", service="Yoga", when=when)


def test_greeting_uses_the_first_name_only() -> None:
    assert replies.greeting("en", "Ayşe Yılmaz").startswith("Hi Ayşe! 👋")
    assert replies.greeting("tr").startswith("Merhaba! 👋")
    assert replies.greeting("en", "   ").startswith("Hi! 👋")


def test_option_description_fits_a_list_row() -> None:
    text = replies.option_description("en", trainer="Ayşe", spots_left=1)
    assert text == "with Ayşe · 1 spot left"
    assert replies.option_description("tr", trainer=None, spots_left=3) == "3 yer kaldı"


@pytest.mark.parametrize(("count", "kind"), [(2, "buttons"), (5, "list")])
@pytest.mark.parametrize("language", ["en", "tr"])
def test_session_options_become_buttons_or_a_list_the_relay_accepts(
    count: int, kind: str, language: str
) -> None:
    options = [
        replies.SessionOption(f"book:{i}", SATURDAY_SIX_PM + timedelta(days=i), "Ayşe", 8 - i)
        for i in range(count)
    ]
    body = say(Msg.OPTIONS, language, service="Reformer Pilates")
    built = replies.session_choices(language, body=body, options=options, tz=TZ)
    assert built["kind"] == kind
    relay_accepts(built)
    if kind == "buttons":
        assert built["buttons"][0]["title"] == replies.option_title(SATURDAY_SIX_PM, TZ, language)
    else:
        assert built["button"] == label(Label.CHOOSE, language)
        first = built["sections"][0]["rows"][0]
        assert first["id"] == "book:0"
        assert first["description"] == (
            "with Ayşe · 8 spots left" if language == "en" else "Eğitmen: Ayşe · 8 yer kaldı"
        )
