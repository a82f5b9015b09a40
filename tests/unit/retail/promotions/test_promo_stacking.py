"""Stacking: exclusive promotions apply alone, stackables combine in priority order, and
among alternatives the customer gets the best outcome, deterministically."""

from __future__ import annotations

from typing import Any

from retail.promotions import PricedBasket, Promotion, price_basket
from tests.unit.retail.promotions.promo_builders import (
    EVERYTHING,
    context,
    line,
    member,
    products,
    promo,
)


def pct(promo_id: str, percent: int, *ids: str, **extra: Any) -> Promotion:
    return promo(
        promo_id, "item_discount", {"mode": "percent", "percent": percent}, products(*ids), **extra
    )


def off(promo_id: str, amount: int, *ids: str, **extra: Any) -> Promotion:
    return promo(
        promo_id, "item_discount", {"mode": "amount", "amount": amount}, products(*ids), **extra
    )


def applied_ids(priced: PricedBasket) -> list[str]:
    return [a.promotion_id for a in priced.applied]


def test_best_exclusive_wins_whatever_its_priority() -> None:
    small = pct("SMALL", 10, "A", priority=9)
    big = pct("BIG", 30, "A", priority=1)
    priced = price_basket([line(1, "A", 1, 1000)], context(), [small, big])
    assert (priced.total, applied_ids(priced)) == (700, ["BIG"])


def test_stackable_promotions_combine_on_the_price_left_by_the_previous_one() -> None:
    first = pct("TEN", 10, "A", stacking="stackable", priority=5)
    then = off("ONE", 100, "A", stacking="stackable", priority=1)
    priced = price_basket([line(1, "A", 1, 1000)], context(), [then, first])
    assert priced.total == 800
    assert [(s.promotion_id, s.amount) for s in priced.lines[0].savings] == [
        ("TEN", 100),
        ("ONE", 100),
    ]


def test_higher_priority_stackable_applies_first() -> None:
    amount_first = off("ONE", 100, "A", stacking="stackable", priority=5)
    percent_after = pct("TEN", 10, "A", stacking="stackable", priority=1)
    priced = price_basket([line(1, "A", 1, 1000)], context(), [amount_first, percent_after])
    assert priced.total == 810  # 10 % of 900, not of 1000


def test_exclusive_beats_a_weaker_stack_and_loses_to_a_stronger_one() -> None:
    stack = [pct("S1", 10, "A", stacking="stackable"), off("S2", 100, "A", stacking="stackable")]
    weak = pct("X15", 15, "A")
    strong = pct("X25", 25, "A")
    assert applied_ids(price_basket([line(1, "A", 1, 1000)], context(), [*stack, weak])) == [
        "S1",
        "S2",
    ]
    assert applied_ids(price_basket([line(1, "A", 1, 1000)], context(), [*stack, strong])) == [
        "X25"
    ]


def test_exclusive_takes_only_the_units_it_uses() -> None:
    bogo = promo(
        "BOGO", "buy_n_get_m", {"buy": 1, "get": 1, "free_item": "same_item"}, products("A")
    )
    twenty = pct("TWENTY", 20, "A")
    priced = price_basket([line(1, "A", 3, 1000)], context(), [bogo, twenty])
    # One pair free-for-one (saves 1000); the third unit still gets 20 % (saves 200).
    assert priced.total == 1800
    assert {(a.promotion_id, a.times) for a in priced.applied} == {("BOGO", 1), ("TWENTY", 1)}


def test_engine_finds_a_better_pair_than_the_single_biggest_promotion() -> None:
    both = promo(
        "BOTH",
        "bundle",
        {
            "components": [{"product_id": "A", "qty": 1}, {"product_id": "B", "qty": 1}],
            "price": 1000,
        },
    )
    only_a = off("ONLY-A", 700, "A")
    only_b = off("ONLY-B", 700, "B")
    lines = [line(1, "A", 1, 1000), line(2, "B", 1, 1000)]
    priced = price_basket(lines, context(), [both, only_a, only_b])
    assert priced.total == 600
    assert applied_ids(priced) == ["ONLY-A", "ONLY-B"]


def test_equal_savings_go_to_the_higher_priority_then_the_smaller_id() -> None:
    lines = [line(1, "A", 1, 1000)]
    by_priority = price_basket(lines, context(), [pct("Z", 10, "A", priority=2), pct("Y", 10, "A")])
    by_id = price_basket(lines, context(), [pct("Z", 10, "A"), pct("Y", 10, "A")])
    assert applied_ids(by_priority) == ["Z"]
    assert applied_ids(by_id) == ["Y"]


def test_stackable_threshold_counts_the_price_after_item_promotions() -> None:
    item = pct("TEN", 10, "A", stacking="stackable")
    spend = promo(
        "SPEND",
        "spend_threshold_discount",
        {"threshold": 30000, "save": 5000},
        stacking="stackable",
    )
    assert price_basket([line(1, "A", 3, 10000)], context(), [item, spend]).total == 27000
    assert price_basket([line(1, "A", 4, 10000)], context(), [item, spend]).total == 31000


def test_exclusive_threshold_counts_only_goods_without_other_promotions() -> None:
    item = pct("TEN", 10, "A")
    spend = promo("SPEND", "spend_threshold_discount", {"threshold": 20000, "save": 5000})
    lines = [line(1, "A", 2, 10000), line(2, "B", 2, 15000)]
    priced = price_basket(lines, context(), [item, spend])
    assert priced.total == 18000 + 25000  # TEN on A, SPEND counts B only
    assert [s.promotion_id for s in priced.line(1).savings] == ["TEN"]
    assert [s.promotion_id for s in priced.line(2).savings] == ["SPEND"]


