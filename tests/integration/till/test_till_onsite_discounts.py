"""A supervisor's onsite discount: needs the permission and a reason, and is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from chainpos.master_copy import apply_changes
from pos_terminal.models import MASTER
from tests.factories import CASHIER_PIN, COLA_EAN, staff_change

SUPERVISOR = "9001"


@pytest.fixture
def with_supervisor(till: Any, cashier_pin_hash: str) -> Any:
    factory: sessionmaker[Session] = till.app.extensions["chainpos.sessions"]
    with factory.begin() as session:
        apply_changes(
            session, MASTER, [staff_change(cashier_pin_hash, SUPERVISOR, role="supervisor")]
        )
    return till


def _as(app: Flask, staff: str, role: str) -> dict[str, str]:
    from chainpos.auth import issue_token

    with app.app_context():
        return {"Authorization": f"Bearer {issue_token(staff, role)}"}


SALE = {"lines": [{"barcode": COLA_EAN, "qty": 2}], "tenders": [{"method": "cash", "amount": 1000}]}
ORDER_10 = {"scope": "order", "percent": "10", "reason": "damaged packaging"}


def test_a_cashier_alone_cannot_give_a_discount_and_nothing_is_sold(with_supervisor: Any) -> None:
    till = with_supervisor
    before = till.journal()
    answer = till.sell({**SALE, "discounts": [ORDER_10]})
    assert answer.status_code == 403
    assert answer.get_json()["code"] == "permission_denied"
    assert till.journal() == before


def test_a_cashier_with_the_supervisors_pin_gives_the_discount_and_it_is_recorded(
    with_supervisor: Any,
) -> None:
    till = with_supervisor
    answer = till.sell(
        {
            **SALE,
            "discounts": [ORDER_10],
            "supervisor": {"staff_code": SUPERVISOR, "pin": CASHIER_PIN},
        }
    )
    sale = answer.get_json()
    assert answer.status_code == 201, sale
    assert sale["total"] == 700 - 70
    assert sale["onsite_discounts"] == [
        {
            "adjustment_id": "ONSITE-1",
            "scope": "order",
            "line_no": None,
            "percent": "10",
            "amount": None,
            "reason": "damaged packaging",
            "supervisor": SUPERVISOR,
            "permission": "discount.onsite",
        }
    ]
    assert "Onsite discount" in sale["receipt_text"]


def test_a_wrong_supervisor_pin_is_refused(with_supervisor: Any) -> None:
    answer = with_supervisor.sell(
        {**SALE, "discounts": [ORDER_10], "supervisor": {"staff_code": SUPERVISOR, "pin": "0000"}}
    )
    assert answer.status_code == 403


def test_a_signed_in_supervisor_discounts_a_line_by_amount(with_supervisor: Any) -> None:
    till = with_supervisor
    answer = till.client.post(
        "/api/v1/sales/quote",
        headers=_as(till.app, SUPERVISOR, "supervisor"),
        json={
            "lines": SALE["lines"],
            "discounts": [{"scope": "line", "line": 0, "amount": 100, "reason": "price match"}],
        },
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["total"] == 600


@pytest.mark.parametrize(
    ("discount", "field"),
    [
        ({"scope": "order", "percent": "120", "reason": "x"}, "discounts.0.percent"),
        ({"scope": "order", "percent": "10", "reason": "   "}, "discounts.0.reason"),
        ({"scope": "line", "percent": "10", "reason": "x"}, "discounts.0.line"),
        ({"scope": "order", "reason": "x"}, "discounts.0.percent"),
    ],
    ids=["percent_over_100", "blank_reason", "line_without_line", "neither_percent_nor_amount"],
)
def test_a_bad_discount_is_refused_naming_the_field(
    with_supervisor: Any, discount: dict[str, Any], field: str
) -> None:
    till = with_supervisor
    before = till.journal()
    answer = till.client.post(
        "/api/v1/sales",
        headers=_as(till.app, SUPERVISOR, "supervisor"),
        json={**SALE, "discounts": [discount]},
    )
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json()["fields"]
    assert till.journal() == before
