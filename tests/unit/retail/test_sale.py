"""Ringing up a sale: line amounts, tax per rate, tenders, change and cash rounding."""

from __future__ import annotations

import pytest

from retail.sale import (
    MAX_QTY,
    ItemToPrice,
    SaleError,
    Tender,
    build_quote,
    line_amount,
    settle,
    tax_included,
)


def item(
    *,
    sku: str = "A1",
    unit_price: int = 350,
    qty: int = 1,
    tax_rate_bp: int = 1300,
    weighed: bool = False,
    weight_grams: int | None = None,
    embedded_price: int | None = None,
) -> ItemToPrice:
    return ItemToPrice(
        sku=sku,
        name=f"item {sku}",
        barcode="6901234567892",
        unit_price=unit_price,
        tax_rate_bp=tax_rate_bp,
        qty=qty,
        weighed=weighed,
        weight_grams=weight_grams,
        embedded_price=embedded_price,
    )


def refusal(call: object) -> SaleError:
    with pytest.raises(SaleError) as caught:
        call()  # type: ignore[operator]
    return caught.value


# --- line amounts -------------------------------------------------------------------


def test_a_piece_line_costs_units_times_price() -> None:
    assert line_amount(item(unit_price=350, qty=3)) == 1050


def test_a_weight_label_is_priced_per_kilogram_rounded_half_up_to_the_fen() -> None:
    # 0.512 kg at 12.99/kg = 665.088 fen -> 665
    assert line_amount(item(unit_price=1299, weighed=True, weight_grams=512)) == 665
    # 0.500 kg at 0.01/kg = 0.5 fen -> 1 (half away from zero)
    assert line_amount(item(unit_price=1, weighed=True, weight_grams=500)) == 1


def test_two_identical_weight_labels_cost_twice_one_label() -> None:
    one = line_amount(item(unit_price=1299, weighed=True, weight_grams=512))
    assert line_amount(item(unit_price=1299, qty=2, weighed=True, weight_grams=512)) == 2 * one


def test_a_price_label_charges_the_embedded_price_not_the_catalog_price() -> None:
    assert line_amount(item(unit_price=1299, weighed=True, embedded_price=888)) == 888
    assert line_amount(item(unit_price=1299, qty=3, weighed=True, embedded_price=888)) == 2664


def test_a_price_label_line_derives_its_weight_from_the_price_per_kilogram() -> None:
    quote = build_quote([item(unit_price=2000, weighed=True, embedded_price=1000)])
    assert quote.lines[0].weight_grams == 500
    assert quote.lines[0].stock_qty == 500
    assert quote.lines[0].qty_text == "0.500kg"


def test_a_weighed_product_scanned_without_a_scale_label_is_refused() -> None:
    err = refusal(lambda: line_amount(item(weighed=True)))
    assert err.code == "weight_required"
    assert err.field == "barcode"


def test_a_zero_weight_label_is_refused() -> None:
    err = refusal(lambda: line_amount(item(weighed=True, weight_grams=0)))
    assert err.code == "invalid_weight"


@pytest.mark.parametrize("qty", [0, -1, MAX_QTY + 1])
def test_quantity_outside_one_to_max_is_refused(qty: int) -> None:
    err = refusal(lambda: line_amount(item(qty=qty)))
    assert err.code == "invalid_quantity"
    assert err.field == "qty"


def test_the_largest_quantity_is_accepted() -> None:
    assert line_amount(item(unit_price=1, qty=MAX_QTY)) == MAX_QTY


# --- quotes and tax ---------------------------------------------------------------------


def test_tax_included_is_the_vat_inside_a_tax_inclusive_amount() -> None:
    assert tax_included(11300, 1300) == 1300
    assert tax_included(10900, 900) == 900
    assert tax_included(1000, 0) == 0
    # 100 * 1300 / 11300 = 11.504... -> 12 fen
    assert tax_included(100, 1300) == 12


def test_a_quote_numbers_lines_and_totals_them() -> None:
    quote = build_quote([item(sku="A", unit_price=350, qty=2), item(sku="B", unit_price=1299)])
    assert [line.line_no for line in quote.lines] == [1, 2]
    assert [line.amount for line in quote.lines] == [700, 1299]
    assert quote.total == 1999


