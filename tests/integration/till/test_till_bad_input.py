"""Every bad request to the till is refused with a 4xx naming the field; nothing is written."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from retail.barcodes import with_check_digit
from tests.factories import COLA_EAN

from .conftest import Till

SALES = "/api/v1/sales"


@pytest.fixture
def selling_till(till: Till) -> Till:
    """A till that has already completed one sale, so "nothing changed" is not trivially 0."""
    answer = till.sell(
        {"lines": [{"barcode": COLA_EAN, "qty": 1}], "tenders": [{"method": "cash", "amount": 350}]}
    )
    assert answer.status_code == 201, answer.get_json()
    return till


def sale(lines: Any = None, tenders: Any = None) -> dict[str, Any]:
    return {
        "sale_id": str(uuid.uuid4()),
        "lines": [{"barcode": COLA_EAN, "qty": 2}] if lines is None else lines,
        "tenders": [{"method": "cash", "amount": 1000}] if tenders is None else tenders,
    }


def refused(answer: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    assert set(body) == {"code", "message", "fields"}
    assert isinstance(body["message"], str) and body["message"]
    if code is not None:
        assert body["code"] == code
    return body


def assert_refused_and_unchanged(
    till: Till, body: Any, status: int, field: str, code: str | None = None
) -> dict[str, Any]:
    before = till.journal()
    answer = till.sell(body)
    refusal = refused(answer, status, code)
    assert field in str(refusal["fields"]), refusal
    assert till.journal() == before
    return refusal


def test_a_body_that_is_not_json_is_refused(selling_till: Till) -> None:
    before = selling_till.journal()
    answer = selling_till.client.post(
        SALES,
        data=b'{"lines": [',
        headers={**selling_till.auth(), "Content-Type": "application/json"},
    )
    refused(answer, 400)
    assert selling_till.journal() == before


def test_a_body_sent_as_form_data_is_refused(selling_till: Till) -> None:
    before = selling_till.journal()
    answer = selling_till.client.post(SALES, data={"lines": "x"}, headers=selling_till.auth())
    refused(answer, 400, "bad_json")
    assert selling_till.journal() == before


def test_a_quantity_sent_as_a_string_is_refused(selling_till: Till) -> None:
    body = sale(lines=[{"barcode": COLA_EAN, "qty": "2"}])
    refusal = assert_refused_and_unchanged(selling_till, body, 422, "qty", "validation_failed")
    assert refusal["fields"]["lines"]["0"]["qty"]


def test_a_quantity_sent_as_a_boolean_is_refused(selling_till: Till) -> None:
    body = sale(lines=[{"barcode": COLA_EAN, "qty": True}])
    assert_refused_and_unchanged(selling_till, body, 422, "qty", "validation_failed")


def test_a_tender_amount_sent_as_a_string_is_refused(selling_till: Till) -> None:
    body = sale(tenders=[{"method": "cash", "amount": "1000"}])
    assert_refused_and_unchanged(selling_till, body, 422, "amount", "validation_failed")


def test_a_tender_amount_with_a_fraction_is_refused(selling_till: Till) -> None:
    body = sale(tenders=[{"method": "cash", "amount": 1.5}])
    refusal = assert_refused_and_unchanged(selling_till, body, 422, "amount", "validation_failed")
    assert refusal["fields"]["tenders"]["0"]["amount"]


def test_a_tender_amount_in_yuan_as_a_float_is_refused(selling_till: Till) -> None:
    body = sale(tenders=[{"method": "cash", "amount": 10.0}])
    assert_refused_and_unchanged(selling_till, body, 422, "amount", "validation_failed")


def test_lines_that_are_not_a_list_are_refused(selling_till: Till) -> None:
    body = sale(lines={"barcode": COLA_EAN, "qty": 2})
    refusal = assert_refused_and_unchanged(selling_till, body, 422, "lines", "validation_failed")
    assert "lines" in refusal["fields"]


def test_a_sale_without_lines_is_refused(selling_till: Till) -> None:
    assert_refused_and_unchanged(selling_till, sale(lines=[]), 422, "lines")


def test_an_unknown_barcode_is_refused(selling_till: Till) -> None:
    unknown = with_check_digit("690000099999")
    body = sale(lines=[{"barcode": COLA_EAN, "qty": 1}, {"barcode": unknown, "qty": 1}])
    refusal = assert_refused_and_unchanged(selling_till, body, 422, "lines.1.barcode")
    assert refusal["code"] == "unknown_barcode"


def test_a_barcode_with_a_wrong_check_digit_is_refused(selling_till: Till) -> None:
    wrong = COLA_EAN[:-1] + str((int(COLA_EAN[-1]) + 1) % 10)
    body = sale(lines=[{"barcode": wrong, "qty": 1}])
    refusal = assert_refused_and_unchanged(selling_till, body, 422, "lines.0.barcode")
    assert refusal["code"] == "unknown_barcode"
    assert "check digit" in refusal["message"]


def test_a_zero_quantity_is_refused(selling_till: Till) -> None:
    body = sale(lines=[{"barcode": COLA_EAN, "qty": 0}])
    assert_refused_and_unchanged(selling_till, body, 422, "qty", "validation_failed")


def test_a_negative_quantity_is_refused(selling_till: Till) -> None:
    body = sale(lines=[{"barcode": COLA_EAN, "qty": -3}])
    assert_refused_and_unchanged(selling_till, body, 422, "qty", "validation_failed")


def test_tenders_short_of_the_total_are_refused(selling_till: Till) -> None:
    body = sale(tenders=[{"method": "cash", "amount": 500}])  # 2 x 3.50 = 7.00
    refusal = assert_refused_and_unchanged(selling_till, body, 422, "tenders", "tender_short")
    assert "200" in refusal["message"]


def test_a_card_tender_over_the_total_is_refused(selling_till: Till) -> None:
    body = sale(tenders=[{"method": "bank_card", "amount": 1000}])
    assert_refused_and_unchanged(selling_till, body, 422, "tenders", "overtendered")


def test_an_unknown_tender_method_is_refused(selling_till: Till) -> None:
    body = sale(tenders=[{"method": "seashells", "amount": 1000}])
    refusal = assert_refused_and_unchanged(selling_till, body, 422, "method", "validation_failed")
    assert refusal["fields"]["tenders"]["0"]["method"]


def test_a_zero_tender_amount_is_refused(selling_till: Till) -> None:
    body = sale(tenders=[{"method": "cash", "amount": 0}])
    assert_refused_and_unchanged(selling_till, body, 422, "amount", "validation_failed")


def test_a_sale_id_that_is_not_a_uuid_is_refused(selling_till: Till) -> None:
    body = {**sale(), "sale_id": "sale-1"}
    assert_refused_and_unchanged(selling_till, body, 422, "sale_id", "validation_failed")


def test_a_sale_without_a_token_is_refused(selling_till: Till) -> None:
    before = selling_till.journal()
    answer = selling_till.client.post(SALES, json=sale())
    refused(answer, 401, "unauthorized")
    assert selling_till.journal() == before


def test_a_sale_with_a_forged_token_is_refused(selling_till: Till) -> None:
    before = selling_till.journal()
    headers = {"Authorization": f"Bearer {selling_till.token()}forged"}
    answer = selling_till.client.post(SALES, json=sale(), headers=headers)
    refused(answer, 401, "unauthorized")
    assert selling_till.journal() == before


def test_a_quote_without_a_token_is_refused(till: Till) -> None:
    answer = till.client.post(
        "/api/v1/sales/quote", json={"lines": [{"barcode": COLA_EAN, "qty": 1}]}
    )
    refused(answer, 401, "unauthorized")


def test_a_quote_with_a_bad_check_digit_names_the_line(till: Till) -> None:
    wrong = COLA_EAN[:-1] + str((int(COLA_EAN[-1]) + 1) % 10)
    refusal = refused(till.quote([{"barcode": wrong, "qty": 1}]), 422, "unknown_barcode")
    assert "lines.0.barcode" in refusal["fields"]