def test_exclusive_threshold_wins_over_item_discounts_when_that_saves_more() -> None:
    item = pct("TEN", 10, "A")
    spend = promo("SPEND", "spend_threshold_discount", {"threshold": 20000, "save": 5000})
    lines = [line(1, "A", 2, 10000), line(2, "B", 1, 15000)]
    priced = price_basket(lines, context(), [item, spend])
    # TEN (2000) would leave B alone below the threshold; SPEND on everything saves 5000.
    assert (priced.total, applied_ids(priced)) == (30000, ["SPEND"])


def test_better_of_two_exclusive_order_promotions_applies() -> None:
    save = promo("SAVE", "spend_threshold_discount", {"threshold": 20000, "save": 1000})
    gift = promo(
        "GIFT",
        "spend_threshold_gift",
        {"threshold": 20000, "gift_product_id": "TOWEL", "gift_value": 1500},
    )
    priced = price_basket([line(1, "A", 2, 10000)], context(), [save, gift])
    assert (priced.total, [g.product_id for g in priced.gifts]) == (20000, ["TOWEL"])


def test_exclusive_order_promotion_is_not_added_to_a_stackable_one() -> None:
    stack = promo(
        "STACK",
        "spend_threshold_discount",
        {"threshold": 10000, "save": 1000},
        stacking="stackable",
    )
    alone = promo("ALONE", "spend_threshold_discount", {"threshold": 10000, "save": 1500})
    priced = price_basket([line(1, "A", 1, 10000)], context(), [stack, alone])
    assert applied_ids(priced) == ["ALONE"]


def test_item_and_order_phases_both_apply_when_stackable() -> None:
    tier = promo(
        "TIER", "tier_discount", {"percent_by_tier": {"gold": 5}}, EVERYTHING, stacking="stackable"
    )
    spend = promo(
        "SPEND",
        "spend_threshold_discount",
        {"threshold": 10000, "save": 500, "repeat": True},
        stacking="stackable",
    )
    priced = price_basket([line(1, "A", 3, 10000)], context(member=member("gold")), [tier, spend])
    assert priced.total == 28500 - 1000


def test_exclusive_item_discount_gives_way_to_a_bigger_stackable_threshold() -> None:
    item = off("ONE", 100, "A")  # exclusive: its units carry nothing else
    spend = promo(
        "SPEND", "spend_threshold_discount", {"threshold": 3000, "save": 1000}, stacking="stackable"
    )
    priced = price_basket([line(1, "A", 3, 1000)], context(), [item, spend])
    assert (priced.total, applied_ids(priced)) == (2000, ["SPEND"])


def test_exclusive_item_discount_is_kept_when_the_threshold_saves_less() -> None:
    item = off("TWO", 200, "A")
    spend = promo(
        "SPEND", "spend_threshold_discount", {"threshold": 3000, "save": 500}, stacking="stackable"
    )
    priced = price_basket([line(1, "A", 3, 1000)], context(), [item, spend])
    assert (priced.total, applied_ids(priced)) == (2400, ["TWO"])


def test_stackable_group_promotion_counts_whole_when_an_exclusive_would_break_it() -> None:
    # The exclusive 1-yuan-off takes one unit of each pair the stackable B1G1 needs:
    # losing the pair (1000) is worse than what the exclusive saves (100 each).
    bogo = promo(
        "BOGO",
        "buy_n_get_m",
        {"buy": 1, "get": 1, "free_item": "same_item"},
        products("A"),
        stacking="stackable",
    )
    item = off("ONE", 100, "A", limits={"basket": 1})
    priced = price_basket([line(1, "A", 2, 1000)], context(), [bogo, item])
    assert (priced.total, applied_ids(priced)) == (1000, ["BOGO"])


def test_stack_alone_wins_when_an_exclusive_pushes_it_below_a_threshold() -> None:
    # Found by the property test: the exclusive member price on C (saves 75) pushes the
    # stackable 2 % off (one unit per basket) from C onto A (25 -> 24), below the
    # stackable gift's threshold of 25. Member price + 2 % on A is worth 75 + 1 = 76;
    # the stackables alone, 2 % on C + a gift worth 75 = 77, and the customer gets that.
    two_pct = promo(
        "TWO",
        "item_discount",
        {"mode": "percent", "percent": 2},
        {"brand_ids": ["acme"]},
        stacking="stackable",
        limits={"basket": 1},
    )
    member_c = promo("MEMBER-C", "member_price", {}, {"category_ids": ["c2"]})
    gift = promo(
        "GIFT-A",
        "spend_threshold_gift",
        {"threshold": 25, "gift_product_id": "GIFT", "gift_value": 75},
        products("A"),
        stacking="stackable",
    )
    lines = [
        line(10, "A", 1, 25, category="c1"),
        line(20, "C", 1, 75, category="c2", member_price=0),
    ]
    for book in ([two_pct, member_c, gift], [gift, member_c, two_pct]):
        priced = price_basket(lines, context(member=member("gold")), book)
        assert (priced.total, applied_ids(priced)) == (98, ["GIFT-A", "TWO"])
        assert [(g.product_id, g.qty, g.value) for g in priced.gifts] == [("GIFT", 1, 75)]
        assert [s.amount for s in priced.lines[1].savings] == [2]
