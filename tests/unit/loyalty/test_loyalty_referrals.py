import pytest

from loyalty.errors import InvalidConfig
from loyalty.referrals import (
    ReferralEvent,
    ReferralPolicy,
    ReferralReward,
    ReferralRule,
    ReferralTrigger,
    Referrer,
    evaluate_referral,
)

TOP_UP_RULE = ReferralRule(
    "topup-500", ReferralTrigger.FIRST_TOP_UP, reward_bonus=2_000, min_top_up=50_000
)
GOLD_RULE = ReferralRule(
    "to-gold",
    ReferralTrigger.UPGRADE,
    reward_points=1_000,
    to_tiers=frozenset({"gold", "diamond"}),
    referrer_tiers=frozenset({"silver", "gold", "diamond"}),
)
SPEND_RULE = ReferralRule(
    "spend-1000", ReferralTrigger.SPEND_REACHED, reward_points=200, spend_threshold=100_000
)
POLICY = ReferralPolicy((TOP_UP_RULE, GOLD_RULE, SPEND_RULE))
SILVER_REFERRER = Referrer("ref", "silver")


@pytest.mark.parametrize(
    ("event", "rule_ids"),
    [
        (
            ReferralEvent(
                ReferralTrigger.FIRST_TOP_UP, "new", top_up_amount=50_000, first_top_up=True
            ),
            ["topup-500"],
        ),
        (
            ReferralEvent(
                ReferralTrigger.FIRST_TOP_UP, "new", top_up_amount=49_999, first_top_up=True
            ),
            [],
        ),
        (
            ReferralEvent(
                ReferralTrigger.FIRST_TOP_UP, "new", top_up_amount=90_000, first_top_up=False
            ),
            [],
        ),
        (ReferralEvent(ReferralTrigger.UPGRADE, "new", new_tier="gold"), ["to-gold"]),
        (ReferralEvent(ReferralTrigger.UPGRADE, "new", new_tier="silver"), []),
        (
            ReferralEvent(ReferralTrigger.SPEND_REACHED, "new", cumulative_spend=100_000),
            ["spend-1000"],
        ),
        (ReferralEvent(ReferralTrigger.SPEND_REACHED, "new", cumulative_spend=99_999), []),
    ],
)
def test_referred_members_milestone_credits_the_referrer_per_rule(
    event: ReferralEvent, rule_ids: list[str]
) -> None:
    rewards = evaluate_referral(POLICY, event, SILVER_REFERRER)
    assert [r.rule_id for r in rewards] == rule_ids


def test_reward_names_both_members_and_carries_a_unique_key() -> None:
    event = ReferralEvent(ReferralTrigger.FIRST_TOP_UP, "new", 100_000, first_top_up=True)
    assert evaluate_referral(POLICY, event, SILVER_REFERRER) == [
        ReferralReward("topup-500", "ref", "new", 0, 2_000)
    ]
    assert evaluate_referral(POLICY, event, SILVER_REFERRER)[0].key == "referral:topup-500:new"


def test_each_rule_pays_once_per_referred_member() -> None:
    event = ReferralEvent(ReferralTrigger.UPGRADE, "new", new_tier="diamond")
    assert evaluate_referral(POLICY, event, SILVER_REFERRER, frozenset({"to-gold"})) == []


@pytest.mark.parametrize(
    "referrer",
    [
        None,
        Referrer("ref", "normal"),
        Referrer("ref", "gold", active=False),
        Referrer("new", "gold"),
    ],
)
def test_no_reward_without_an_eligible_active_referrer(referrer: Referrer | None) -> None:
    event = ReferralEvent(ReferralTrigger.UPGRADE, "new", new_tier="gold")
    assert evaluate_referral(POLICY, event, referrer) == []


def test_rule_that_rewards_nothing_is_refused() -> None:
    with pytest.raises(InvalidConfig):
        ReferralRule("empty", ReferralTrigger.UPGRADE)


def test_referral_policy_round_trips() -> None:
    assert ReferralPolicy.from_dict(POLICY.to_dict()) == POLICY
