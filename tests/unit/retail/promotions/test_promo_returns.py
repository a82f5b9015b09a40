"""Returns refund exactly what was paid for the returned units, unwinding promotion savings."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retail.promotions import (
    ReturnRefused,
    ReturnRequest,
    price_basket,
    priced_from_dict,
    priced_to_dict,
    refund_lines,
)
from retail.promotions.returns import refund_line
from tests.unit.retail.promotions.promo_builders import context, line, products, promo

BUY2_GET1_SAME = promo(
    "B2G1", "buy_n_get_m", {"buy": 2, "get": 1, "free_item": "same_item"}, products("A")
)


def test_returning_one_item_of_a_buy_2_get_1_refunds_its_share_of_what_was_paid() -> None:
    sale = price_basket([line(1, "A", 3, 2000)], context(), [BUY2_GET1_SAME])
    assert sale.line(1).amount == 4000
    refund = refund_lines(sale, [ReturnRequest(1, 1)])
    [returned] = refund.lines
    assert (returned.refund, returned.regular_amount) == (1333, 2000)
    assert [(s.promotion_id, s.amount) for s in returned.unwound] == [("B2G1", 667)]


def test_partial_returns_in_steps_add_up_to_exactly_what_the_line_paid() -> None:
    sale = price_basket([line(1, "A", 3, 2000)], context(), [BUY2_GET1_SAME])
    refunds = [refund_line(sale.line(1), 1, already_returned=k).refund for k in range(3)]
    assert refunds == [1333, 1334, 1333]
    assert sum(refunds) == sale.line(1).amount


def test_returning_the_free_item_of_a_cross_product_offer_refunds_what_it_really_cost() -> None:
    cheapest_free = promo("B2G1", "buy_n_get_m", {"buy": 2, "get": 1}, products("A", "B", "C"))
    lines = [line(1, "A", 1, 3000), line(2, "B", 1, 2000), line(3, "C", 1, 1000)]
    sale = price_basket(lines, context(), [cheapest_free])
    refund = refund_lines(sale, [ReturnRequest(3, 1)])
    assert refund.total == 833  # 1000 less its 167 share of the free unit's value
    assert refund.lines[0].unwound[0].amount == 167


def test_returning_whole_lines_refunds_their_amounts_after_order_discounts() -> None:
    spend = promo("SPEND", "spend_threshold_discount", {"threshold": 10000, "save": 1000})
    lines = [line(1, "A", 1, 7000), line(2, "B", 1, 4000)]
    sale = price_basket(lines, context(), [spend])
    refund = refund_lines(sale, [ReturnRequest(2, 1), ReturnRequest(1, 1)])
    assert [r.line_no for r in refund.lines] == [1, 2]
    assert refund.total == sale.total == 10000


def test_weighed_line_can_be_returned_by_the_gram() -> None:
    half_off = promo("HALF", "item_discount", {"mode": "percent", "percent": 50}, products("FISH"))
    sale = price_basket([line(1, "FISH", 1500, 4000, weighed=True)], context(), [half_off])
    assert sale.line(1).amount == 3000
    assert refund_lines(sale, [ReturnRequest(1, 500)]).total == 1000


@pytest.mark.parametrize(
    ("requests", "already", "code"),
    [
        ([ReturnRequest(1, 4)], {}, "exceeds_sold"),
        ([ReturnRequest(1, 2), ReturnRequest(1, 2)], {}, "exceeds_sold"),
        ([ReturnRequest(1, 1)], {1: 3}, "exceeds_sold"),
        ([ReturnRequest(1, 0)], {}, "out_of_range"),
        ([ReturnRequest(9, 1)], {}, "unknown_line"),
    ],
    ids=["more-than-sold", "split-requests-add-up", "already-returned", "zero", "unknown-line"],
)
def test_impossible_return_is_refused(
    requests: list[ReturnRequest], already: dict[int, int], code: str
) -> None:
    sale = price_basket([line(1, "A", 3, 2000)], context(), [BUY2_GET1_SAME])
    with pytest.raises(ReturnRefused) as refused:
        refund_lines(sale, requests, already)
    assert refused.value.code == code


@given(
    qty=st.integers(1, 12),
    price=st.integers(1, 50_000),
    steps=st.lists(st.integers(1, 12), min_size=1, max_size=12),
    percent=st.integers(1, 100),
)
def test_any_sequence_of_partial_returns_never_refunds_more_than_was_paid(
    qty: int, price: int, steps: list[int], percent: int
) -> None:
    discount = promo("P", "item_discount", {"mode": "percent", "percent": percent}, products("A"))
    spend = promo(
        "S", "spend_threshold_discount", {"threshold": 100, "save": 77}, stacking="stackable"
    )
    sale = price_basket([line(1, "A", qty, price)], context(), [discount, spend])
    sold = sale.line(1)
    returned = refunded = unwound = 0
    for step in steps:
        step = min(step, qty - returned)
        if step == 0:
            break
        part = refund_line(sold, step, returned)
        assert part.refund >= 0
        assert part.refund + sum(s.amount for s in part.unwound) == part.regular_amount
        returned += step
        refunded += part.refund
        unwound += sum(s.amount for s in part.unwound)
    assert refunded <= sold.amount
    if returned == qty:
        assert refunded == sold.amount
        assert unwound == sold.saving


def test_a_sale_read_back_from_its_document_refunds_the_same() -> None:
    spend = promo(
        "SPEND", "spend_threshold_discount", {"threshold": 1000, "save": 333}, stacking="stackable"
    )
    sale = price_basket(
        [line(1, "A", 3, 2000), line(2, "B", 2, 750)], context(), [BUY2_GET1_SAME, spend]
    )
    stored = json.loads(json.dumps(priced_to_dict(sale)))
    assert priced_from_dict(stored) == sale
    request = [ReturnRequest(1, 1), ReturnRequest(2, 1)]
    assert refund_lines(priced_from_dict(stored), request) == refund_lines(sale, request)