def test_tax_is_included_per_rate_summed_over_the_lines_of_that_rate() -> None:
    quote = build_quote(
        [
            item(sku="A", unit_price=5650, tax_rate_bp=1300),
            item(sku="B", unit_price=5650, tax_rate_bp=1300),
            item(sku="C", unit_price=10900, tax_rate_bp=900),
        ]
    )
    assert quote.taxes == {900: 900, 1300: 1300}
    assert list(quote.taxes) == [900, 1300]  # ordered by rate, for a stable receipt


def test_an_empty_sale_is_refused() -> None:
    err = refusal(lambda: build_quote([]))
    assert err.code == "empty_sale"
    assert err.field == "lines"


# --- settling: tenders, change, rounding ------------------------------------------------


def test_cash_over_the_total_gives_change() -> None:
    settlement = settle(1999, [Tender("cash", 5000)])
    assert settlement.change == 3001
    assert settlement.rounding == 0
    assert settlement.amount_due == 1999


def test_exact_cash_gives_no_change() -> None:
    assert settle(1999, [Tender("cash", 1999)]).change == 0


@pytest.mark.parametrize(
    ("total", "rounded", "rounding"),
    [(1234, 1230, -4), (1235, 1240, 5), (1236, 1240, 4), (1230, 1230, 0)],
)
def test_cash_is_rounded_to_ten_fen(total: int, rounded: int, rounding: int) -> None:
    settlement = settle(total, [Tender("cash", 5000)], cash_rounding_step=10)
    assert settlement.amount_due == rounded
    assert settlement.rounding == rounding
    assert settlement.change == 5000 - rounded


def test_rounded_down_cash_total_may_be_paid_exactly() -> None:
    settlement = settle(1234, [Tender("cash", 1230)], cash_rounding_step=10)
    assert settlement.change == 0
    assert settlement.amount_due == 1230


def test_card_payments_are_never_rounded() -> None:
    settlement = settle(1234, [Tender("bank_card", 1234)], cash_rounding_step=10)
    assert settlement.rounding == 0
    assert settlement.change == 0
    assert settlement.amount_due == 1234


def test_cash_rounding_applies_only_to_the_part_paid_in_cash() -> None:
    settlement = settle(
        1234, [Tender("bank_card", 1000), Tender("cash", 500)], cash_rounding_step=10
    )
    # cash due 234 -> 230
    assert settlement.rounding == -4
    assert settlement.amount_due == 1230
    assert settlement.change == 270


def test_tenders_short_of_the_total_are_refused() -> None:
    err = refusal(lambda: settle(1999, [Tender("cash", 1000)]))
    assert err.code == "tender_short"
    assert err.field == "tenders"
    assert "999" in err.message


def test_cash_short_of_the_rounded_total_is_refused() -> None:
    err = refusal(lambda: settle(1235, [Tender("cash", 1235)], cash_rounding_step=10))
    assert err.code == "tender_short"


def test_a_card_short_of_the_total_is_refused() -> None:
    err = refusal(lambda: settle(1999, [Tender("bank_card", 1000)]))
    assert err.code == "tender_short"


def test_a_card_over_the_total_is_refused_because_cards_give_no_change() -> None:
    err = refusal(lambda: settle(1999, [Tender("bank_card", 2000)]))
    assert err.code == "overtendered"
    err = refusal(lambda: settle(1999, [Tender("mobile_wallet", 1000), Tender("bank_card", 1000)]))
    assert err.code == "overtendered"


def test_an_unknown_tender_method_is_refused_naming_the_tender() -> None:
    err = refusal(lambda: settle(1000, [Tender("cash", 500), Tender("bitcoin", 500)]))
    assert err.code == "unknown_tender"
    assert err.field == "tenders.1.method"


@pytest.mark.parametrize("amount", [0, -100])
def test_a_tender_amount_must_be_positive(amount: int) -> None:
    err = refusal(lambda: settle(1000, [Tender("cash", amount)]))
    assert err.code == "invalid_amount"
    assert err.field == "tenders.0.amount"


def test_a_sale_without_tenders_is_refused() -> None:
    err = refusal(lambda: settle(1000, []))
    assert err.code == "no_tender"
