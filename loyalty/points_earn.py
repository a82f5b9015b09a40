"""Earning points on a sale and pricing points as a tender.

Points = floor(eligible yuan × base rate × tier multiplier × best campaign multiplier),
computed exactly over the whole sale and only then rounded down once; the sale total is
split back over its lines by largest remainder so that returns can reverse each line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from math import floor, lcm
from typing import Any

from loyalty.config import (
    JsonDict,
    date_from_json,
    fraction_from_json,
    fraction_to_json,
    int_from_json,
)
from loyalty.errors import InvalidAmount, InvalidConfig
from loyalty.points import (
    EarnedLine,
    LotSource,
    PointsEntry,
    PointsEntryKind,
    PointsLot,
    credit_entry,
    new_lot,
)
from loyalty.points_expiry import ExpiryPolicy
from retail.money import allocate

FEN_PER_YUAN = 100


@dataclass(frozen=True, slots=True)
class Campaign:
    """A points multiplier for a date range (inclusive), optionally for some categories."""

    code: str
    starts_on: date
    ends_on: date
    multiplier: Fraction
    categories: frozenset[str] = frozenset()  # empty: every category

    def __post_init__(self) -> None:
        if self.ends_on < self.starts_on or self.multiplier < 0:
            raise InvalidConfig(f"campaign {self.code} has a bad window or multiplier")

    def applies(self, on: date, category: str) -> bool:
        return self.starts_on <= on <= self.ends_on and (
            not self.categories or category in self.categories
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Campaign:
        return cls(
            code=str(data["code"]),
            starts_on=date_from_json(data.get("starts_on"), "starts_on"),
            ends_on=date_from_json(data.get("ends_on"), "ends_on"),
            multiplier=fraction_from_json(data.get("multiplier"), "multiplier"),
            categories=frozenset(data.get("categories", ())),
        )

    def to_dict(self) -> JsonDict:
        return {
            "code": self.code,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "multiplier": fraction_to_json(self.multiplier),
            "categories": sorted(self.categories),
        }


@dataclass(frozen=True, slots=True)
class EarnRules:
    """How a sale earns points; the tier's multiplier comes from `tiers.benefits`."""

    points_per_yuan: Fraction = Fraction(1)
    excluded_categories: frozenset[str] = frozenset()
    campaigns: tuple[Campaign, ...] = ()
    pending_days: int = 7  # the return window: points are not spendable before it ends
    expiry: ExpiryPolicy = field(default_factory=ExpiryPolicy)

    def __post_init__(self) -> None:
        if self.points_per_yuan < 0 or self.pending_days < 0:
            raise InvalidConfig("points_per_yuan and pending_days must not be negative")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EarnRules:
        return cls(
            points_per_yuan=fraction_from_json(data.get("points_per_yuan", 1), "points_per_yuan"),
            excluded_categories=frozenset(data.get("excluded_categories", ())),
            campaigns=tuple(Campaign.from_dict(c) for c in data.get("campaigns", ())),
            pending_days=int_from_json(data, "pending_days", 7),
            expiry=ExpiryPolicy.from_dict(data.get("expiry", {})),
        )

    def to_dict(self) -> JsonDict:
        return {
            "points_per_yuan": fraction_to_json(self.points_per_yuan),
            "excluded_categories": sorted(self.excluded_categories),
            "campaigns": [c.to_dict() for c in self.campaigns],
            "pending_days": self.pending_days,
            "expiry": self.expiry.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class EarnLine:
    """A sale line as earning sees it: net amount after discounts, fen."""

    line_id: str
    category: str
    amount: int


@dataclass(frozen=True, slots=True)
class Earning:
    """The lot and ledger row a sale earns, or nothing when it earns zero points."""

    points: int
    lot: PointsLot | None
    entry: PointsEntry | None


def line_rate(rules: EarnRules, line: EarnLine, on: date, tier_multiplier: Fraction) -> Fraction:
    """Exact points per fen for one line: zero for excluded categories; best campaign wins."""
    if line.category in rules.excluded_categories:
        return Fraction(0)
    campaign = max(
        (c.multiplier for c in rules.campaigns if c.applies(on, line.category)), default=Fraction(1)
    )
    return rules.points_per_yuan * tier_multiplier * campaign / FEN_PER_YUAN


def earn_points(
    rules: EarnRules,
    lines: Sequence[EarnLine],
    *,
    tier_multiplier: Fraction,
    on: date,
    account_id: str,
    lot_id: str,
    ref: str,
    store_id: str | None = None,
) -> Earning:
    """Points a sale earns, as one pending lot that remembers each line's share."""
    if any(line.amount < 0 for line in lines):
        raise InvalidAmount("a sale line earning points cannot be negative", "amount")
    exact = [Fraction(line.amount) * line_rate(rules, line, on, tier_multiplier) for line in lines]
    total = floor(sum(exact, Fraction(0)))
    if total <= 0:
        return Earning(0, None, None)
    scale = lcm(*(share.denominator for share in exact))
    weights = [share.numerator * (scale // share.denominator) for share in exact]
    shares = allocate(total, weights)
    earned = tuple(
        EarnedLine(line.line_id, line.amount, points)
        for line, points in zip(lines, shares, strict=True)
    )
    lot = new_lot(
        lot_id=lot_id,
        account_id=account_id,
        source=LotSource.SALE,
        points=total,
        earned_on=on,
        pending_days=rules.pending_days,
        expiry=rules.expiry,
        ref=ref,
        lines=earned,
    )
    return Earning(total, lot, credit_entry(lot, PointsEntryKind.EARN, store_id=store_id))


@dataclass(frozen=True, slots=True)
class RedemptionRate:
    """`points` points pay `fen` fen (100 points = 1 yuan is points=100, fen=100)."""

    points: int = 100
    fen: int = 100

    def __post_init__(self) -> None:
        if self.points <= 0 or self.fen <= 0:
            raise InvalidConfig("a redemption rate needs positive points and fen")

    def points_for(self, amount: int) -> int:
        """Points to pay exactly `amount` fen; refuses amounts not on a whole step."""
        if amount <= 0 or amount % self.fen:
            raise InvalidAmount(f"points pay in steps of {self.fen} fen", "amount")
        return amount // self.fen * self.points

    def max_payable(self, available_points: int, amount_due: int) -> int:
        """The largest amount (fen, whole steps) the points can pay toward `amount_due`."""
        steps = min(available_points // self.points, max(amount_due, 0) // self.fen)
        return steps * self.fen

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RedemptionRate:
        return cls(int_from_json(data, "points", 100), int_from_json(data, "fen", 100))

    def to_dict(self) -> JsonDict:
        return {"points": self.points, "fen": self.fen}
