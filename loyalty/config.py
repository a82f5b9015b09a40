"""JSON helpers for rule configuration that travels down the change feed.

Rates and multipliers are exact fractions written as strings ("3/2", "1.5"); floats are
refused so that no binary rounding creeps into points or money arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from fractions import Fraction
from typing import Any

from loyalty.errors import InvalidConfig

JsonDict = dict[str, Any]


def fraction_to_json(value: Fraction) -> str:
    """Write an exact fraction as '3/2' or '2'."""
    return str(value)


def fraction_from_json(value: object, name: str) -> Fraction:
    """Read an int or a decimal/fraction string as an exact Fraction; floats are refused."""
    if isinstance(value, (bool, float)):
        raise InvalidConfig(f"{name} must be an integer or a string, not {value!r}", name)
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError) as exc:
            raise InvalidConfig(f"{name} is not a number: {value!r}", name) from exc
    raise InvalidConfig(f"{name} must be an integer or a string, not {value!r}", name)


def int_from_json(data: Mapping[str, Any], name: str, default: int | None = None) -> int:
    """Read a required (or defaulted) integer field; bools and floats are refused."""
    value = data.get(name, default)
    if value is None or isinstance(value, bool) or not isinstance(value, int):
        raise InvalidConfig(f"{name} must be an integer, got {value!r}", name)
    return value


def date_from_json(value: object, name: str) -> date:
    """Read an ISO date string."""
    if not isinstance(value, str):
        raise InvalidConfig(f"{name} must be an ISO date string, got {value!r}", name)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidConfig(f"{name} is not an ISO date: {value!r}", name) from exc


def optional_date_from_json(value: object, name: str) -> date | None:
    """Read an ISO date string or null."""
    return None if value is None else date_from_json(value, name)
