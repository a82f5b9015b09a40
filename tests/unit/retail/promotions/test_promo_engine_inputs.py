"""What the engine accepts: empty baskets, unique line numbers, aware times, unique ids."""

from __future__ import annotations

from datetime import datetime

import pytest

from retail.promotions import PricingContext, PricingLine, PromotionBook, price_basket
from tests.unit.retail.promotions.promo_builders import context, line, products, promo


def test_empty_basket_prices_to_zero() -> None:
    priced = price_basket([], context(), [])
    assert (priced.total, priced.lines, priced.applied) == (0, (), ())


def test_lines_come_back_in_the_order_they_were_given() -> None:
    lines = [line(3, "C"), line(1, "A"), line(2, "B")]
    assert [p.line_no for p in price_basket(lines, context(), []).lines] == [3, 1, 2]


def test_duplicate_line_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        price_basket([line(1, "A"), line(1, "B")], context(), [])


def test_pricing_time_must_carry_the_store_offset() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        PricingContext(store_id="S001", region_id=None, at=datetime(2026, 11, 26, 10))


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"qty": 0}, ValueError),
        ({"unit_price": -1}, ValueError),
        ({"unit_price": 9.99}, TypeError),
        ({"qty": True}, TypeError),
    ],
)
def test_bad_line_is_refused(fields: dict[str, object], error: type[Exception]) -> None:
    base: dict[str, object] = {"line_no": 1, "product_id": "A", "qty": 1, "unit_price": 100}
    base.update(fields)
    with pytest.raises(error):
        PricingLine(**base)  # type: ignore[arg-type]


def test_a_book_refuses_two_promotions_with_one_id() -> None:
    twin = promo("P1", "item_discount", {"mode": "amount", "amount": 1}, products("A"))
    with pytest.raises(ValueError, match="twice"):
        PromotionBook([twin, twin])


def test_a_book_built_once_prices_like_the_raw_promotions() -> None:
    promotion = promo("P1", "item_discount", {"mode": "amount", "amount": 100}, products("A"))
    lines = [line(1, "A", 2, 1000)]
    assert price_basket(lines, context(), PromotionBook([promotion])) == price_basket(
        lines, context(), [promotion]
    )
