"""marshmallow field types shared by the tiers' schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError, fields, validate

from retail.barcodes import is_valid_gtin


class Fen(fields.Integer):
    """An amount in fen: a JSON integer, never a string or a float."""

    def __init__(self, *, positive: bool = False, **kwargs: Any):
        if positive:
            kwargs.setdefault("validate", validate.Range(min=1, error="must be greater than 0"))
        super().__init__(strict=True, **kwargs)


class AwareDateTime(fields.DateTime):
    """An ISO 8601 timestamp with its UTC offset (a naive one is ambiguous and refused)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            raise ValidationError("must include a UTC offset, e.g. 2026-11-26T09:00:00+08:00")
        return parsed


def check_barcode(code: str) -> None:
    # `str.isdigit` alone accepts full-width and superscript digits no scanner can match.
    if not (code.isascii() and code.isdigit()) or not (len(code) <= 7 or is_valid_gtin(code)):
        raise ValidationError(f"{code} is not a valid EAN-13/EAN-8/UPC-A or short PLU code")


def check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"unknown time zone {name!r}") from None


Code = fields.String  # short identifiers; validated by length where they are declared
