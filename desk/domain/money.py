"""Money as integer minor units plus a currency code. Never floats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from desk.domain.errors import InvalidInput

#: Currencies whose minor unit is not 1/100.
_EXPONENT = {"JPY": 0, "KRW": 0, "HUF": 2, "KWD": 3, "BHD": 3, "TND": 3}


def exponent(currency: str) -> int:
    return _EXPONENT.get(currency.upper(), 2)


@dataclass(frozen=True, order=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise InvalidInput(f"Currency must be a 3-letter code, not {self.currency!r}.")

    def format(self) -> str:
        exp = exponent(self.currency)
        amount = Decimal(self.minor).scaleb(-exp)
        return f"{amount:,.{exp}f} {self.currency.upper()}"

    def __str__(self) -> str:
        return self.format()


def parse_amount(text: str, currency: str) -> Money:
    """Read "1.250,00", "1250.5" or "1250" as typed into a price field."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise InvalidInput("Enter a price.")
    if "," in cleaned and "." in cleaned:
        # Whichever separator comes last is the decimal one.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise InvalidInput(f"{text!r} is not a price.") from exc
    if value < 0:
        raise InvalidInput("A price cannot be negative.")
    minor = value.scaleb(exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Money(int(minor), currency.upper())
