"""Enrolment rules: when a shopper qualifies for a member card, and at what fee."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from loyalty.config import JsonDict, int_from_json
from loyalty.errors import InvalidConfig, LoyaltyError


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


class NotEligibleForCard(LoyaltyError):
    """No enrolment rule is satisfied by what the shopper bought."""

    code = "not_eligible_for_card"
    default_field = "purchase_document"


class WrongEnrolmentFee(LoyaltyError):
    """The fee taken is not the fee the qualifying rule asks (never more than a free rule)."""

    code = "wrong_enrolment_fee"
    default_field = "fee_paid"

    def __init__(self, message: str, fee_due: int) -> None:
        super().__init__(message)
        self.fee_due = fee_due


class ReferrerTierNotAllowed(LoyaltyError):
    """The referring member's tier is not one the referral rules accept."""

    code = "referrer_tier_not_allowed"
    default_field = "referrer_id"


#: Rules a sale satisfies on its own, with nobody at the counter to take a fee.
_SPEND_KINDS = frozenset(
    {EnrolmentKind.CUMULATIVE_SPEND, EnrolmentKind.SINGLE_PURCHASE, EnrolmentKind.PURCHASE_WITH_FEE}
)


def _only(policy: EnrolmentPolicy, kinds: frozenset[EnrolmentKind]) -> EnrolmentPolicy:
    return EnrolmentPolicy(tuple(rule for rule in policy.rules if rule.kind in kinds))


def enrolment_at_sale(policy: EnrolmentPolicy, facts: EnrolmentFacts) -> EnrolmentDecision:
    """A card to issue automatically for a member's sale: spend rules that charge no fee.

    A rule with a fee needs someone to take the fee, so it is left to the counter.
    """
    free = EnrolmentPolicy(tuple(r for r in _only(policy, _SPEND_KINDS).rules if r.fee == 0))
    return evaluate_enrolment(free, facts)


def enrolment_at_counter(
    policy: EnrolmentPolicy, facts: EnrolmentFacts, fee_paid: int
) -> EnrolmentDecision:
    """A card issued at the counter against a purchase and the fee taken for it.

    The spend rules are evaluated as usual (lowest fee wins); the fee taken must be
    exactly the winning rule's fee: less is a fee still due, more is a fee a cheaper
    rule waives.
    """
    if fee_paid < 0:
        raise WrongEnrolmentFee("the fee paid cannot be negative", 0)
    decision = evaluate_enrolment(_only(policy, _SPEND_KINDS), facts)
    if not decision.eligible:
        raise NotEligibleForCard(
            f"a purchase of {facts.purchase} fen (spend before it {facts.prior_spend} fen) "
            "satisfies no enrolment rule"
        )
    if fee_paid != decision.fee:
        raise WrongEnrolmentFee(
            f"the card fee for this purchase is {decision.fee} fen, not {fee_paid} fen",
            decision.fee,
        )
    return decision


def enrolment_by_referral(policy: EnrolmentPolicy, referrer_tier: str) -> EnrolmentDecision | None:
    """Whether a referral by a member of `referrer_tier` is accepted, and the card it earns.

    None when the policy has no referral rule: the referral is then only recorded (for
    referral rewards) and earns no card. With referral rules, a tier none lists refuses.
    """
    referral = _only(policy, frozenset({EnrolmentKind.REFERRAL}))
    if not referral.rules:
        return None
    decision = evaluate_enrolment(referral, EnrolmentFacts(referrer_tier=referrer_tier))
    if not decision.eligible:
        allowed = sorted({t for r in referral.rules for t in r.referrer_tiers})
        raise ReferrerTierNotAllowed(
            f"a member of tier {referrer_tier!r} cannot refer; allowed: {', '.join(allowed)}"
        )
    return decision


DEMO_ENROLMENT = EnrolmentPolicy(
    (
        EnrolmentRule(EnrolmentKind.CUMULATIVE_SPEND, threshold=50_000),
        EnrolmentRule(EnrolmentKind.SINGLE_PURCHASE, threshold=30_000),
        EnrolmentRule(EnrolmentKind.PURCHASE_WITH_FEE, threshold=10_000, fee=2_000),
        EnrolmentRule(
            EnrolmentKind.REFERRAL, referrer_tiers=frozenset({"silver", "gold", "diamond"})
        ),
    )
)
