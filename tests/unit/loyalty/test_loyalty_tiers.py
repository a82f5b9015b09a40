from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from loyalty.errors import InvalidConfig
from loyalty.tiers import (
    DEMO_LADDER,
    DowngradePolicy,
    SpendRecord,
    Tier,
    TierChange,
    TierLadder,
    benefits,
    months_before,
    review_at_period_end,
    rolling_spend,
    upgrade_after_sale,
)


@pytest.mark.parametrize(
    ("spend", "tier"),
    [
        (0, "normal"),
        (199_999, "normal"),
        (200_000, "silver"),
        (499_999, "silver"),
        (500_000, "gold"),
        (2_000_000, "diamond"),
        (9_999_999, "diamond"),
    ],
)
def test_demo_ladder_places_spend_on_its_rung(spend: int, tier: str) -> None:
    assert DEMO_LADDER.for_spend(spend).code == tier


def test_sale_that_crosses_a_threshold_upgrades_at_once() -> None:
    change = upgrade_after_sale(DEMO_LADDER, "normal", spend_before=190_000, sale_amount=10_000)
    assert change == TierChange("normal", "silver", "upgrade")
    assert change.is_upgrade


def test_big_sale_can_skip_rungs() -> None:
    change = upgrade_after_sale(DEMO_LADDER, "normal", 0, 600_000)
    assert change is not None and change.to_code == "gold"


def test_sale_below_next_threshold_changes_nothing() -> None:
    assert upgrade_after_sale(DEMO_LADDER, "silver", 200_000, 10_000) is None


def test_return_never_downgrades_mid_period() -> None:
    assert upgrade_after_sale(DEMO_LADDER, "gold", 500_000, -300_000) is None


@pytest.mark.parametrize(
    ("policy", "current", "rolling", "expected"),
    [
        (DowngradePolicy.TO_QUALIFYING, "diamond", 100_000, "normal"),
        (DowngradePolicy.ONE_STEP, "diamond", 100_000, "gold"),
        (DowngradePolicy.NEVER, "diamond", 100_000, None),
        (DowngradePolicy.TO_QUALIFYING, "gold", 600_000, None),
        (DowngradePolicy.ONE_STEP, "silver", 3_000_000, "diamond"),
    ],
)
def test_period_end_review_follows_the_downgrade_policy(
    policy: DowngradePolicy, current: str, rolling: int, expected: str | None
) -> None:
    ladder = replace(DEMO_LADDER, downgrade=policy)
    change = review_at_period_end(ladder, current, rolling)
    assert (change.to_code if change else None) == expected


def test_family_spend_over_twelve_rolling_months_counts_toward_the_tier() -> None:
    records = [
        SpendRecord("parent", date(2025, 11, 26), 100_000),  # just outside the window
        SpendRecord("parent", date(2025, 11, 27), 50_000),
        SpendRecord("child", date(2026, 6, 1), 80_000),
        SpendRecord("child", date(2026, 7, 1), -10_000),  # a return
        SpendRecord("stranger", date(2026, 6, 1), 999_999),
        SpendRecord("parent", date(2026, 11, 27), 70_000),  # future
    ]
    spend = rolling_spend(records, date(2026, 11, 26), ["parent", "child"])
    assert spend == 120_000


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 26), 12, date(2025, 11, 26)),
        (date(2026, 1, 15), 2, date(2025, 11, 15)),
    ],
)
def test_months_before_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected


def test_benefits_expose_discount_and_points_multiplier_to_pricing() -> None:
    gold = benefits(DEMO_LADDER, "gold")
    assert gold.discount_percent == Fraction(5)
    assert gold.points_multiplier == Fraction(3, 2)


@pytest.mark.parametrize(
    "tiers",
    [
        (),
        (Tier("a", "A", 100),),
        (Tier("a", "A", 0), Tier("b", "B", 0)),
        (Tier("a", "A", 0), Tier("a", "B", 10)),
        (Tier("a", "A", 0, discount_percent=Fraction(100)),),
    ],
)
def test_inconsistent_ladder_is_refused(tiers: tuple[Tier, ...]) -> None:
    with pytest.raises(InvalidConfig):
        TierLadder(tiers)


def test_unknown_tier_code_is_a_config_error() -> None:
    with pytest.raises(InvalidConfig):
        DEMO_LADDER.rank("platinum")


def test_ladder_round_trips_through_json_dict() -> None:
    assert TierLadder.from_dict(DEMO_LADDER.to_dict()) == DEMO_LADDER


def test_ladder_refuses_float_multipliers() -> None:
    data = DEMO_LADDER.to_dict()
    data["tiers"][1]["points_multiplier"] = 1.5
    with pytest.raises(InvalidConfig):
        TierLadder.from_dict(data)
