"""Phone numbers as people type them, normalised to E.164 with `phonenumbers`.

A receptionist types "0532 123 45 67", "532-123-4567" or "+90 532 123 45 67"; the studio's
default region fills in the country code, and every form becomes "+905321234567". WhatsApp ids
are the same digits without the "+".
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from desk.domain.errors import InvalidPhone

_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")


def normalise(raw: str, region: str) -> str:
    """The E.164 form of `raw`, or `InvalidPhone` saying what is wrong in plain words."""
    text = raw.strip()
    if not text:
        raise InvalidPhone("Enter a phone number.")
    try:
        number = phonenumbers.parse(text, region.upper())
    except NumberParseException as exc:
        raise InvalidPhone(f"{raw!r} is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(
            f"{raw!r} is not a valid phone number (check the digits and the country code)."
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def try_normalise(raw: str, region: str) -> str | None:
    try:
        return normalise(raw, region)
    except InvalidPhone:
        return None


def looks_like_phone(text: str) -> bool:
    """True when a search box holds digits (and phone punctuation) rather than a name."""
    stripped = text.strip()
    return bool(stripped) and bool(_PHONE_LIKE.match(stripped)) and any(c.isdigit() for c in text)


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def whatsapp_id_of(e164: str) -> str:
    """WhatsApp's id for a number: its E.164 digits without the plus."""
    return digits(e164)


def from_whatsapp_id(wa_id: str) -> str | None:
    """The E.164 number behind a WhatsApp id, if the digits form a valid number."""
    number = digits(wa_id)
    if not number:
        return None
    return try_normalise("+" + number, "ZZ")


def display(e164: str) -> str:
    """International format for screens: "+90 532 123 45 67"."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
