"""Properties over random baskets and promotion books: never negative, never more than the
basket, exact allocation, and the same price whatever the line order."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from retail.promotions import PricedBasket, PricingLine, Promotion, Usage, from_dict, price_basket
from tests.unit.retail.promotions.promo_builders import context, member

PRODUCTS = ["A", "B", "C", "D", "E"]
CATEGORY = {"A": "c1", "B": "c1", "C": "c2", "D": "c2", "E": None}


@st.composite
def basket_lines(draw: st.DrawFn) -> list[PricingLine]:
    count = draw(st.integers(1, 8))
    lines = []
    for no in range(1, count + 1):
        product = draw(st.sampled_from(PRODUCTS))
        weighed = product == "E" and draw(st.booleans())
        price = draw(st.integers(0, 30_000))
        lines.append(
            PricingLine(
                line_no=no * 10,
                product_id=product,
                qty=draw(st.integers(1, 2_000)) if weighed else draw(st.integers(1, 5)),
                unit_price=price,
                category_id=CATEGORY[product],
                brand_id="acme" if product in "AC" else None,
                member_price=draw(st.none() | st.integers(0, price)),
                weighed=weighed,
            )
        )
    return lines


TARGETS: list[dict[str, Any]] = [
    {"product_ids": ["A"]},
    {"product_ids": ["A", "B", "E"]},
    {"category_ids": ["c1"]},
    {"category_ids": ["c2"]},
    {"brand_ids": ["acme"]},
    {"all": True},
    {"all": True, "exclude_product_ids": ["D"]},
]


@st.composite
def rules(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    kind = draw(
        st.sampled_from(
            [
                "item_discount",
                "member_price",
                "tier_discount",
                "buy_n_get_m",
                "mix_match",
                "bundle",
                "spend_threshold_discount",
                "spend_threshold_gift",
                "points_multiplier",
            ]
        )
    )
    amount = st.integers(1, 40_000)
    percent = st.integers(1, 100) | st.sampled_from(["12.5", "33.33", "0.01"])
    rule: dict[str, Any]
    if kind == "item_discount":
        mode = draw(st.sampled_from(["percent", "amount", "fixed_price"]))
        rule = {"mode": mode}
        if mode == "percent":
            rule["percent"] = draw(percent)
        elif mode == "amount":
            rule["amount"] = draw(amount)
        else:
            rule["price"] = draw(st.integers(0, 30_000))
    elif kind == "tier_discount":
        rule = {"percent_by_tier": {"gold": draw(percent)}}
    elif kind == "buy_n_get_m":
        rule = {
            "buy": draw(st.integers(1, 3)),
            "get": draw(st.integers(1, 2)),
            "free_item": draw(st.sampled_from(["cheapest", "same_item"])),
            "percent_off": draw(percent),
        }
    elif kind == "mix_match":
        rule = {"qty": draw(st.integers(2, 4)), "price": draw(st.integers(0, 50_000))}
    elif kind == "bundle":
        rule = {
            "components": [
                {"product_id": "A", "qty": draw(st.integers(1, 2))},
                {"product_id": "C", "qty": 1},
            ],
            "price": draw(st.integers(0, 50_000)),
        }
    elif kind == "spend_threshold_discount":
        rule = {
            "threshold": draw(st.integers(1, 100_000)),
            "save": draw(amount),
            "repeat": draw(st.booleans()),
        }
    elif kind == "spend_threshold_gift":
        rule = {
            "threshold": draw(st.integers(1, 100_000)),
            "gift_product_id": "GIFT",
            "gift_value": draw(amount),
        }
    elif kind == "points_multiplier":
        rule = {"multiplier": draw(st.sampled_from([2, 3, "1.5"]))}
    else:
        rule = {}
    return kind, rule


@st.composite
def promotion_books(draw: st.DrawFn) -> list[Promotion]:
    books = []
    for i in range(draw(st.integers(0, 8))):
        kind, rule = draw(rules())
        data: dict[str, Any] = {
            "id": f"P{i}",
            "name": f"Promo {i}",
            "kind": kind,
            "rule": rule,
            "stacking": draw(st.sampled_from(["exclusive", "stackable"])),
            "priority": draw(st.integers(0, 3)),
        }
        if kind != "bundle":
            data["target"] = draw(st.sampled_from(TARGETS))
        if draw(st.booleans()):
            data["limits"] = {"basket": draw(st.integers(1, 4))}
        books.append(from_dict(data))
    return books


def _check_arithmetic(priced: PricedBasket) -> None:
    assert priced.total >= 0
    assert 0 <= priced.total_saving <= priced.regular_total
    assert priced.total == sum(p.amount for p in priced.lines)
    by_promotion: dict[str, int] = {}
    for priced_line in priced.lines:
        assert 0 <= priced_line.amount <= priced_line.regular_amount
        assert priced_line.amount == priced_line.regular_amount - sum(
            s.amount for s in priced_line.savings
        )
        for saving in priced_line.savings:
            assert saving.amount > 0
            by_promotion[saving.promotion_id] = (
                by_promotion.get(saving.promotion_id, 0) + saving.amount
            )
    assert by_promotion == {a.promotion_id: a.saving for a in priced.applied if a.saving}


@settings(max_examples=300, deadline=None)
@given(lines=basket_lines(), promotions=promotion_books(), with_member=st.booleans())
def test_total_is_never_negative_and_savings_add_up_exactly(
    lines: list[PricingLine], promotions: list[Promotion], with_member: bool
) -> None:
    ctx = context(member=member("gold") if with_member else None)
    _check_arithmetic(price_basket(lines, ctx, promotions))


@settings(max_examples=200, deadline=None)
@given(lines=basket_lines(), promotions=promotion_books(), data=st.data())
def test_same_basket_in_any_line_order_prices_the_same(
    lines: list[PricingLine], promotions: list[Promotion], data: st.DataObject
) -> None:
    ctx = context(member=member("gold"))
    shuffled = data.draw(st.permutations(lines))
    reordered_book = data.draw(st.permutations(promotions))
    first = price_basket(lines, ctx, promotions)
    second = price_basket(shuffled, ctx, reordered_book)
    assert {p.line_no: p for p in first.lines} == {p.line_no: p for p in second.lines}
    assert (first.total, first.applied, first.gifts) == (second.total, second.applied, second.gifts)


@settings(max_examples=100, deadline=None)
@given(lines=basket_lines(), promotions=promotion_books())
def test_pricing_is_deterministic_and_does_not_depend_on_usage_it_is_not_limited_by(
    lines: list[PricingLine], promotions: list[Promotion]
) -> None:
    ctx = context(member=member("gold"))
    assert price_basket(lines, ctx, promotions) == price_basket(lines, ctx, promotions)
    unrelated = context(member=member("gold"), usage=Usage(chain={"OTHER": 5}))
    assert price_basket(lines, unrelated, promotions) == price_basket(lines, ctx, promotions)


@settings(max_examples=100, deadline=None)
@given(lines=basket_lines(), promotions=promotion_books(), data=st.data())
def test_renumbered_lines_in_another_order_price_the_same(
    lines: list[PricingLine], promotions: list[Promotion], data: st.DataObject
) -> None:
    ctx = context(member=member("gold"))
    shuffled = data.draw(st.permutations(lines))
    renumbered = [replace(line, line_no=i) for i, line in enumerate(shuffled, start=1)]
    first = price_basket(lines, ctx, promotions)
    second = price_basket(renumbered, ctx, promotions)
    assert (first.total, first.applied, first.gifts) == (second.total, second.applied, second.gifts)

    def content(priced: PricedBasket) -> list[tuple[str, int, int]]:
        return sorted((p.product_id, p.qty, p.amount) for p in priced.lines)

    assert content(first) == content(second)


def _value(priced: PricedBasket) -> int:
    return priced.total_saving + sum(g.value for g in priced.gifts)


def _pinned(lines: list[tuple[str, int, int | None]], books: list[dict[str, Any]]) -> Any:
    """A falsifying example hypothesis once found, replayed on every run: one unit per
    line given as (product, unit price, member price); promotions numbered P0, P1, ..."""
    return example(
        lines=[
            PricingLine(
                line_no=10 * no,
                product_id=product,
                qty=1,
                unit_price=price,
                category_id=CATEGORY[product],
                brand_id="acme" if product in "AC" else None,
                member_price=member_price,
            )
            for no, (product, price, member_price) in enumerate(lines, start=1)
        ],
        promotions=[
            from_dict({"id": f"P{i}", "name": f"Promo {i}", **data}) for i, data in enumerate(books)
        ],
    )


def _member_price(target: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "member_price", "rule": {}, "target": target, "stacking": "exclusive"}


# The exclusive member price on C (saves 75) pushed the stackable 2 % off, limited to
# one unit, from C onto A (25 -> 24), below the stackable gift's threshold of 25: the
# search kept 75 + 1 = 76, the stackables alone give 2 + a gift worth 75 = 77.
EXCLUSIVE_ITEM_PUSHES_THE_STACK_BELOW_A_THRESHOLD = _pinned(
    [("A", 25, None), ("C", 75, 0)],
    [
        {
            "kind": "item_discount",
            "rule": {"mode": "percent", "percent": 2},
            "target": {"brand_ids": ["acme"]},
            "stacking": "stackable",
            "limits": {"basket": 1},
        },
        _member_price({"product_ids": ["A"]}),
        _member_price({"product_ids": ["A"]}),
        _member_price({"product_ids": ["A"]}),
        _member_price({"category_ids": ["c2"]}),
        {
            "kind": "spend_threshold_gift",
            "rule": {"threshold": 25, "gift_product_id": "GIFT", "gift_value": 75},
            "target": {"product_ids": ["A"]},
            "stacking": "stackable",
        },
    ],
)


@settings(max_examples=300, deadline=None)
@given(lines=basket_lines(), promotions=promotion_books())
@EXCLUSIVE_ITEM_PUSHES_THE_STACK_BELOW_A_THRESHOLD
def test_customer_never_gets_less_than_any_exclusive_alone_or_the_stack_alone(
    lines: list[PricingLine], promotions: list[Promotion]
) -> None:
    # Stackable promotions always apply together (a threshold counts the price they
    # leave), so the alternatives the engine chooses between are the exclusives.
    ctx = context(member=member("gold"))
    combined = _value(price_basket(lines, ctx, promotions))
    stack = [p for p in promotions if not p.exclusive]
    assert combined >= _value(price_basket(lines, ctx, stack))
    for promotion in promotions:
        if promotion.exclusive:
            assert combined >= _value(price_basket(lines, ctx, [promotion])), promotion.id
