"""Enrolment by channel: at a sale (free spend rules), at the counter (the fee taken must be
the rule's), by referral (the referrer's tier); and the review of a tier the ladder lost."""

from __future__ import annotations

import pytest

from loyalty.enrolment import (
    DEMO_ENROLMENT,
    EnrolmentFacts,
    EnrolmentKind,
    EnrolmentPolicy,
    EnrolmentRule,
    NotEligibleForCard,
    ReferrerTierNotAllowed,
    WrongEnrolmentFee,
    enrolment_at_counter,
    enrolment_at_sale,
    enrolment_by_referral,
)
from loyalty.referrals import DEMO_REFERRALS, ReferralPolicy
from loyalty.tiers import DEMO_LADDER, DowngradePolicy, TierChange, TierLadder, review_member

CUMULATIVE = EnrolmentRule(EnrolmentKind.CUMULATIVE_SPEND, threshold=50_000)
SINGLE = EnrolmentRule(EnrolmentKind.SINGLE_PURCHASE, threshold=30_000)
WITH_FEE = EnrolmentRule(EnrolmentKind.PURCHASE_WITH_FEE, threshold=10_000, fee=2_000)
REFERRAL = EnrolmentRule(EnrolmentKind.REFERRAL, referrer_tiers=frozenset({"gold"}))
POLICY = EnrolmentPolicy((CUMULATIVE, SINGLE, WITH_FEE, REFERRAL))


@pytest.mark.parametrize(
    ("facts", "rule"),
    [
        (EnrolmentFacts(prior_spend=49_999, purchase=1), CUMULATIVE),
        (EnrolmentFacts(prior_spend=49_998, purchase=1), None),
        (EnrolmentFacts(purchase=30_000), SINGLE),
        (EnrolmentFacts(purchase=29_999), None),
        # The fee rule needs someone to take the fee, and a referral happens at registration.
        (EnrolmentFacts(purchase=20_000), None),
        (EnrolmentFacts(purchase=20_000, referrer_tier="gold"), None),
    ],
)
def test_a_sale_issues_a_card_only_under_a_free_spend_rule(
    facts: EnrolmentFacts, rule: EnrolmentRule | None
) -> None:
    decision = enrolment_at_sale(POLICY, facts)
    assert decision.rule == rule and decision.eligible == (rule is not None)
    assert decision.fee == 0


def test_a_spend_rule_with_a_fee_never_issues_at_a_sale() -> None:
    paid = EnrolmentRule(EnrolmentKind.CUMULATIVE_SPEND, threshold=100, fee=500)
    assert not enrolment_at_sale(EnrolmentPolicy((paid,)), EnrolmentFacts(purchase=1_000)).eligible


def test_the_counter_takes_exactly_the_winning_rules_fee() -> None:
    decision = enrolment_at_counter(POLICY, EnrolmentFacts(purchase=15_000), 2_000)
    assert (decision.rule, decision.fee) == (WITH_FEE, 2_000)
    free = enrolment_at_counter(POLICY, EnrolmentFacts(purchase=30_000), 0)
    assert (free.rule, free.fee) == (SINGLE, 0)


@pytest.mark.parametrize(
    ("facts", "fee", "error", "due"),
    [
        (EnrolmentFacts(purchase=15_000), 0, WrongEnrolmentFee, 2_000),
        (EnrolmentFacts(purchase=15_000), 2_001, WrongEnrolmentFee, 2_000),
        # A free rule qualifies: the fee is waived, so charging it is refused.
        (EnrolmentFacts(prior_spend=40_000, purchase=15_000), 2_000, WrongEnrolmentFee, 0),
        (EnrolmentFacts(purchase=15_000), -1, WrongEnrolmentFee, 0),
        (EnrolmentFacts(purchase=9_999), 2_000, NotEligibleForCard, None),
    ],
)
def test_the_counter_refuses_a_wrong_fee_or_a_purchase_no_rule_takes(
    facts: EnrolmentFacts, fee: int, error: type[Exception], due: int | None
) -> None:
    with pytest.raises(error) as refused:
        enrolment_at_counter(POLICY, facts, fee)
    if isinstance(refused.value, WrongEnrolmentFee):
        assert refused.value.fee_due == due and refused.value.field == "fee_paid"
    else:
        assert getattr(refused.value, "field", None) == "purchase_document"


def test_a_referral_is_checked_against_the_referrer_tiers() -> None:
    decision = enrolment_by_referral(POLICY, "gold")
    assert decision is not None and decision.rule == REFERRAL
    with pytest.raises(ReferrerTierNotAllowed, match="allowed: gold") as refused:
        enrolment_by_referral(POLICY, "normal")
    assert refused.value.field == "referrer_id"


def test_without_referral_rules_a_referral_is_only_recorded() -> None:
    assert enrolment_by_referral(EnrolmentPolicy((SINGLE,)), "normal") is None


def test_the_demo_rules_survive_the_change_feed_round_trip() -> None:
    assert EnrolmentPolicy.from_dict(DEMO_ENROLMENT.to_dict()) == DEMO_ENROLMENT
    assert ReferralPolicy.from_dict(DEMO_REFERRALS.to_dict()) == DEMO_REFERRALS


@pytest.mark.parametrize(
    ("policy", "current", "rolling", "change"),
    [
        (DowngradePolicy.ONE_STEP, "diamond", 0, TierChange("diamond", "gold", "downgrade")),
        (DowngradePolicy.NEVER, "gold", 0, None),
        # A tier the ladder no longer has: reassigned by the spend, whatever the policy.
        (DowngradePolicy.NEVER, "platinum", 250_000, TierChange("platinum", "silver", "reassign")),
        (DowngradePolicy.ONE_STEP, "vip", 0, TierChange("vip", "normal", "reassign")),
    ],
)
def test_the_review_applies_the_policy_and_reassigns_unknown_tiers(
    policy: DowngradePolicy, current: str, rolling: int, change: TierChange | None
) -> None:
    ladder = TierLadder(DEMO_LADDER.tiers, downgrade=policy)
    assert review_member(ladder, current, rolling) == change
