"""Counting promotion uses across sales: what a sale records, what the feed carries, and
the usage a till prices with."""

from __future__ import annotations

from typing import Any

import pytest

from retail.checkout import promote
from retail.promotions import AppliedPromotion, Limits, PromotionBook, Usage, price_basket
from retail.promotions.usage import (
    CountedUses,
    UsageCounts,
    add_uses,
    counted_across_sales,
    counted_across_stores,
    counted_per_member,
    limits_of,
    member_of_sale,
    usage_for_sale,
    uses_in_sale,
    uses_of,
)
from retail.sale import ItemToPrice
from tests.unit.retail.promotions.promo_builders import context, line, member, products, promo


def test_uses_of_a_priced_basket_count_times_per_promotion() -> None:
    applied = [
        AppliedPromotion("P1", "one", times=2, saving=100),
        AppliedPromotion("P2", "two", times=1, saving=50, coupon_code="C"),
        AppliedPromotion("P1", "one again", times=1, saving=10),
        AppliedPromotion("P3", "none", times=0, saving=0),
    ]
    assert uses_of(applied) == {"P1": 3, "P2": 1}


def test_the_quote_carries_the_engines_times_for_the_sale_document() -> None:
    book = PromotionBook(
        [
            promo("P-ITEM", "item_discount", {"mode": "percent", "percent": "10"}, products("A")),
            promo(
                "P-B2G1",
                "buy_n_get_m",
                {"buy": 2, "get": 1},
                products("B"),
                stacking="stackable",
            ),
        ]
    )
    items = [
        ItemToPrice(sku="A", name="A", barcode="1", unit_price=1000, tax_rate_bp=1300, qty=3),
        ItemToPrice(sku="B", name="B", barcode="2", unit_price=500, tax_rate_bp=1300, qty=6),
    ]
    quote = promote(items, context(), book, gift_lookup=lambda sku: (sku, 0))
    # Per-unit kinds count units; buy N get M counts groups.
    assert quote.uses == {"P-ITEM": 3, "P-B2G1": 2}


def test_a_limit_counted_elsewhere_caps_the_times_the_engine_applies() -> None:
    book = PromotionBook(
        [
            promo(
                "P",
                "item_discount",
                {"mode": "amount", "amount": 100},
                products("A"),
                limits={"chain": 5, "store": 4, "member": 3},
            )
        ]
    )
    lines = [line(1, "A", qty=10)]

    def times(usage: Usage) -> int:
        priced = price_basket(lines, context(member=member(), usage=usage), book)
        return uses_of(priced.applied).get("P", 0)

    assert times(Usage()) == 3
    assert times(usage_for_sale(CountedUses({"P": 3}, {}), {})) == 2
    assert times(usage_for_sale(CountedUses({"P": 0}, {"P": 0}), {"P": 3})) == 1
    assert times(usage_for_sale(CountedUses(), {}, member_counted={"P": 2})) == 1
    assert times(usage_for_sale(CountedUses(), {}, member_undelivered={"P": 3})) == 0


@pytest.mark.parametrize(
    ("body", "uses"),
    [
        ({}, {}),
        ({"promotion_uses": None}, {}),
        ({"promotion_uses": {}}, {}),
        ({"promotion_uses": {"P1": 2, "P2": 1}}, {"P1": 2, "P2": 1}),
    ],
)
def test_a_sale_body_gives_its_uses_and_older_sales_none(body: Any, uses: Any) -> None:
    assert uses_in_sale(body) == uses


@pytest.mark.parametrize(
    "raw",
    [
        ["P1"],
        "P1",
        {"P1": 0},
        {"P1": -2},
        {"P1": "2"},
        {"P1": 1.0},
        {"P1": True},
        {"": 1},
        {"P" * 65: 1},
        {1: 1},
    ],
)
def test_malformed_uses_in_a_sale_body_are_refused(raw: Any) -> None:
    with pytest.raises(ValueError, match="promotion_uses"):
        uses_in_sale({"promotion_uses": raw})


