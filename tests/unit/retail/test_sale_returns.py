"""Returns against a sale document: refunds, unwinding, and the tenders money goes back to."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retail.promotions.returns import ReturnRefused, ReturnRequest
from retail.sale_returns import (
    refund_for,
    refunded_per_tender,
    returned_per_line,
    split_refund,
    tender_nets,
)


def sale(lines: list[dict[str, Any]], tenders: list[dict[str, Any]], change: int = 0) -> dict:
    return {"lines": lines, "tenders": tenders, "change": change}


def line(no: int, qty: int, unit: int, amount: int, savings=(), gift=False) -> dict[str, Any]:
    return {
        "line_no": no,
        "sku": f"SKU{no}",
        "name": f"item {no}",
        "qty": qty,
        "unit_price": unit,
        "regular_amount": qty * unit,
        "amount": amount,
        "savings": [{"promotion_id": p, "name": p, "amount": a} for p, a in savings],
        "gift": gift,
        "weight_grams": None,
    }


# Buy 2 get 1: three units at 10.00, one free: the saving is spread, 6.67 each.
B2G1 = line(1, 3, 1000, 2000, [("B2G1", 1000)])


def test_one_unit_of_a_buy_2_get_1_refunds_its_share_not_its_shelf_price() -> None:
    doc = sale([B2G1], [{"method": "cash", "amount": 2000}])
    refund = refund_for(doc, [ReturnRequest(1, 1)], {})
    assert refund.total == 667
    assert refund.lines[0].regular_amount == 1000
    assert [(s.promotion_id, s.amount) for s in refund.lines[0].unwound] == [("B2G1", 333)]


def test_returns_in_steps_add_up_to_exactly_what_the_line_paid() -> None:
    doc = sale([B2G1], [{"method": "cash", "amount": 2000}])
    earlier: list[dict[str, Any]] = []
    total = 0
    for _ in range(3):
        refund = refund_for(doc, [ReturnRequest(1, 1)], returned_per_line(earlier))
        total += refund.total
        earlier.append({"lines": [{"line_no": 1, "qty": 1}]})
    assert total == 2000


def test_returning_more_than_is_left_is_refused_naming_the_line() -> None:
    doc = sale([B2G1], [{"method": "cash", "amount": 2000}])
    with pytest.raises(ReturnRefused) as err:
        refund_for(doc, [ReturnRequest(1, 2)], {1: 2})
    assert err.value.code == "exceeds_sold"
    assert err.value.field == "line 1.qty"


def test_a_promotion_gift_is_not_a_returnable_line() -> None:
    doc = sale(
        [line(1, 1, 30000, 30000), line(2, 1, 0, 0, gift=True)],
        [{"method": "cash", "amount": 30000}],
    )
    with pytest.raises(ReturnRefused) as err:
        refund_for(doc, [ReturnRequest(2, 1)], {})
    assert err.value.code == "gift_line"


def test_unknown_line_is_refused() -> None:
    doc = sale([B2G1], [{"method": "cash", "amount": 2000}])
    with pytest.raises(ReturnRefused) as err:
        refund_for(doc, [ReturnRequest(9, 1)], {})
    assert err.value.code == "unknown_line"


def test_change_comes_off_the_cash_tenders() -> None:
    doc = sale(
        [B2G1],
        [{"method": "bank_card", "amount": 500}, {"method": "cash", "amount": 2000}],
        change=500,
    )
    assert tender_nets(doc) == [500, 1500]


def test_refund_goes_back_through_tenders_in_proportion() -> None:
    doc = sale(
        [B2G1],
        [
            {"method": "stored_value", "amount": 1500, "reference": "SV:1", "card": None},
            {"method": "cash", "amount": 1000},
        ],
        change=500,
    )
    doc["authorisations"] = [{"reference": "SV:1", "card": "8800000001"}]
    parts = split_refund(doc, 667)
    assert [(p.method, p.amount) for p in parts] == [("stored_value", 500), ("cash", 167)]
    assert parts[0].card == "8800000001"


def test_the_last_return_empties_every_tender_exactly() -> None:
    doc = sale(
        [B2G1],
        [{"method": "stored_value", "amount": 1001}, {"method": "cash", "amount": 999}],
    )
    earlier: list[dict[str, Any]] = []
    for refund in (667, 667, 666):
        parts = split_refund(doc, refund, refunded_per_tender(earlier, 2))
        assert sum(p.amount for p in parts) == refund
        earlier.append({"refund_tenders": [p.to_dict() for p in parts]})
    assert refunded_per_tender(earlier, 2) == [1001, 999]


def test_a_coupon_share_is_forfeited() -> None:
    doc = sale(
        [line(1, 2, 5000, 10000)],
        [{"method": "coupon", "amount": 2000}, {"method": "cash", "amount": 8000}],
    )
    parts = split_refund(doc, 5000)
    assert [(p.method, p.amount, p.to_customer) for p in parts] == [
        ("coupon", 1000, False),
        ("cash", 4000, True),
    ]


def test_cash_rounding_is_not_refunded() -> None:
    # 19.97 rounded down to 19.90 in cash: the refund of everything is what was paid.
    doc = sale([line(1, 1, 1997, 1997)], [{"method": "cash", "amount": 1990}])
    parts = split_refund(doc, 1997)
    assert [(p.method, p.amount) for p in parts] == [("cash", 1990)]


@given(
    qty=st.integers(min_value=1, max_value=12),
    paid=st.integers(min_value=1, max_value=10**6),
    saving=st.integers(min_value=0, max_value=10**5),
    tenders=st.lists(st.integers(min_value=1, max_value=10**5), min_size=1, max_size=4),
    steps=st.data(),
)
def test_any_sequence_of_partial_returns_refunds_exactly_what_was_paid(
    qty: int, paid: int, saving: int, tenders: list[int], steps: st.DataObject
) -> None:
    unit = -(-(paid + saving) // qty)
    regular = unit * qty
    doc_line = line(1, qty, unit, paid, [("P", regular - paid)] if regular > paid else [])
    scale = [t * paid // sum(tenders) for t in tenders]
    scale[-1] += paid - sum(scale)
    doc = sale([doc_line], [{"method": "bank_card", "amount": a} for a in scale])
    earlier: list[dict[str, Any]] = []
    left = qty
    refunded = 0
    while left:
        k = steps.draw(st.integers(min_value=1, max_value=left))
        refund = refund_for(doc, [ReturnRequest(1, k)], returned_per_line(earlier))
        parts = split_refund(doc, refund.total, refunded_per_tender(earlier, len(scale)))
        assert sum(p.amount for p in parts) == refund.total
        assert all(p.amount > 0 for p in parts)
        earlier.append(
            {"lines": [{"line_no": 1, "qty": k}], "refund_tenders": [p.to_dict() for p in parts]}
        )
        refunded += refund.total
        left -= k
    assert refunded == paid
    assert refunded_per_tender(earlier, len(scale)) == [max(a, 0) for a in scale]
