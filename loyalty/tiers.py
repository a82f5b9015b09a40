"""Tiers: a ladder by rolling spend, upgrade on the crossing sale, review at period end."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from fractions import Fraction
from itertools import pairwise
from typing import Any

from loyalty.config import JsonDict, fraction_from_json, fraction_to_json, int_from_json
from loyalty.errors import InvalidConfig


@dataclass(frozen=True, slots=True)
class Tier:
    """A rung of the ladder: reached at `threshold` fen of rolling spend."""

    code: str
    name: str
    threshold: int
    discount_percent: Fraction = Fraction(0)
    points_multiplier: Fraction = Fraction(1)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tier:
        return cls(
            code=str(data["code"]),
            name=str(data.get("name", data["code"])),
            threshold=int_from_json(data, "threshold"),
            discount_percent=fraction_from_json(
                data.get("discount_percent", 0), "discount_percent"
            ),
            points_multiplier=fraction_from_json(
                data.get("points_multiplier", 1), "points_multiplier"
            ),
        )

    def to_dict(self) -> JsonDict:
        return {
            "code": self.code,
            "name": self.name,
            "threshold": self.threshold,
            "discount_percent": fraction_to_json(self.discount_percent),
            "points_multiplier": fraction_to_json(self.points_multiplier),
        }


class DowngradePolicy(Enum):
    """What happens at period end when rolling spend no longer holds the tier."""

    NEVER = "never"  # tiers only go up
    TO_QUALIFYING = "to_qualifying"  # drop to the tier the spend qualifies for
    ONE_STEP = "one_step"  # drop at most one rung per period


@dataclass(frozen=True, slots=True)
class TierLadder:
    """Tiers in ascending order; the first is the entry tier with threshold 0."""

    tiers: tuple[Tier, ...]
    window_months: int = 12
    downgrade: DowngradePolicy = DowngradePolicy.TO_QUALIFYING

    def __post_init__(self) -> None:
        if not self.tiers or self.tiers[0].threshold != 0:
            raise InvalidConfig("the first tier must have threshold 0", "tiers")
        thresholds = [t.threshold for t in self.tiers]
        if any(b <= a for a, b in pairwise(thresholds)):
            raise InvalidConfig("tier thresholds must strictly increase", "tiers")
        if len({t.code for t in self.tiers}) != len(self.tiers):
            raise InvalidConfig("tier codes must be unique", "tiers")
        for tier in self.tiers:
            if not 0 <= tier.discount_percent < 100 or tier.points_multiplier < 0:
                raise InvalidConfig(f"tier {tier.code} has out-of-range benefits", "tiers")
        if self.window_months < 1:
            raise InvalidConfig("window_months must be at least 1", "window_months")

    def rank(self, code: str) -> int:
        """Position of a tier in the ladder (0 = entry tier)."""
        for index, tier in enumerate(self.tiers):
            if tier.code == code:
                return index
        raise InvalidConfig(f"unknown tier {code!r}", "tier")

    def tier(self, code: str) -> Tier:
        return self.tiers[self.rank(code)]

    def for_spend(self, spend: int) -> Tier:
        """The highest tier whose threshold `spend` reaches."""
        reached = self.tiers[0]
        for tier in self.tiers:
            if spend >= tier.threshold:
                reached = tier
        return reached

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TierLadder:
        return cls(
            tiers=tuple(Tier.from_dict(t) for t in data["tiers"]),
            window_months=int_from_json(data, "window_months", 12),
            downgrade=DowngradePolicy(data.get("downgrade", DowngradePolicy.TO_QUALIFYING.value)),
        )

    def to_dict(self) -> JsonDict:
        return {
            "tiers": [t.to_dict() for t in self.tiers],
            "window_months": self.window_months,
            "downgrade": self.downgrade.value,
        }


DEMO_LADDER = TierLadder(
    (
        Tier("normal", "Normal", 0, Fraction(0), Fraction(1)),
        Tier("silver", "Silver", 200_000, Fraction(2), Fraction(1)),
        Tier("gold", "Gold", 500_000, Fraction(5), Fraction(3, 2)),
        Tier("diamond", "Diamond", 2_000_000, Fraction(8), Fraction(2)),
    )
)


@dataclass(frozen=True, slots=True)
class TierBenefits:
    """What pricing and earning need from the member's tier."""

    tier_code: str
    discount_percent: Fraction
    points_multiplier: Fraction


def benefits(ladder: TierLadder, code: str) -> TierBenefits:
    """The benefits of a tier, for pricing (member discount) and points earning."""
    tier = ladder.tier(code)
    return TierBenefits(tier.code, tier.discount_percent, tier.points_multiplier)


@dataclass(frozen=True, slots=True)
class SpendRecord:
    """Net spend (negative for a return) on one card on one business day, fen."""

    card_id: str
    on: date
    amount: int


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier, clamped to the month's end (31 Mar - 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def rolling_spend(
    records: Iterable[SpendRecord], as_of: date, card_ids: Iterable[str], months: int = 12
) -> int:
    """Family spend in the window (as_of - months, as_of] over the given cards.

    Pass the primary card and all its supplementary cards: family spend counts toward
    the tier.
    """
    start = months_before(as_of, months)
    cards = set(card_ids)
    return sum(r.amount for r in records if r.card_id in cards and start < r.on <= as_of)


@dataclass(frozen=True, slots=True)
class TierChange:
    """A tier move to record and notify the member of."""

    from_code: str
    to_code: str
    reason: str

    @property
    def is_upgrade(self) -> bool:
        return self.reason == "upgrade"


def upgrade_after_sale(
    ladder: TierLadder, current_code: str, spend_before: int, sale_amount: int
) -> TierChange | None:
    """Upgrade at once when this sale lifts rolling spend past a higher threshold.

    Never downgrades: a return does not take a tier back mid-period.
    """
    reached = ladder.for_spend(spend_before + sale_amount)
    if ladder.rank(reached.code) > ladder.rank(current_code):
        return TierChange(current_code, reached.code, "upgrade")
    return None


def review_at_period_end(ladder: TierLadder, current_code: str, rolling: int) -> TierChange | None:
    """The tier change due at the end of a review period, by the ladder's downgrade policy."""
    current = ladder.rank(current_code)
    qualifying = ladder.rank(ladder.for_spend(rolling).code)
    if qualifying > current:
        return TierChange(current_code, ladder.tiers[qualifying].code, "upgrade")
    if qualifying == current or ladder.downgrade is DowngradePolicy.NEVER:
        return None
    target = qualifying if ladder.downgrade is DowngradePolicy.TO_QUALIFYING else current - 1
    return TierChange(current_code, ladder.tiers[target].code, "downgrade")


def review_member(ladder: TierLadder, current_code: str, rolling: int) -> TierChange | None:
    """`review_at_period_end`, and a tier the ladder no longer has moves to the qualifying one.

    A ladder edited between periods (a tier renamed or removed) would otherwise leave
    members on a tier no rule knows; they are reassigned by their spend, reason `reassign`.
    """
    if current_code not in {tier.code for tier in ladder.tiers}:
        return TierChange(current_code, ladder.for_spend(rolling).code, "reassign")
    return review_at_period_end(ladder, current_code, rolling)
