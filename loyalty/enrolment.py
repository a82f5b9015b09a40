"""Enrolment rules: when a shopper qualifies for a member card, and at what fee."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from loyalty.config import JsonDict, int_from_json
from loyalty.errors import InvalidConfig


class EnrolmentKind(Enum):
    """The shapes of enrolment rule the chains use."""

    CUMULATIVE_SPEND = "cumulative_spend"  # "cumulative spend of 500 gets a card"
    SINGLE_PURCHASE = "single_purchase"  # "a single purchase of 300 gets a card"
    PURCHASE_WITH_FEE = "purchase_with_fee"  # "200 + a 20 fee buys a card"
    REFERRAL = "referral"  # "referral by a member of a given tier"


@dataclass(frozen=True, slots=True)
class EnrolmentRule:
    """One rule; `threshold` and `fee` are fen, `referrer_tiers` are tier codes."""

    kind: EnrolmentKind
    threshold: int = 0
    fee: int = 0
    referrer_tiers: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.threshold < 0 or self.fee < 0:
            raise InvalidConfig("enrolment threshold and fee must not be negative")
        if self.kind is EnrolmentKind.REFERRAL and not self.referrer_tiers:
            raise InvalidConfig("a referral rule names the referrer tiers", "referrer_tiers")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EnrolmentRule:
        try:
            kind = EnrolmentKind(data["kind"])
        except (KeyError, ValueError) as exc:
            message = f"unknown enrolment rule kind: {data.get('kind')!r}"
            raise InvalidConfig(message, "kind") from exc
        return cls(
            kind=kind,
            threshold=int_from_json(data, "threshold", 0),
            fee=int_from_json(data, "fee", 0),
            referrer_tiers=frozenset(data.get("referrer_tiers", ())),
        )

    def to_dict(self) -> JsonDict:
        return {
            "kind": self.kind.value,
            "threshold": self.threshold,
            "fee": self.fee,
            "referrer_tiers": sorted(self.referrer_tiers),
        }


@dataclass(frozen=True, slots=True)
class EnrolmentPolicy:
    """The rules in force; any one satisfied qualifies (free rules win over fee rules)."""

    rules: tuple[EnrolmentRule, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EnrolmentPolicy:
        return cls(tuple(EnrolmentRule.from_dict(r) for r in data.get("rules", ())))

    def to_dict(self) -> JsonDict:
        return {"rules": [r.to_dict() for r in self.rules]}


@dataclass(frozen=True, slots=True)
class EnrolmentFacts:
    """What is known about the shopper at the counter; amounts in fen."""

    prior_spend: int = 0  # cumulative spend recorded before this purchase
    purchase: int = 0  # the current purchase
    referrer_tier: str | None = None  # tier code of the referring member, if any


@dataclass(frozen=True, slots=True)
class EnrolmentDecision:
    """Whether a card may be issued, under which rule, and the fee to charge."""

    eligible: bool
    rule: EnrolmentRule | None = None
    fee: int = 0


def evaluate_enrolment(policy: EnrolmentPolicy, facts: EnrolmentFacts) -> EnrolmentDecision:
    """Pick the rule that qualifies the shopper at the lowest fee (first listed on a tie)."""
    qualifying = [rule for rule in policy.rules if _qualifies(rule, facts)]
    if not qualifying:
        return EnrolmentDecision(eligible=False)
    best = min(qualifying, key=lambda rule: rule.fee)
    return EnrolmentDecision(eligible=True, rule=best, fee=best.fee)


def _qualifies(rule: EnrolmentRule, facts: EnrolmentFacts) -> bool:
    if rule.kind is EnrolmentKind.CUMULATIVE_SPEND:
        # The purchase that crosses the threshold counts, like the tier upgrade rule.
        return facts.prior_spend + facts.purchase >= rule.threshold
    if rule.kind in (EnrolmentKind.SINGLE_PURCHASE, EnrolmentKind.PURCHASE_WITH_FEE):
        return facts.purchase >= rule.threshold
    return facts.referrer_tier is not None and facts.referrer_tier in rule.referrer_tiers
