"""A supervisor's onsite discount needs the permission and a reason, and is recorded."""

from __future__ import annotations

from typing import Any

import pytest

from retail.promotions import (
    OnsiteDiscountRefused,
    OnsiteDiscountRequest,
    authorize_onsite_discount,
    price_basket,
    priced_from_dict,
    priced_to_dict,
)
from retail.promotions.onsite import ONSITE_DISCOUNT_PERMISSION
from tests.unit.retail.promotions.promo_builders import context, line, products, promo


def request(**overrides: Any) -> OnsiteDiscountRequest:
    fields: dict[str, Any] = {
        "scope": "line",
        "reason": "包装破损 damaged box",
        "supervisor_id": "SUP-7",
        "line_no": 1,
        "percent": 10,
    }
    fields.update(overrides)
    return OnsiteDiscountRequest(**fields)


@pytest.mark.parametrize(
    ("overrides", "permitted", "code", "field"),
    [
        ({}, False, "permission_denied", "supervisor_id"),
        ({"reason": "  "}, True, "reason_required", "reason"),
        ({"scope": "shelf"}, True, "invalid_scope", "scope"),
        ({"line_no": None}, True, "required", "line_no"),
        ({"scope": "order"}, True, "invalid_value", "line_no"),
        ({"amount": 100}, True, "invalid_value", "percent"),
        ({"percent": None}, True, "invalid_value", "percent"),
        ({"percent": 120}, True, "out_of_range", "percent"),
        ({"percent": None, "amount": -5}, True, "out_of_range", "amount"),
    ],
    ids=[
        "no-permission",
        "no-reason",
        "bad-scope",
        "line-missing",
        "order-with-line",
        "both-kinds",
        "neither-kind",
        "percent-over-100",
        "negative-amount",
    ],
)
def test_onsite_discount_is_refused_without_permission_reason_or_valid_amount(
    overrides: dict[str, Any], permitted: bool, code: str, field: str
) -> None:
    with pytest.raises(OnsiteDiscountRefused) as refused:
        authorize_onsite_discount(request(**overrides), "ADJ-1", has_permission=permitted)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_line_discount_applies_after_promotions_and_is_recorded() -> None:
    promotion = promo("P1", "item_discount", {"mode": "amount", "amount": 200}, products("A"))
    adjustment = authorize_onsite_discount(request(), "ADJ-1", has_permission=True)
    priced = price_basket(
        [line(1, "A", 1, 1200), line(2, "B", 1, 500)], context(), [promotion], onsite=[adjustment]
    )
    assert priced.line(1).amount == 900  # 10 % of the 1000 left after the promotion
    assert [s.promotion_id for s in priced.line(1).savings] == ["P1", "onsite:ADJ-1"]
    assert "damaged box" in priced.line(1).savings[1].name
    [record] = priced.onsite
    assert (record.amount, record.adjustment.supervisor_id, record.adjustment.permission) == (
        100,
        "SUP-7",
        ONSITE_DISCOUNT_PERMISSION,
    )


def test_order_amount_discount_is_allocated_to_lines_exactly() -> None:
    adjustment = authorize_onsite_discount(
        request(scope="order", line_no=None, percent=None, amount=1000),
        "ADJ-2",
        has_permission=True,
    )
    lines = [line(1, "A", 1, 333), line(2, "B", 1, 333), line(3, "C", 1, 334)]
    priced = price_basket(lines, context(), [], onsite=[adjustment])
    assert priced.total == 0
    assert sorted(p.saving for p in priced.lines) == [333, 333, 334]


def test_order_discount_never_exceeds_what_is_left_to_pay() -> None:
    adjustment = authorize_onsite_discount(
        request(scope="order", line_no=None, percent=None, amount=99_999),
        "ADJ-3",
        has_permission=True,
    )
    priced = price_basket([line(1, "A", 2, 700)], context(), [], onsite=[adjustment])
    assert (priced.total, priced.onsite[0].amount) == (0, 1400)


def test_line_discount_for_a_line_not_in_the_basket_is_refused() -> None:
    adjustment = authorize_onsite_discount(request(line_no=7), "ADJ-4", has_permission=True)
    with pytest.raises(OnsiteDiscountRefused) as refused:
        price_basket([line(1, "A")], context(), [], onsite=[adjustment])
    assert refused.value.code == "unknown_line"


def test_onsite_record_survives_the_sale_document() -> None:
    adjustment = authorize_onsite_discount(request(percent="7.5"), "ADJ-5", has_permission=True)
    priced = price_basket([line(1, "A", 1, 1000)], context(), [], onsite=[adjustment])
    assert priced_from_dict(priced_to_dict(priced)) == priced
