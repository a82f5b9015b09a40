"""Any lane of a store takes a return: the store keeps its tills' sales and their returns."""

from __future__ import annotations

from typing import Any

from chainpos.ids import new_id
from tests.factories import iso, sale_document, signed_request, utc

from .conftest import Store


def _lookup(store: Store, till: str, ref: str) -> Any:
    target, _, headers = signed_request(
        store.till(till), "GET", "/api/v1/sales", params={"ref": ref}
    )
    return store.client.get(target, headers=headers)


def _return_document(sale: dict[str, Any], till: str, seq: int, qty: int) -> dict[str, Any]:
    return {
        "id": new_id(),
        "type": "sale_return",
        "origin_store": "S001",
        "origin_till": till,
        "business_day": "2026-11-26",
        "seq": seq,
        "created_at": iso(utc()),
        "body": {
            "return_id": new_id(),
            "receipt_no": f"RS001-T02-261126-{seq:05d}",
            "sale_doc_id": sale["id"],
            "sale_id": sale["body"]["sale_id"],
            "cashier": "1001",
            "approved_by": "9001",
            "reason": "damaged",
            "lines": [
                {"line_no": 1, "sku": "A1", "qty": qty, "stock_qty": qty, "refund": 350 * qty}
            ],
            "refund": 350 * qty,
            "paid_out": 350 * qty,
            "refund_tenders": [{"index": 0, "method": "cash", "amount": 350 * qty}],
        },
    }


def test_another_lane_finds_the_sale_and_its_returns_put_stock_back(store: Store) -> None:
    sale = sale_document(store="S001", till="S001-T01", lines=[("A1", 3, 1050)])
    store.deliver(store.till("S001-T01"), sale)

    found = _lookup(store, "S001-T02", sale["body"]["receipt_no"])
    assert found.status_code == 200, found.get_json()
    assert found.get_json() == {"document": sale, "returns": []}
    assert _lookup(store, "S001-T02", sale["body"]["sale_id"]).get_json()["document"] == sale

    back = _return_document(sale, "S001-T02", 1, 2)
    answer = store.deliver(store.till("S001-T02"), back)
    assert answer.get_json()["acks"] == [{"doc_id": back["id"], "status": "applied"}]
    stock, movements, outbox, _ = store.state()
    assert stock == [("A1", -1)] and movements == 2 and outbox == 2  # both go on to HQ

    returns = _lookup(store, "S001-T01", sale["id"]).get_json()["returns"]
    assert returns == [
        {
            "doc_id": back["id"],
            "lines": back["body"]["lines"],
            "refund_tenders": back["body"]["refund_tenders"],
        }
    ]


def test_an_unknown_sale_is_a_404_naming_it(store: Store) -> None:
    answer = _lookup(store, "S001-T01", "S001-T01-261126-09999")
    assert answer.status_code == 404
    assert answer.get_json()["fields"] == {"sale": "unknown"}


def test_a_malformed_return_is_rejected_and_changes_nothing(store: Store) -> None:
    sale = sale_document(store="S001", till="S001-T01", lines=[("A1", 3, 1050)])
    store.deliver(store.till("S001-T01"), sale)
    before = store.state()
    bad = _return_document(sale, "S001-T02", 1, 1)
    del bad["body"]["lines"][0]["stock_qty"]
    answer = store.deliver(store.till("S001-T02"), bad)
    assert answer.get_json()["acks"][0]["status"] == "rejected"
    assert store.state()[:3] == before[:3]


def test_the_lookup_is_for_the_stores_own_tills_only(store: Store) -> None:
    answer = _lookup(store, "S002-T01", "anything")
    assert answer.status_code == 401
