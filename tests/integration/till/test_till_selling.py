"""Selling at the till: quotes, a completed cash sale, the journal and the outbox."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from pos_terminal.models import SYNC, TillSale
from retail.barcodes import DEFAULT_WEIGHED_RULES, make_weighed_code
from tests.factories import CASHIER, CHIPS_EAN, COLA_EAN, MILK_EAN

from .conftest import (
    APPLES_PER_KG,
    CHIPS_PRICE,
    COLA_PRICE,
    COLA_PRICE_NEXT_MONTH,
    MILK_STORE_PRICE,
    Till,
)

WEIGHT_RULE, PRICE_RULE = DEFAULT_WEIGHED_RULES


def basket() -> list[dict[str, Any]]:
    return [{"barcode": COLA_EAN, "qty": 2}, {"barcode": CHIPS_EAN, "qty": 1}]


def cash_sale(amount: int = 5000, sale_id: str | None = None) -> dict[str, Any]:
    return {
        "sale_id": sale_id or str(uuid.uuid4()),
        "lines": basket(),
        "tenders": [{"method": "cash", "amount": amount}],
    }


# --- looking up and quoting --------------------------------------------------------------


def test_a_product_is_found_by_barcode_with_the_price_for_this_store(till: Till) -> None:
    answer = till.client.get(f"/api/v1/products?barcode={MILK_EAN}", headers=till.auth())
    assert answer.status_code == 200
    [milk] = answer.get_json()
    assert milk["sku"] == "M1"
    # the store's own price wins; S002's price and the future chain price do not apply
    assert milk["price"] == MILK_STORE_PRICE
    assert milk["tax_rate_bp"] == 900


def test_a_scale_label_finds_its_weighed_product(till: Till) -> None:
    label = make_weighed_code(WEIGHT_RULE, "00001", 512)
    answer = till.client.get(f"/api/v1/products?barcode={label}", headers=till.auth())
    assert [p["sku"] for p in answer.get_json()] == ["F1"]


def test_a_barcode_typed_in_full_width_digits_is_found(till: Till) -> None:
    full_width = COLA_EAN.translate({ord("0") + i: 0xFF10 + i for i in range(10)})
    answer = till.client.get(
        "/api/v1/products", query_string={"barcode": full_width}, headers=till.auth()
    )
    assert [p["sku"] for p in answer.get_json()] == ["A1"]
    [line] = till.quote([{"barcode": full_width, "qty": 1}]).get_json()["lines"]
    assert line["sku"] == "A1"


def test_an_unknown_barcode_finds_nothing(till: Till) -> None:
    answer = till.client.get("/api/v1/products?barcode=6900000000991", headers=till.auth())
    assert answer.status_code == 200
    assert answer.get_json() == []


def test_a_price_sent_ahead_takes_effect_on_time_offline(
    till: Till, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pos_terminal.selling as selling

    assert till.quote([{"barcode": COLA_EAN, "qty": 1}]).get_json()["total"] == COLA_PRICE
    later = selling.utcnow() + timedelta(days=31)
    monkeypatch.setattr(selling, "utcnow", lambda: later)
    assert (
        till.quote([{"barcode": COLA_EAN, "qty": 1}]).get_json()["total"] == COLA_PRICE_NEXT_MONTH
    )
    # the store's own milk price stays in force over the chain price that starts then
    assert till.quote([{"barcode": MILK_EAN, "qty": 1}]).get_json()["total"] == MILK_STORE_PRICE


def test_products_are_found_by_name(till: Till) -> None:
    answer = till.client.get("/api/v1/products?q=chips", headers=till.auth())
    assert [p["sku"] for p in answer.get_json()] == ["B1"]


def test_a_quote_prices_ean13_lines_with_tax_per_rate(till: Till) -> None:
    answer = till.quote([*basket(), {"barcode": MILK_EAN, "qty": 1}])
    assert answer.status_code == 200
    quote = answer.get_json()
    assert [(line["sku"], line["qty"], line["amount"]) for line in quote["lines"]] == [
        ("A1", 2, 2 * COLA_PRICE),
        ("B1", 1, CHIPS_PRICE),
        ("M1", 1, MILK_STORE_PRICE),
    ]
    assert quote["total"] == 2 * COLA_PRICE + CHIPS_PRICE + MILK_STORE_PRICE
    # 1999 at 13% includes 230; 455 at 9% includes 38
    assert quote["taxes"] == [{"rate_bp": 900, "tax": 38}, {"rate_bp": 1300, "tax": 230}]


def test_a_quote_prices_a_weight_label_by_the_kilogram(till: Till) -> None:
    label = make_weighed_code(WEIGHT_RULE, "00001", 512)
    quote = till.quote([{"barcode": label, "qty": 1}]).get_json()
    [line] = quote["lines"]
    assert line["sku"] == "F1"
    assert line["weight_grams"] == 512
    assert line["qty_text"] == "0.512kg"
    assert line["amount"] == 665  # 0.512 kg x 12.99 = 6.65088
    assert line["unit_price"] == APPLES_PER_KG


def test_a_quote_charges_the_price_printed_on_a_price_label(till: Till) -> None:
    label = make_weighed_code(PRICE_RULE, "00001", 888)
    [line] = till.quote([{"barcode": label, "qty": 1}]).get_json()["lines"]
    assert line["sku"] == "F1"
    assert line["amount"] == 888
    assert line["weight_grams"] == 684  # 8.88 / 12.99 per kg


def test_a_weighed_product_needs_its_scale_label(till: Till) -> None:
    answer = till.quote([{"barcode": "2100001", "qty": 1}])
    assert answer.status_code == 422
    assert answer.get_json()["code"] == "weight_required"


def test_a_quote_writes_nothing(till: Till) -> None:
    before = till.journal()
    assert till.quote(basket()).status_code == 200
    assert till.journal() == before


# --- completing a sale -------------------------------------------------------------------


def test_a_cash_sale_gives_change_after_rounding_to_ten_fen(till: Till) -> None:
    answer = till.sell(cash_sale(5000))
    assert answer.status_code == 201, answer.get_json()
    sale = answer.get_json()
    assert sale["total"] == 1999
    assert sale["rounding"] == 1  # S001 rounds cash to 0.1 yuan
    assert sale["amount_due"] == 2000
    assert sale["change"] == 3000


def test_a_cash_sale_rounded_down_can_be_paid_to_the_ten_fen(till: Till) -> None:
    body = {
        "lines": [{"barcode": COLA_EAN, "qty": 1}, {"barcode": MILK_EAN, "qty": 1}],  # 8.05
        "tenders": [{"method": "cash", "amount": 810}],
    }
    sale = till.sell(body).get_json()
    assert (sale["total"], sale["rounding"], sale["amount_due"], sale["change"]) == (
        805,
        5,
        810,
        0,
    )


def test_a_card_sale_is_not_rounded(till: Till) -> None:
    body = {"lines": basket(), "tenders": [{"method": "bank_card", "amount": 1999}]}
    sale = till.sell(body).get_json()
    assert (sale["rounding"], sale["change"], sale["amount_due"]) == (0, 0, 1999)


def test_receipt_numbers_are_store_till_business_day_and_sequence(till: Till) -> None:
    first = till.sell(cash_sale()).get_json()
    second = till.sell(cash_sale()).get_json()
    match = re.fullmatch(r"S001-T01-(\d{6})-(\d{5})", first["receipt_no"])
    assert match is not None, first["receipt_no"]
    assert match.group(1) == first["business_day"][2:].replace("-", "")
    assert match.group(2) == "00001"
    assert second["receipt_no"].endswith("-00002")


def test_the_receipt_text_shows_the_lines_total_and_change(till: Till) -> None:
    sale = till.sell(cash_sale(5000)).get_json()
    text = sale["receipt_text"]
    assert sale["receipt_no"] in text
    assert "可乐" in text
    assert "薯片" in text
    assert "7.00" in text  # 2 x cola
    assert "12.99" in text
    assert "19.99" in text
    assert "30.00" in text  # change


def test_a_sale_is_in_the_journal_and_the_outbox_together(till: Till) -> None:
    sale = till.sell(cash_sale()).get_json()
    assert till.journal() == (1, 1, 2)
    with till.sessions() as session:
        journal = session.get(TillSale, sale["sale_id"])
        outbox = session.scalars(select(SYNC.outbox)).one()
    assert journal.receipt_no == sale["receipt_no"]
    assert journal.cashier == CASHIER
    assert outbox.doc_id == journal.doc_id
    assert outbox.status == "pending"
    document = json.loads(outbox.payload)
    assert document["type"] == "sale"
    assert (document["origin_store"], document["origin_till"], document["seq"]) == (
        "S001",
        "S001-T01",
        1,
    )
    assert document["body"]["receipt_no"] == sale["receipt_no"]
    assert [line["stock_qty"] for line in document["body"]["lines"]] == [2, 1]


def test_a_sale_that_fails_midway_leaves_neither_journal_nor_outbox(
    till: Till, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pos_terminal.selling as selling

    def broken_printer(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("receipt layout failed")

    monkeypatch.setattr(selling, "build_receipt", broken_printer)
    answer = till.sell(cash_sale())
    assert answer.status_code == 500
    assert till.journal() == (0, 0, 1)  # the outbox row and the sequence number rolled back
    monkeypatch.undo()
    assert till.sell(cash_sale()).get_json()["receipt_no"].endswith("-00001")


def test_the_same_sale_posted_twice_returns_the_first_result_and_writes_nothing_new(
    till: Till,
) -> None:
    body = cash_sale()
    first = till.sell(body)
    before = till.journal()
    again = till.sell(body)
    assert again.status_code in (200, 201)
    assert again.get_json() == first.get_json()
    assert till.journal() == before == (1, 1, 2)


def test_a_sale_id_reused_with_other_lines_is_a_conflict(till: Till) -> None:
    body = cash_sale()
    till.sell(body)
    before = till.journal()
    other = {**body, "lines": [{"barcode": COLA_EAN, "qty": 1}]}
    answer = till.sell(other)
    assert answer.status_code == 409
    assert answer.get_json()["code"] == "sale_id_reused"
    assert "sale_id" in answer.get_json()["fields"]
    assert till.journal() == before


def test_a_completed_sale_can_be_read_back_from_the_journal(till: Till) -> None:
    sale = till.sell(cash_sale()).get_json()
    answer = till.client.get(f"/api/v1/sales/{sale['sale_id']}", headers=till.auth())
    assert answer.status_code == 200
    assert answer.get_json()["receipt_no"] == sale["receipt_no"]
    assert "request_fingerprint" not in answer.get_json()
