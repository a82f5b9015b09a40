"""Money as integer minor units (fen) with its currency; no float ever touches it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

DEFAULT_CURRENCY = "CNY"


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units (fen for CNY)."""

    minor: int
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise TypeError(f"Money takes integer minor units, got {type(self.minor).__name__}")

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(0, currency)

    def _same(self, other: object) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if self.currency != other.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.minor >= other.minor

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def times(self, factor: int | Fraction) -> Money:
        """Multiply by an integer or exact fraction, rounding half away from zero."""
        if isinstance(factor, bool) or not isinstance(factor, int | Fraction):
            raise TypeError(
                f"Money is multiplied by an int or Fraction, not {type(factor).__name__}"
            )
        return Money(round_half_up(Fraction(self.minor) * Fraction(factor)), self.currency)

    def __bool__(self) -> bool:
        return self.minor != 0

    def __str__(self) -> str:
        return f"{format_minor(self.minor)} {self.currency}"


def round_half_up(value: Fraction) -> int:
    """Round an exact fraction to the nearest integer, halves away from zero."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    whole, rest = divmod(magnitude.numerator, magnitude.denominator)
    if 2 * rest >= magnitude.denominator:
        whole += 1
    return sign * whole


def format_minor(minor: int) -> str:
    """Format minor units as a decimal string with two places: 1234 -> '12.34'."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


def parse_minor(text: str) -> int:
    """Parse a decimal string with at most two places into minor units: '12.3' -> 1230."""
    raw = text.strip()
    sign = -1 if raw.startswith("-") else 1
    if raw[:1] in ("+", "-"):
        raw = raw[1:]
    whole, _, frac = raw.partition(".")
    digits = whole + frac
    if not (digits.isascii() and whole.isdigit()) or (frac and not frac.isdigit()) or len(frac) > 2:
        raise ValueError(f"not an amount with at most two decimal places: {text!r}")
    return sign * (int(whole) * 100 + int(frac.ljust(2, "0") or "0"))


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` minor units in proportion to `weights` by largest remainder.

    The parts always sum exactly to `total`; ties go to the earlier weight, so the
    result is deterministic. All-zero weights split evenly.
    """
    if not weights:
        if total:
            raise ValueError("cannot allocate a non-zero total over no weights")
        return []
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    basis = list(weights) if any(weights) else [1] * len(weights)
    weight_sum = sum(basis)
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    parts = [magnitude * w // weight_sum for w in basis]
    remainders = [magnitude * w % weight_sum for w in basis]
    leftover = magnitude - sum(parts)
    order = sorted(range(len(basis)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        parts[i] += 1
    return [sign * p for p in parts]


def round_cash(amount: int, step: int) -> int:
    """Round a cash amount to the nearest `step` fen (e.g. 10 for 0.1 yuan), halves up."""
    if step <= 0:
        raise ValueError("cash rounding step must be positive")
    return round_half_up(Fraction(amount, step)) * step