@pytest.mark.parametrize(
    ("body", "member_id"),
    [
        ({}, None),
        ({"member": None}, None),
        ({"member": {"card": "900001", "member_id": None}}, None),
        ({"member": {"member_id": 7}}, None),
        ({"member": {"member_id": "x" * 37}}, None),
        ({"member": {"card": "900001", "member_id": "M1"}}, "M1"),
    ],
)
def test_the_member_of_a_sale_is_known_only_when_identified(body: Any, member_id: Any) -> None:
    assert member_of_sale(body) == member_id


def test_add_uses_adds_promotion_by_promotion() -> None:
    total = {"P1": 1}
    add_uses(total, {"P1": 2, "P2": 5})
    assert total == {"P1": 3, "P2": 5}


def test_limits_are_read_from_the_wire_form_without_the_rest() -> None:
    assert limits_of({"limits": {"chain": 5, "store": None, "member": 1}}) == Limits(
        chain=5, member=1
    )
    assert limits_of({}) == Limits()
    assert limits_of({"limits": {"chain": True, "basket": "2"}}) == Limits()


@pytest.mark.parametrize(
    ("limits", "stores", "members", "sales"),
    [
        (Limits(), False, False, False),
        (Limits(basket=1), False, False, False),
        (Limits(chain=1), True, False, True),
        (Limits(store=1), True, False, True),
        (Limits(member=1), False, True, True),
    ],
)
def test_which_limits_count_earlier_sales(
    limits: Limits, stores: bool, members: bool, sales: bool
) -> None:
    assert counted_across_stores(limits) is stores
    assert counted_per_member(limits) is members
    assert counted_across_sales(limits) is sales


def test_usage_counts_go_down_the_feed_and_back() -> None:
    counts = UsageCounts("P1", {"S002": 4, "S001": 1})
    wire = counts.to_dict()
    assert wire == {"promotion_id": "P1", "chain": 5, "stores": {"S001": 1, "S002": 4}}
    assert list(wire["stores"]) == ["S001", "S002"]
    assert UsageCounts.from_dict(wire) == counts
    assert (counts.chain, counts.at("S001"), counts.at("S009")) == (5, 1, 0)
    assert UsageCounts.from_dict({"promotion_id": "P2"}).chain == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"stores": {}},
        {"promotion_id": "", "stores": {}},
        {"promotion_id": "P1", "stores": []},
        {"promotion_id": "P1", "stores": {"S001": -1}},
        {"promotion_id": "P1", "stores": {"S001": "1"}},
        {"promotion_id": "P1", "stores": {"S001": True}},
    ],
)
def test_malformed_usage_counts_are_refused(payload: Any) -> None:
    with pytest.raises(ValueError, match="promotion_usage"):
        UsageCounts.from_dict(payload)


def test_a_tills_usage_adds_its_undelivered_sales_to_hqs_counts() -> None:
    usage = usage_for_sale(
        CountedUses(chain={"P1": 10, "P2": 3}, store={"P1": 4}),
        {"P1": 2, "P3": 1},
        member_counted={"P1": 1},
        member_undelivered={"P1": 1, "P2": 2},
    )
    assert usage == Usage(
        chain={"P1": 12, "P2": 3, "P3": 1},
        store={"P1": 6, "P3": 1},
        member={"P1": 2, "P2": 2},
    )


def test_a_tills_usage_keeps_only_the_limited_promotions() -> None:
    usage = usage_for_sale(
        CountedUses(chain={"P1": 10, "P2": 3}, store={"P1": 4}),
        {"P2": 2, "P3": 1},
        member_counted={"P1": 1, "P3": 1},
        limited={"P1", "P3"},
    )
    assert usage == Usage(
        chain={"P1": 10, "P3": 1}, store={"P1": 4, "P3": 1}, member={"P1": 1, "P3": 1}
    )
