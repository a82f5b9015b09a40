"""Barcode parsing: GTIN check digits and in-store weighed-item codes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class BarcodeError(ValueError):
    """A barcode is malformed or its check digit is wrong."""


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for the digits of a GTIN without its check digit."""
    if not _is_digits(body):
        raise BarcodeError(f"barcode must be digits only: {body!r}")
    total = 0
    for position, char in enumerate(reversed(body)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def _is_digits(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also accepts superscripts and full-width digits."""
    return text.isascii() and text.isdigit()


def normalise_scan(code: str) -> str:
    """Full-width digits (a wedge scanner typing through a Chinese IME) become ASCII."""
    return code.strip().translate(_FULL_WIDTH_DIGITS)


_FULL_WIDTH_DIGITS = {0xFF10 + i: ord("0") + i for i in range(10)}


def is_valid_gtin(code: str) -> bool:
    """True for an EAN-8, UPC-A (12), EAN-13 or GTIN-14 with a correct check digit."""
    return (
        _is_digits(code)
        and len(code) in (8, 12, 13, 14)
        and gtin_check_digit(code[:-1]) == int(code[-1])
    )


def with_check_digit(body: str) -> str:
    """Append the check digit to a GTIN body."""
    return body + str(gtin_check_digit(body))


class WeighedKind(Enum):
    """What an in-store weighed-item barcode carries."""

    WEIGHT = "weight"  # grams
    PRICE = "price"  # fen


@dataclass(frozen=True, slots=True)
class WeighedCodeRule:
    """An in-store (GS1 prefix 20-29) EAN-13 layout: prefix, item code, value.

    Layout of the 13 digits: `prefix` (2) + item code (`item_digits`) + value
    (`12 - 2 - item_digits` digits) + check digit. Scales in Chinese chains commonly use
    prefix "2" + 5-digit PLU + 5-digit value; the rules are configuration.
    """

    prefix: str
    item_digits: int
    kind: WeighedKind

    @property
    def value_digits(self) -> int:
        return 12 - len(self.prefix) - self.item_digits


DEFAULT_WEIGHED_RULES: tuple[WeighedCodeRule, ...] = (
    WeighedCodeRule("21", 5, WeighedKind.WEIGHT),
    WeighedCodeRule("22", 5, WeighedKind.PRICE),
)


@dataclass(frozen=True, slots=True)
class ScannedCode:
    """A scanned barcode after parsing: the lookup key plus any embedded value."""

    lookup: str
    weight_grams: int | None = None
    price_fen: int | None = None

    @property
    def is_weighed(self) -> bool:
        return self.weight_grams is not None or self.price_fen is not None


def weighed_item_lookup(rule: WeighedCodeRule, item_code: str) -> str:
    """The catalog barcode under which a weighed item's PLU is registered."""
    return f"{rule.prefix}{item_code}"


def parse_scan(
    code: str, rules: tuple[WeighedCodeRule, ...] = DEFAULT_WEIGHED_RULES
) -> ScannedCode:
    """Parse a scanned barcode; weighed-item EAN-13s yield their PLU key and value."""
    code = normalise_scan(code)
    if not _is_digits(code):
        raise BarcodeError(f"barcode must be digits only: {code!r}")
    if len(code) in (8, 12, 13, 14) and not is_valid_gtin(code):
        raise BarcodeError(f"check digit is wrong in barcode {code}")
    if len(code) not in (8, 12, 13, 14):
        # Short internal codes (PLUs typed by hand) carry no check digit.
        if len(code) > 7:
            raise BarcodeError(f"barcode has an unsupported length ({len(code)}): {code}")
        return ScannedCode(code)
    if len(code) == 13:
        for rule in rules:
            if code.startswith(rule.prefix):
                item_end = len(rule.prefix) + rule.item_digits
                item = code[len(rule.prefix) : item_end]
                value = int(code[item_end:12])
                lookup = weighed_item_lookup(rule, item)
                if rule.kind is WeighedKind.WEIGHT:
                    return ScannedCode(lookup, weight_grams=value)
                return ScannedCode(lookup, price_fen=value)
    return ScannedCode(code)


def make_weighed_code(rule: WeighedCodeRule, item_code: str, value: int) -> str:
    """Build the EAN-13 a scale would print for `item_code` carrying `value`."""
    if len(item_code) != rule.item_digits or not _is_digits(item_code):
        raise BarcodeError(f"item code must be {rule.item_digits} digits: {item_code!r}")
    if not 0 <= value < 10**rule.value_digits:
        raise BarcodeError(f"value {value} does not fit {rule.value_digits} digits")
    body = f"{rule.prefix}{item_code}{value:0{rule.value_digits}d}"
    return with_check_digit(body)
