from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.errors import InvalidAmount, InvalidConfig
from loyalty.points import PointsEntryKind, reverse_for_return
from loyalty.points_earn import (
    Campaign,
    EarnLine,
    EarnRules,
    RedemptionRate,
    earn_points,
)
from loyalty.points_expiry import ExpiryKind, ExpiryPolicy

DAY = date(2026, 11, 26)
RULES = EarnRules(
    points_per_yuan=Fraction(1),
    excluded_categories=frozenset({"tobacco", "gift_card"}),
    campaigns=(
        Campaign("double-nov", date(2026, 11, 20), date(2026, 11, 30), Fraction(2)),
        Campaign(
            "dairy-x3", date(2026, 11, 26), date(2026, 11, 26), Fraction(3), frozenset({"dairy"})
        ),
    ),
    pending_days=7,
    expiry=ExpiryPolicy(ExpiryKind.END_OF_YEAR, 1),
)


def _earn(
    lines: list[EarnLine], on: date = DAY, tier: Fraction = Fraction(1), rules: EarnRules = RULES
) -> int:
    return earn_points(
        rules, lines, tier_multiplier=tier, on=on, account_id="acc", lot_id="lot", ref="sale"
    ).points


@pytest.mark.parametrize(
    ("lines", "on", "tier", "points"),
    [
        ([EarnLine("a", "grocery", 12_345)], date(2026, 11, 1), Fraction(1), 123),
        ([EarnLine("a", "grocery", 12_345)], DAY, Fraction(1), 246),  # campaign ×2
        ([EarnLine("a", "dairy", 1_000)], DAY, Fraction(1), 30),  # best campaign wins, ×3
        ([EarnLine("a", "tobacco", 50_000)], DAY, Fraction(1), 0),  # excluded
        ([EarnLine("a", "grocery", 10_000)], date(2026, 11, 1), Fraction(3, 2), 150),  # gold
        # fractions of a point on each line add up before the single floor
        (
            [EarnLine("a", "grocery", 150), EarnLine("b", "grocery", 150)],
            date(2026, 11, 1),
            Fraction(1),
            3,
        ),
    ],
)
def test_points_earned_by_tier_campaign_and_exclusions(
    lines: list[EarnLine], on: date, tier: Fraction, points: int
) -> None:
    assert _earn(lines, on, tier) == points


def test_earned_lot_is_pending_for_the_return_window_and_expires_by_policy() -> None:
    result = earn_points(
        RULES,
        [EarnLine("a", "grocery", 10_000)],
        tier_multiplier=Fraction(1),
        on=DAY,
        account_id="acc",
        lot_id="lot-1",
        ref="sale-1",
        store_id="S001",
    )
    lot, entry = result.lot, result.entry
    assert lot is not None and entry is not None
    assert lot.available_on == DAY + timedelta(days=7)
    assert lot.is_pending(DAY) and not lot.is_available(DAY)
    assert lot.is_available(DAY + timedelta(days=7))
    assert lot.valid_until == date(2027, 12, 31)
    assert (entry.kind, entry.points, entry.lot_id, entry.store_id) == (
        PointsEntryKind.EARN,
        200,
        "lot-1",
        "S001",
    )


def test_sale_that_earns_nothing_creates_no_lot() -> None:
    result = earn_points(
        RULES,
        [EarnLine("a", "tobacco", 10_000)],
        tier_multiplier=Fraction(1),
        on=DAY,
        account_id="acc",
        lot_id="lot",
        ref="sale",
    )
    assert (result.points, result.lot, result.entry) == (0, None, None)


def test_negative_line_cannot_earn() -> None:
    with pytest.raises(InvalidAmount):
        _earn([EarnLine("a", "grocery", -100)])


@given(
    st.lists(
        st.tuples(st.sampled_from(["grocery", "dairy", "tobacco"]), st.integers(0, 1_000_000)),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([Fraction(1), Fraction(3, 2), Fraction(2)]),
)
def test_line_shares_sum_to_the_lot_and_a_full_return_reverses_it_all(
    raw: list[tuple[str, int]], tier: Fraction
) -> None:
    lines = [EarnLine(f"l{i}", category, amount) for i, (category, amount) in enumerate(raw)]
    result = earn_points(
        RULES, lines, tier_multiplier=tier, on=DAY, account_id="acc", lot_id="lot", ref="sale"
    )
    if result.lot is None:
        assert result.points == 0
        return
    assert sum(line.points for line in result.lot.lines) == result.points
    everything = {line.line_id: line.amount for line in lines}
    reversal = reverse_for_return([result.lot], "lot", everything, DAY, "return")
    assert reversal.points == result.points
    assert reversal.unrecovered == 0


@pytest.mark.parametrize(
    ("rate", "amount", "points"),
    [
        (RedemptionRate(100, 100), 500, 500),
        (RedemptionRate(200, 100), 300, 600),
        (RedemptionRate(100, 1), 7, 700),
    ],
)
def test_points_pay_a_tender_at_the_configured_rate(
    rate: RedemptionRate, amount: int, points: int
) -> None:
    assert rate.points_for(amount) == points


def test_points_tender_must_be_whole_steps() -> None:
    with pytest.raises(InvalidAmount):
        RedemptionRate(100, 100).points_for(150)


@pytest.mark.parametrize(
    ("available", "due", "payable"),
    [(1_050, 5_000, 1_000), (99, 5_000, 0), (100_000, 1_234, 1_200), (500, -1, 0)],
)
def test_max_payable_is_limited_by_points_and_amount_due(
    available: int, due: int, payable: int
) -> None:
    assert RedemptionRate(100, 100).max_payable(available, due) == payable


def test_earn_rules_round_trip_and_refuse_bad_values() -> None:
    assert EarnRules.from_dict(RULES.to_dict()) == RULES
    with pytest.raises(InvalidConfig):
        Campaign("bad", DAY, DAY - timedelta(days=1), Fraction(2))
    with pytest.raises(InvalidConfig):
        RedemptionRate(0, 100)
