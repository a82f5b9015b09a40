"""Points expiry policies: when a lot earned on a day stops being usable.

A lot's `valid_until` is the last day it can be spent (inclusive); the daily expiry run on
day D expires every lot with `valid_until < D`. Expiry counts from the day the points
were earned (the sale's business day), not from the end of the pending window.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

from loyalty.config import JsonDict, int_from_json
from loyalty.errors import InvalidConfig


class ExpiryKind(Enum):
    """The expiry policies a chain can pick."""

    NEVER = "never"
    DAYS = "days"  # valid for N days after the earning day
    END_OF_MONTH = "end_of_month"  # to the end of the month, N months after earning
    END_OF_YEAR = "end_of_year"  # to 31 Dec, N years after earning
    ANNUAL_CLEARING = "annual_clearing"  # cleared on a fixed date each year


@dataclass(frozen=True, slots=True)
class ExpiryPolicy:
    """`n` means days (DAYS), extra months (END_OF_MONTH), extra years (END_OF_YEAR,
    ANNUAL_CLEARING). For ANNUAL_CLEARING the lot lives until the first clearing day
    (`clearing_month`/`clearing_day`) on or after the earning day, plus `n` years: with
    n=1 points earned just before clearing day survive one more year.
    """

    kind: ExpiryKind = ExpiryKind.NEVER
    n: int = 0
    clearing_month: int = 12
    clearing_day: int = 31

    def __post_init__(self) -> None:
        if self.n < 0:
            raise InvalidConfig("expiry n must not be negative", "n")
        if self.kind is ExpiryKind.DAYS and self.n < 1:
            raise InvalidConfig("a DAYS expiry needs n >= 1", "n")
        if self.kind is ExpiryKind.ANNUAL_CLEARING:
            if not 1 <= self.clearing_month <= 12:
                raise InvalidConfig("clearing_month must be 1..12", "clearing_month")
            # 29 Feb is refused: the clearing day must exist every year.
            last = calendar.monthrange(2001, self.clearing_month)[1]
            if not 1 <= self.clearing_day <= last:
                raise InvalidConfig("clearing_day must exist in every year", "clearing_day")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExpiryPolicy:
        try:
            kind = ExpiryKind(data.get("kind", "never"))
        except ValueError as exc:
            raise InvalidConfig(f"unknown expiry kind {data.get('kind')!r}", "kind") from exc
        return cls(
            kind=kind,
            n=int_from_json(data, "n", 0),
            clearing_month=int_from_json(data, "clearing_month", 12),
            clearing_day=int_from_json(data, "clearing_day", 31),
        )

    def to_dict(self) -> JsonDict:
        return {
            "kind": self.kind.value,
            "n": self.n,
            "clearing_month": self.clearing_month,
            "clearing_day": self.clearing_day,
        }


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def valid_until(policy: ExpiryPolicy, earned_on: date) -> date | None:
    """The last day points earned on `earned_on` can be used; None if they never expire."""
    if policy.kind is ExpiryKind.NEVER:
        return None
    if policy.kind is ExpiryKind.DAYS:
        return earned_on + timedelta(days=policy.n)
    if policy.kind is ExpiryKind.END_OF_MONTH:
        year, month = divmod(earned_on.year * 12 + earned_on.month - 1 + policy.n, 12)
        return _end_of_month(year, month + 1)
    if policy.kind is ExpiryKind.END_OF_YEAR:
        return date(earned_on.year + policy.n, 12, 31)
    clearing = date(earned_on.year, policy.clearing_month, policy.clearing_day)
    if clearing < earned_on:
        clearing = date(earned_on.year + 1, policy.clearing_month, policy.clearing_day)
    return date(clearing.year + policy.n, clearing.month, clearing.day)
