"""Each promotion kind prices a basket as a cashier would expect."""

from __future__ import annotations

from typing import Any

import pytest

from retail.promotions import PricingLine, price_basket
from tests.unit.retail.promotions.promo_builders import (
    EVERYTHING,
    context,
    line,
    member,
    products,
    promo,
)


def _case(
    name: str,
    lines: list[PricingLine],
    kind: str,
    rule: dict[str, Any],
    target: dict[str, Any] | None,
    total: int,
    savings_by_line: dict[int, int],
    *,
    with_member: bool = False,
) -> Any:
    return pytest.param(lines, kind, rule, target, total, savings_by_line, with_member, id=name)


CASES = [
    _case(
        "percent off each unit",
        [line(1, "A", 2, 1999)],
        "item_discount",
        {"mode": "percent", "percent": 20},
        products("A"),
        3198,
        {1: 800},
    ),
    _case(
        "decimal percent rounds half up per unit",
        [line(1, "A", 1, 999)],
        "item_discount",
        {"mode": "percent", "percent": "12.5"},
        products("A"),
        874,
        {1: 125},
    ),
    _case(
        "amount off never below zero",
        [line(1, "A", 3, 300)],
        "item_discount",
        {"mode": "amount", "amount": 500},
        products("A"),
        0,
        {1: 900},
    ),
    _case(
        "fixed price for every unit",
        [line(1, "A", 2, 1500)],
        "item_discount",
        {"mode": "fixed_price", "price": 990},
        products("A"),
        1980,
        {1: 1020},
    ),
    _case(
        "fixed price above the regular price saves nothing",
        [line(1, "A", 1, 500)],
        "item_discount",
        {"mode": "fixed_price", "price": 990},
        products("A"),
        500,
        {},
    ),
    _case(
        "fixed price per kg on a weighed line",
        [line(1, "APPLE", 1500, 1200, weighed=True)],
        "item_discount",
        {"mode": "fixed_price", "price": 800},
        products("APPLE"),
        1200,
        {1: 600},
    ),
    _case(
        "category target reaches every product in it",
        [line(1, "A", 1, 1000, category="snacks"), line(2, "B", 1, 1000, category="drinks")],
        "item_discount",
        {"mode": "percent", "percent": 10},
        {"category_ids": ["snacks"]},
        1900,
        {1: 100},
    ),
    _case(
        "brand target with an excluded product",
        [line(1, "A", 1, 1000, brand="x"), line(2, "B", 1, 1000, brand="x")],
        "item_discount",
        {"mode": "amount", "amount": 100},
        {"brand_ids": ["x"], "exclude_product_ids": ["B"]},
        1900,
        {1: 100},
    ),
    _case(
        "member price for a member",
        [line(1, "A", 2, 1000, member_price=850)],
        "member_price",
        {},
        None,
        1700,
        {1: 300},
        with_member=True,
    ),
    _case(
        "member price needs a member",
        [line(1, "A", 2, 1000, member_price=850)],
        "member_price",
        {},
        None,
        2000,
        {},
    ),
    _case(
        "tier discount by the member's tier",
        [line(1, "A", 1, 1000)],
        "tier_discount",
        {"percent_by_tier": {"gold": 15, "silver": 5}},
        EVERYTHING,
        850,
        {1: 150},
        with_member=True,
    ),
    _case(
        "buy 2 get 1 on the same item spreads the free unit over the group",
        [line(1, "A", 3, 2000)],
        "buy_n_get_m",
        {"buy": 2, "get": 1, "free_item": "same_item"},
        products("A"),
        4000,
        {1: 2000},
    ),
    _case(
        "buy 2 get 1 cheapest free across products",
        [line(1, "A", 1, 3000), line(2, "B", 1, 2000), line(3, "C", 1, 1000)],
        "buy_n_get_m",
        {"buy": 2, "get": 1},
        products("A", "B", "C"),
        5000,
        {1: 500, 2: 333, 3: 167},
    ),
    _case(
        "buy 1 get 1 at half price (second unit 50 % off)",
        [line(1, "A", 2, 1000)],
        "buy_n_get_m",
        {"buy": 1, "get": 1, "percent_off": 50},
        products("A"),
        1500,
        {1: 500},
    ),
    _case(
        "buy 2 get 1 repeats for every full group",
        [line(1, "A", 7, 1000)],
        "buy_n_get_m",
        {"buy": 2, "get": 1, "free_item": "same_item"},
        products("A"),
        5000,
        {1: 2000},
    ),
    _case(
        "buy N get M skips an incomplete group",
        [line(1, "A", 2, 1000)],
        "buy_n_get_m",
        {"buy": 2, "get": 1},
        products("A"),
        2000,
        {},
    ),
    _case(
        "same-item buy N get M does not mix products",
        [line(1, "A", 2, 1000), line(2, "B", 1, 1000)],
        "buy_n_get_m",
        {"buy": 2, "get": 1, "free_item": "same_item"},
        products("A", "B"),
        3000,
        {},
    ),
    _case(
        "mix and match: any 3 for 20 yuan",
        [line(1, "A", 2, 1000), line(2, "B", 2, 800)],
        "mix_match",
        {"qty": 3, "price": 2000},
        products("A", "B"),
        2800,
        {1: 572, 2: 228},
    ),
    _case(
        "bundle price for complete sets only",
        [line(1, "BURGER", 2, 2000), line(2, "COLA", 1, 800)],
        "bundle",
        {
            "components": [{"product_id": "BURGER", "qty": 1}, {"product_id": "COLA", "qty": 1}],
            "price": 2300,
        },
        None,
        4300,
        {1: 357, 2: 143},
    ),
    _case(
        "spend 300 save 50, once",
        [line(1, "A", 7, 5000)],
        "spend_threshold_discount",
        {"threshold": 30000, "save": 5000},
        None,
        30000,
        {1: 5000},
    ),
    _case(
        "spend 300 save 50, repeating",
        [line(1, "A", 13, 5000)],
        "spend_threshold_discount",
        {"threshold": 30000, "save": 5000, "repeat": True},
        None,
        55000,
        {1: 10000},
    ),
    _case(
        "spend threshold repeats up to the cap",
        [line(1, "A", 20, 5000)],
        "spend_threshold_discount",
        {"threshold": 30000, "save": 5000, "repeat": True, "max_repeats": 2},
        None,
        90000,
        {1: 10000},
    ),
    _case(
        "below the threshold nothing happens",
        [line(1, "A", 1, 29999)],
        "spend_threshold_discount",
        {"threshold": 30000, "save": 5000},
        None,
        29999,
        {},
    ),
    _case(
        "threshold counts only target goods",
        [line(1, "A", 1, 20000, category="wine"), line(2, "B", 1, 20000, category="food")],
        "spend_threshold_discount",
        {"threshold": 30000, "save": 5000},
        {"category_ids": ["wine"]},
        40000,
        {},
    ),
]


