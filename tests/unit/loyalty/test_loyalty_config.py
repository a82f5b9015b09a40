"""Every rule configuration travels down the change feed as JSON and comes back equal."""

import json
from datetime import date
from fractions import Fraction
from typing import Any

import pytest

from loyalty.cards import (
    Card,
    CardMedium,
    CardState,
    HotListEntry,
    hot_list_entry,
    make_card_number,
)
from loyalty.config import fraction_from_json
from loyalty.enrolment import EnrolmentKind, EnrolmentPolicy, EnrolmentRule
from loyalty.errors import InvalidConfig
from loyalty.offline import OfflineLimits, OfflinePolicy, check_below_pin_threshold
from loyalty.pin import PinPolicy
from loyalty.points_earn import Campaign, EarnRules, RedemptionRate
from loyalty.points_expiry import ExpiryKind, ExpiryPolicy
from loyalty.referrals import ReferralPolicy, ReferralRule, ReferralTrigger
from loyalty.stored_value import BonusStep, SpendOrder, StoredValuePolicy
from loyalty.tiers import DEMO_LADDER, DowngradePolicy, TierLadder

CONFIGS: list[Any] = [
    EnrolmentPolicy((EnrolmentRule(EnrolmentKind.PURCHASE_WITH_FEE, 20_000, 2_000),)),
    TierLadder(DEMO_LADDER.tiers, 6, DowngradePolicy.ONE_STEP),
    EarnRules(
        Fraction(3, 2),
        frozenset({"tobacco"}),
        (Campaign("x2", date(2026, 1, 1), date(2026, 1, 7), Fraction(2)),),
        14,
        ExpiryPolicy(ExpiryKind.END_OF_MONTH, 12),
    ),
    RedemptionRate(200, 100),
    StoredValuePolicy(
        (BonusStep(100_000, 20_000),), SpendOrder.PROPORTIONAL, 400_000, 80_000, True, 1_000, 30_000
    ),
    ReferralPolicy((ReferralRule("r", ReferralTrigger.UPGRADE, reward_points=5),)),
    OfflinePolicy(OfflineLimits(1, 2, 3, 4), OfflineLimits(5, 6, 7, 8)),
    PinPolicy(4),
    ExpiryPolicy(ExpiryKind.ANNUAL_CLEARING, 1, 3, 31),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: type(c).__name__)
def test_config_round_trips_through_json(config: Any) -> None:
    wire = json.dumps(config.to_dict())
    assert type(config).from_dict(json.loads(wire)) == config


@pytest.mark.parametrize(
    ("raw", "value"), [(2, Fraction(2)), ("1.5", Fraction(3, 2)), ("3/2", Fraction(3, 2))]
)
def test_rates_are_read_exactly(raw: object, value: Fraction) -> None:
    assert fraction_from_json(raw, "rate") == value


@pytest.mark.parametrize("raw", [1.5, True, None, "abc", "1/0"])
def test_floats_and_junk_are_refused_for_rates(raw: object) -> None:
    with pytest.raises(InvalidConfig):
        fraction_from_json(raw, "rate")


def test_amounts_must_be_integers_not_floats() -> None:
    with pytest.raises(InvalidConfig):
        StoredValuePolicy.from_dict({"registered_cap": 5000.0})


def test_offline_stored_value_limit_must_stay_below_the_pin_threshold() -> None:
    check_below_pin_threshold(OfflineLimits(20_000, 50_000, 3, 1_000_000), 50_000)
    with pytest.raises(InvalidConfig):
        check_below_pin_threshold(OfflineLimits(60_000, 90_000, 3, 1_000_000), 50_000)


def test_hot_list_entry_round_trips_and_is_only_for_refused_cards() -> None:
    card = Card(
        "c1", make_card_number("8866", 1), CardMedium.IC, "acc", CardState.FROZEN, uid="04A23B1C"
    )
    entry = hot_list_entry(card)
    assert entry is not None
    assert HotListEntry.from_dict(json.loads(json.dumps(entry.to_dict()))) == entry
    assert hot_list_entry(Card("c2", "n", CardMedium.VIRTUAL, "acc", CardState.ACTIVE)) is None
