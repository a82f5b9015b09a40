"""Refusing bad promotion definitions with an error that names the field.

Definitions arrive as plain JSON-able dicts (from HQ's editor or down the change
feed). `Reader` walks such a dict and raises `PromotionDefinitionError` at the
first problem, with a dotted path to the field (``rule.percent``), a stable
``code`` and a message a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time
from fractions import Fraction
from typing import Any

#: Answers "does this product exist?"; used to refuse unknown products.
ProductExists = Callable[[str], bool]


class PromotionDefinitionError(ValueError):
    """A promotion definition was refused; `field` names the offending field."""

    def __init__(self, field: str, message: str, code: str = "invalid_value") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def parse_percent(value: object, field: str) -> Fraction:
    """An integer percent or a decimal string with at most two places, 0 < p <= 100."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PromotionDefinitionError(
            field, 'must be an integer or a decimal string such as "12.5"', "invalid_type"
        )
    if isinstance(value, str):
        whole, _, frac = value.strip().partition(".")
        if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 2:
            raise PromotionDefinitionError(
                field, f"{value!r} is not a percent with at most two decimal places"
            )
        percent = Fraction(int(whole)) + (Fraction(int(frac), 10 ** len(frac)) if frac else 0)
    else:
        percent = Fraction(value)
    if percent <= 0 or percent > 100:
        raise PromotionDefinitionError(
            field,
            f"must be more than 0 and at most 100, got {format_fraction(percent)}",
            "out_of_range",
        )
    return percent


def format_fraction(value: Fraction) -> str:
    """Exact decimal text of a fraction with a power-of-ten-friendly denominator."""
    if value.denominator == 1:
        return str(value.numerator)
    for places in range(1, 7):
        scaled = value * 10**places
        if scaled.denominator == 1:
            whole, frac = divmod(scaled.numerator, 10**places)
            return f"{whole}.{frac:0{places}d}"
    return f"{value.numerator}/{value.denominator}"


class Reader:
    """Typed access to one JSON object; every failure names its dotted field path."""

    def __init__(self, data: object, path: str = "") -> None:
        if not isinstance(data, Mapping):
            raise PromotionDefinitionError(
                path or "definition", "must be an object", "invalid_type"
            )
        self.data: Mapping[str, Any] = data
        self.path = path
        self._seen: set[str] = set()

    def field(self, key: str) -> str:
        return _join(self.path, key)

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def raw(self, key: str, default: object = None) -> Any:
        self._seen.add(key)
        return self.data.get(key, default)

    def required(self, key: str) -> Any:
        self._seen.add(key)
        if key not in self.data or self.data[key] is None:
            raise PromotionDefinitionError(self.field(key), "is required", "required")
        return self.data[key]

    def string(self, key: str, default: str | None = None) -> str:
        value = self.required(key) if default is None else self.raw(key, default)
        if not isinstance(value, str) or not value.strip():
            raise PromotionDefinitionError(
                self.field(key), "must be a non-empty string", "invalid_type"
            )
        return value

    def optional_string(self, key: str) -> str | None:
        return self.string(key) if self.has(key) else self.raw(key)

    def integer(self, key: str, minimum: int | None = None, default: int | None = None) -> int:
        value = self.required(key) if default is None else self.raw(key, default)
        return self._checked_int(key, value, minimum)

    def optional_integer(self, key: str, minimum: int | None = None) -> int | None:
        value = self.raw(key)
        return None if value is None else self._checked_int(key, value, minimum)

    def _checked_int(self, key: str, value: object, minimum: int | None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise PromotionDefinitionError(
                self.field(key), "must be an integer (amounts are in fen)", "invalid_type"
            )
        if minimum is not None and value < minimum:
            raise PromotionDefinitionError(
                self.field(key), f"must be at least {minimum}, got {value}", "out_of_range"
            )
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise PromotionDefinitionError(self.field(key), "must be true or false", "invalid_type")
        return value

    def percent(self, key: str) -> Fraction:
        return parse_percent(self.required(key), self.field(key))

    def choice(self, key: str, options: tuple[str, ...], default: str | None = None) -> str:
        value = self.string(key, default)
        if value not in options:
            raise PromotionDefinitionError(
                self.field(key),
                f"must be one of {', '.join(options)}; got {value!r}",
                "invalid_choice",
            )
        return value

    def string_set(self, key: str) -> frozenset[str]:
        value = self.raw(key, [])
        if not isinstance(value, list):
            raise PromotionDefinitionError(
                self.field(key), "must be a list of strings", "invalid_type"
            )
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item:
                raise PromotionDefinitionError(
                    _join(self.field(key), i), "must be a non-empty string", "invalid_type"
                )
        return frozenset(value)

    def aware_datetime(self, key: str) -> datetime | None:
        value = self.raw(key)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            raise PromotionDefinitionError(
                self.field(key), "must be an ISO 8601 date-time with a UTC offset", "invalid_type"
            )
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise PromotionDefinitionError(
                self.field(key), "must carry a UTC offset (e.g. +08:00)", "naive_datetime"
            )
        return moment

    def clock(self, value: object, field: str) -> time:
        if value == "24:00":
            return time.max
        try:
            moment = time.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            raise PromotionDefinitionError(field, 'must be a time of day "HH:MM"', "invalid_type")
        return moment

    def child(self, key: str, required: bool = False) -> Reader:
        value = self.required(key) if required else self.raw(key, {})
        return Reader(value, self.field(key))

    def items(self, key: str) -> list[Any]:
        value = self.required(key)
        if not isinstance(value, list):
            raise PromotionDefinitionError(self.field(key), "must be a list", "invalid_type")
        return value

    def finish(self) -> None:
        """Refuse fields nobody read: a typo must not silently change a promotion."""
        unknown = sorted(set(self.data) - self._seen)
        if unknown:
            raise PromotionDefinitionError(
                self.field(unknown[0]), "is not a known field", "unknown_field"
            )