@pytest.mark.parametrize(
    ("lines", "kind", "rule", "target", "total", "savings_by_line", "with_member"), CASES
)
def test_promotion_kind_prices_basket(
    lines: list[PricingLine],
    kind: str,
    rule: dict[str, Any],
    target: dict[str, Any] | None,
    total: int,
    savings_by_line: dict[int, int],
    with_member: bool,
) -> None:
    promotion = promo("P1", kind, rule, target)
    ctx = context(member=member() if with_member else None)
    priced = price_basket(lines, ctx, [promotion])
    assert priced.total == total
    assert {p.line_no: p.saving for p in priced.lines if p.saving} == savings_by_line
    assert priced.total_saving == sum(savings_by_line.values())


def test_spend_threshold_gift_adds_a_free_item_without_changing_prices() -> None:
    gift = promo(
        "G1",
        "spend_threshold_gift",
        {"threshold": 20000, "gift_product_id": "TOWEL", "gift_value": 1500},
    )
    priced = price_basket([line(1, "A", 5, 5000)], context(), [gift])
    assert priced.total == 25000
    assert [(g.product_id, g.qty, g.promotion_id, g.value) for g in priced.gifts] == [
        ("TOWEL", 1, "G1", 1500)
    ]
    assert [(a.promotion_id, a.times, a.saving) for a in priced.applied] == [("G1", 1, 0)]


def test_repeating_gift_adds_one_gift_per_threshold_step() -> None:
    gift = promo(
        "G1",
        "spend_threshold_gift",
        {
            "threshold": 10000,
            "gift_product_id": "TOWEL",
            "gift_qty": 2,
            "gift_value": 500,
            "repeat": True,
        },
    )
    priced = price_basket([line(1, "A", 5, 5000)], context(), [gift])
    assert [(g.product_id, g.qty) for g in priced.gifts] == [("TOWEL", 4)]


def test_points_multiplier_marks_lines_without_changing_money() -> None:
    double = promo("X2", "points_multiplier", {"multiplier": 2}, {"category_ids": ["drinks"]})
    triple = promo("X3", "points_multiplier", {"multiplier": "3"}, products("B"))
    priced = price_basket(
        [
            line(1, "A", category="drinks"),
            line(2, "B", category="food"),
            line(3, "C", category="x"),
        ],
        context(),
        [double, triple],
    )
    assert [(p.line_no, p.points_multiplier, p.points_promotion_id) for p in priced.lines] == [
        (1, 2, "X2"),
        (2, 3, "X3"),
        (3, 1, None),
    ]
    assert priced.total_saving == 0
    assert {a.promotion_id for a in priced.applied} == {"X2", "X3"}


def test_highest_points_multiplier_wins_on_a_line() -> None:
    double = promo("X2", "points_multiplier", {"multiplier": 2}, EVERYTHING)
    onefive = promo("X15", "points_multiplier", {"multiplier": "1.5"}, EVERYTHING)
    priced = price_basket([line(1, "A")], context(), [onefive, double])
    assert priced.lines[0].points_multiplier == 2


def test_weighed_lines_never_join_quantity_kinds() -> None:
    bogo = promo("B1", "buy_n_get_m", {"buy": 1, "get": 1}, products("APPLE"))
    lines = [line(1, "APPLE", 500, 1000, weighed=True), line(2, "APPLE", 700, 1000, weighed=True)]
    assert price_basket(lines, context(), [bogo]).total_saving == 0


def test_receipt_names_each_promotion_and_amount_on_the_line() -> None:
    promotion = promo(
        "P9",
        "item_discount",
        {"mode": "amount", "amount": 100},
        products("A"),
        name="可乐立减1元 Cola 1 yuan off",
    )
    priced = price_basket([line(1, "A", 2, 300)], context(), [promotion])
    [saving] = priced.lines[0].savings
    assert (saving.promotion_id, saving.name, saving.amount) == (
        "P9",
        "可乐立减1元 Cola 1 yuan off",
        200,
    )
