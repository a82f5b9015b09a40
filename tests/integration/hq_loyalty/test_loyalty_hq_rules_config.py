"""HQ's enrolment, referral and ladder rules: defaults, the JSON override, consistency checks."""

from __future__ import annotations

import json

import pytest

from hq_server.loyalty.settings import RULES_ENV, LoyaltySettings
from loyalty.enrolment import DEMO_ENROLMENT, EnrolmentKind
from loyalty.errors import InvalidConfig
from loyalty.referrals import ReferralPolicy, ReferralRule, ReferralTrigger
from loyalty.tiers import DEMO_LADDER, DowngradePolicy


def test_without_the_variable_the_demo_rules_are_in_force(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(RULES_ENV, raising=False)
    settings = LoyaltySettings.from_env()
    assert settings.enrolment == DEMO_ENROLMENT
    assert settings.ladder.downgrade is DowngradePolicy.TO_QUALIFYING


def test_the_variable_overrides_the_rules_it_names(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = {
        "ladder": {**DEMO_LADDER.to_dict(), "downgrade": "one_step"},
        "enrolment": {"rules": [{"kind": "single_purchase", "threshold": 20_000}]},
    }
    monkeypatch.setenv(RULES_ENV, json.dumps(rules))
    settings = LoyaltySettings.from_env()
    assert settings.ladder.downgrade is DowngradePolicy.ONE_STEP
    assert [r.kind for r in settings.enrolment.rules] == [EnrolmentKind.SINGLE_PURCHASE]
    assert settings.referrals == LoyaltySettings().referrals


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[]",
        '{"coupons": {}}',
        '{"enrolment": {"rules": [{"kind": "lottery"}]}}',
        '{"enrolment": {"rules": [{"kind": "single_purchase", "threshold": 300.0}]}}',
        '{"referrals": {"rules": [{"rule_id": "r", "trigger": "first_top_up"}]}}',
        '{"referrals": {"rules": [{"trigger": "first_top_up", "reward_points": 1}]}}',
        '{"enrolment": {"rules": [{"kind": "referral", "referrer_tiers": ["platinum"]}]}}',
    ],
)
def test_invalid_rules_are_refused_naming_the_problem(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(RULES_ENV, raw)
    with pytest.raises(InvalidConfig):
        LoyaltySettings.from_env()


def test_a_reward_key_must_fit_the_ledgers_document_column() -> None:
    long_id = ReferralRule("r" * 19, ReferralTrigger.FIRST_TOP_UP, reward_points=1)
    with pytest.raises(InvalidConfig, match="1-18 characters"):
        LoyaltySettings(referrals=ReferralPolicy((long_id,)))
    twice = ReferralRule("same", ReferralTrigger.FIRST_TOP_UP, reward_points=1)
    with pytest.raises(InvalidConfig, match="unique"):
        LoyaltySettings(referrals=ReferralPolicy((twice, twice)))
