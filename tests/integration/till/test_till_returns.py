"""Returns at the till: a supervisor approves, the refund is what the units paid, once.

The store is out of reach here (its client always fails to connect), so the till takes
back goods of its own sales from its own journal, as it does when cut off. Returns of
another lane's sales through the store are in tests/e2e/test_e2e_returns.py and
tests/integration/store/test_store_sales_journal.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from chainpos.ids import new_id
from chainpos.master_copy import apply_changes
from chainpos.sync.client import UpstreamError
from pos_terminal.models import MASTER, SYNC, TillReturn
from tests.factories import CASHIER_PIN, CHIPS_EAN, COLA_EAN, staff_change

from .conftest import CHIPS_PRICE, COLA_PRICE, Till

SUPERVISOR = "9001"


class _NoStore:
    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        raise UpstreamError("connection refused")

    def post(self, path: str, body: Any) -> Any:
        raise UpstreamError("connection refused")


@pytest.fixture
def lane(till: Till, cashier_pin_hash: str) -> Till:
    factory: sessionmaker[Session] = till.app.extensions["chainpos.sessions"]
    with factory.begin() as session:
        apply_changes(
            session, MASTER, [staff_change(cashier_pin_hash, SUPERVISOR, role="supervisor")]
        )
    till.app.extensions["chainpos.loyalty.store"] = _NoStore
    return till


def _as(app: Flask, staff: str, role: str) -> dict[str, str]:
    from chainpos.auth import issue_token

    with app.app_context():
        return {"Authorization": f"Bearer {issue_token(staff, role)}"}


def _sale(lane: Till) -> dict[str, Any]:
    answer = lane.sell(
        {
            "lines": [{"barcode": COLA_EAN, "qty": 3}, {"barcode": CHIPS_EAN, "qty": 1}],
            "tenders": [{"method": "cash", "amount": 3 * COLA_PRICE + CHIPS_PRICE + 1}],
        }
    )
    assert answer.status_code == 201, answer.get_json()
    sale: dict[str, Any] = answer.get_json()
    return sale


def _return(lane: Till, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return lane.client.post(
        "/api/v1/returns", json=body, headers=headers or _as(lane.app, SUPERVISOR, "supervisor")
    )


def _returns_journaled(lane: Till) -> tuple[int, int]:
    with lane.sessions() as session:
        returns = session.scalar(select(func.count()).select_from(TillReturn))
        documents = session.scalar(
            select(func.count())
            .select_from(SYNC.outbox)
            .where(SYNC.outbox.doc_type == "sale_return")
        )
    return int(returns or 0), int(documents or 0)


def test_a_supervisor_takes_goods_back_and_the_return_is_journaled_once(lane: Till) -> None:
    sale = _sale(lane)
    body = {
        "return_id": new_id(),
        "sale": sale["receipt_no"],
        "lines": [{"line_no": 1, "qty": 2}],
        "reason": "expired",
    }
    answer = _return(lane, body)
    assert answer.status_code == 201, answer.get_json()
    back = answer.get_json()
    assert back["refund"] == 2 * COLA_PRICE == back["paid_out"]
    assert back["refund_tenders"] == [
        {"index": 0, "method": "cash", "amount": 2 * COLA_PRICE, "reference": None, "card": None}
    ]
    assert back["approved_by"] == SUPERVISOR and back["reason"] == "expired"
    assert back["receipt_no"].startswith("RS001-")
    assert _returns_journaled(lane) == (1, 1)
    with lane.sessions() as session:
        payload = json.loads(
            session.scalars(
                select(SYNC.outbox.payload).where(SYNC.outbox.doc_type == "sale_return")
            ).one()
        )
    assert payload["body"]["sale_doc_id"] == sale["doc_id"]
    assert payload["body"]["lines"][0]["stock_qty"] == 2

    again = _return(lane, body)
    assert again.status_code == 201 and again.get_json()["doc_id"] == back["doc_id"]
    assert _returns_journaled(lane) == (1, 1)

    other = _return(lane, {**body, "lines": [{"line_no": 2, "qty": 1}]})
    assert other.status_code == 409 and other.get_json()["code"] == "return_id_reused"
    assert "return_id" in other.get_json()["fields"]
    assert _returns_journaled(lane) == (1, 1)


def test_a_cashier_needs_a_supervisors_code_and_pin(lane: Till) -> None:
    sale = _sale(lane)
    body = {"sale": sale["receipt_no"], "lines": [{"line_no": 2, "qty": 1}], "reason": "torn"}
    cashier = lane.auth()
    refused = _return(lane, body, cashier)
    assert refused.status_code == 403 and "supervisor" in refused.get_json()["fields"]
    wrong = _return(
        lane, {**body, "supervisor": {"staff_code": SUPERVISOR, "pin": "0000"}}, cashier
    )
    assert wrong.status_code == 403
    assert _returns_journaled(lane) == (0, 0)
    approved = _return(
        lane, {**body, "supervisor": {"staff_code": SUPERVISOR, "pin": CASHIER_PIN}}, cashier
    )
    assert approved.status_code == 201, approved.get_json()
    assert approved.get_json()["approved_by"] == SUPERVISOR
    assert approved.get_json()["refund"] == CHIPS_PRICE


@pytest.mark.parametrize(
    ("lines", "field", "code"),
    [
        ([{"line_no": 1, "qty": 4}], "lines.0.qty", "exceeds_sold"),
        ([{"line_no": 9, "qty": 1}], "lines.0.line_no", "unknown_line"),
        ([{"line_no": 1, "qty": 0}], "lines.0.qty", "validation_failed"),
        ([], "lines", "validation_failed"),
    ],
)
def test_bad_lines_are_refused_naming_the_field_and_nothing_is_journaled(
    lane: Till, lines: list[dict[str, int]], field: str, code: str
) -> None:
    sale = _sale(lane)
    answer = _return(lane, {"sale": sale["receipt_no"], "lines": lines, "reason": "x"})
    assert answer.status_code == 422, answer.get_json()
    assert _names(answer.get_json()["fields"], field)
    assert answer.get_json()["code"] == code
    assert _returns_journaled(lane) == (0, 0)


def _names(fields: dict[str, Any], path: str) -> bool:
    """The error names `path`: as a flat key (`lines.0.qty`) or nested, as the schema has it."""
    if path in fields:
        return True
    node: Any = fields
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_units_already_returned_cannot_come_back_again(lane: Till) -> None:
    sale = _sale(lane)
    body = {"sale": sale["sale_id"], "lines": [{"line_no": 1, "qty": 2}], "reason": "x"}
    assert _return(lane, body).status_code == 201
    again = _return(lane, {**body, "return_id": new_id()})
    assert again.status_code == 422 and again.get_json()["code"] == "exceeds_sold"
    last = _return(lane, {**body, "lines": [{"line_no": 1, "qty": 1}]})
    assert last.status_code == 201
    assert _returns_journaled(lane) == (2, 2)


def test_a_return_needs_a_reason(lane: Till) -> None:
    sale = _sale(lane)
    answer = _return(lane, {"sale": sale["receipt_no"], "lines": [{"line_no": 1, "qty": 1}]})
    assert answer.status_code == 422 and "reason" in answer.get_json()["fields"]


def test_a_sale_neither_the_till_nor_the_store_knows_is_a_404(lane: Till) -> None:
    answer = _return(
        lane, {"sale": "S001-T01-261126-09999", "lines": [{"line_no": 1, "qty": 1}], "reason": "x"}
    )
    assert answer.status_code == 404
    assert answer.get_json()["code"] == "sale_not_found"
    assert _returns_journaled(lane) == (0, 0)
