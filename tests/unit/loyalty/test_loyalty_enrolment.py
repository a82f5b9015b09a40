import pytest

from loyalty.enrolment import (
    EnrolmentFacts,
    EnrolmentKind,
    EnrolmentPolicy,
    EnrolmentRule,
    evaluate_enrolment,
)
from loyalty.errors import InvalidConfig

CUMULATIVE_500 = EnrolmentRule(EnrolmentKind.CUMULATIVE_SPEND, threshold=50_000)
SINGLE_300 = EnrolmentRule(EnrolmentKind.SINGLE_PURCHASE, threshold=30_000)
BUY_200_FEE_20 = EnrolmentRule(EnrolmentKind.PURCHASE_WITH_FEE, threshold=20_000, fee=2_000)
REFERRED_BY_GOLD = EnrolmentRule(EnrolmentKind.REFERRAL, referrer_tiers=frozenset({"gold"}))
ALL_RULES = EnrolmentPolicy((CUMULATIVE_500, SINGLE_300, BUY_200_FEE_20, REFERRED_BY_GOLD))


@pytest.mark.parametrize(
    ("facts", "rule", "fee"),
    [
        (EnrolmentFacts(prior_spend=45_000, purchase=5_000), CUMULATIVE_500, 0),
        (EnrolmentFacts(prior_spend=0, purchase=30_000), SINGLE_300, 0),
        (EnrolmentFacts(prior_spend=0, purchase=20_000), BUY_200_FEE_20, 2_000),
        (EnrolmentFacts(purchase=100, referrer_tier="gold"), REFERRED_BY_GOLD, 0),
        (EnrolmentFacts(prior_spend=10_000, purchase=29_999), BUY_200_FEE_20, 2_000),
    ],
)
def test_enrolment_picks_the_cheapest_qualifying_rule(
    facts: EnrolmentFacts, rule: EnrolmentRule, fee: int
) -> None:
    decision = evaluate_enrolment(ALL_RULES, facts)
    assert decision.eligible
    assert decision.rule == rule
    assert decision.fee == fee


@pytest.mark.parametrize(
    "facts",
    [
        EnrolmentFacts(prior_spend=30_000, purchase=19_999),
        EnrolmentFacts(purchase=100, referrer_tier="silver"),
        EnrolmentFacts(),
    ],
)
def test_shopper_below_every_rule_is_not_eligible(facts: EnrolmentFacts) -> None:
    decision = evaluate_enrolment(ALL_RULES, facts)
    assert not decision.eligible
    assert decision.rule is None


def test_free_rule_wins_over_fee_rule_when_both_qualify() -> None:
    decision = evaluate_enrolment(ALL_RULES, EnrolmentFacts(purchase=30_000))
    assert decision.rule == SINGLE_300
    assert decision.fee == 0


def test_referral_rule_must_name_referrer_tiers() -> None:
    with pytest.raises(InvalidConfig):
        EnrolmentRule(EnrolmentKind.REFERRAL)


def test_enrolment_policy_round_trips_through_json_dict() -> None:
    assert EnrolmentPolicy.from_dict(ALL_RULES.to_dict()) == ALL_RULES


def test_unknown_enrolment_kind_is_a_config_error() -> None:
    with pytest.raises(InvalidConfig):
        EnrolmentPolicy.from_dict({"rules": [{"kind": "birthday"}]})
