"""Stores deliver journal documents to HQ: applied once, duplicates harmless, bad ones rejected."""

from __future__ import annotations

from typing import Any

import pytest

from chainpos.signing import Credentials
from hq_server.models import Sale, SaleLine, StockLevel
from tests.factories import COLA_EAN, MILK_EAN, sale_document

from .conftest import Hq

DAY = "2026-11-26"


@pytest.fixture
def chain(hq: Hq) -> dict[str, Credentials]:
    """Two stores with a till each, and two products."""
    creds = {"S001": hq.add_store("S001"), "S002": hq.add_store("S002")}
    hq.add_till("S001", "S001-T01")
    hq.add_till("S002", "S002-T01")
    hq.add_category()
    hq.add_product("A1", [COLA_EAN], 350)
    hq.add_product("B1", [MILK_EAN], 500)
    return creds


def effects(hq: Hq) -> tuple[int, int, list[tuple[str, str, int]]]:
    """Everything a sale changes at HQ: sales, sale lines and stock levels."""
    with hq.sessions() as session:
        stock = sorted((s.store_code, s.sku, s.on_hand) for s in session.query(StockLevel).all())
    return hq.count(Sale), hq.count(SaleLine), stock


def test_a_sale_is_applied_with_its_lines_and_takes_stock(hq: Hq, chain: Any) -> None:
    document = sale_document(seq=1, lines=[("A1", 2, 700), ("B1", 1, 500)])
    assert hq.send_documents(chain["S001"], document) == [
        {"doc_id": document["id"], "status": "applied"}
    ]
    assert effects(hq) == (1, 2, [("S001", "A1", -2), ("S001", "B1", -1)])


def test_a_re_sent_sale_is_a_duplicate_and_changes_nothing(hq: Hq, chain: Any) -> None:
    document = sale_document(seq=1)
    hq.send_documents(chain["S001"], document)
    before = effects(hq)
    acks = hq.send_documents(chain["S001"], document)
    assert acks == [{"doc_id": document["id"], "status": "duplicate"}]
    assert effects(hq) == before == (1, 1, [("S001", "A1", -2)])


def test_a_sale_repeated_within_one_batch_is_applied_once(hq: Hq, chain: Any) -> None:
    document = sale_document(seq=1)
    acks = hq.send_documents(chain["S001"], document, document)
    assert [a["status"] for a in acks] == ["applied", "duplicate"]
    assert effects(hq) == (1, 1, [("S001", "A1", -2)])


def test_a_document_of_another_store_is_rejected_and_changes_nothing(hq: Hq, chain: Any) -> None:
    before = effects(hq)
    document = sale_document(store="S002", till="S002-T01")
    [ack] = hq.send_documents(chain["S001"], document)
    assert ack["status"] == "rejected"
    assert "S002" in ack["reason"]
    assert effects(hq) == before
    assert hq.client.get("/api/v1/sync/status").get_json()["origins"] == {}


def test_a_document_from_an_unknown_till_is_rejected(hq: Hq, chain: Any) -> None:
    before = effects(hq)
    [ack] = hq.send_documents(chain["S001"], sale_document(till="S001-T09"))
    assert ack["status"] == "rejected"
    assert "S001-T09" in ack["reason"]
    [ack] = hq.send_documents(chain["S001"], sale_document(till="S002-T01"))
    assert ack["status"] == "rejected"
    assert effects(hq) == before


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda d: d.pop("body"), "body"),
        (lambda d: d.update(seq=0), "seq"),
        (lambda d: d.update(business_day="26/11/2026"), "business_day"),
        (lambda d: d.update(type="refund"), "type"),
        (lambda d: d["body"].pop("lines"), "malformed sale"),
        (lambda d: d["body"].update(total=1), "do not add up"),
        (lambda d: d["body"]["lines"][0].update(amount="seven"), "malformed sale"),
    ],
)
def test_a_malformed_document_is_rejected_and_changes_nothing(
    hq: Hq, chain: Any, damage: Any, reason: str
) -> None:
    document = sale_document(seq=1)
    damage(document)
    before = effects(hq)
    [ack] = hq.send_documents(chain["S001"], document)
    assert ack["status"] == "rejected"
    assert reason in ack["reason"]
    assert effects(hq) == before


def test_a_rejected_document_does_not_stop_the_rest_of_the_batch(hq: Hq, chain: Any) -> None:
    good = sale_document(seq=1)
    bad = sale_document(store="S002", till="S002-T01", seq=1)
    acks = hq.send_documents(chain["S001"], bad, good)
    assert [a["status"] for a in acks] == ["rejected", "applied"]
    assert effects(hq)[0] == 1


@pytest.mark.parametrize(
    "batch", [{"documents": []}, {"documents": "all of them"}, {"docs": []}, [1, 2]]
)
def test_a_malformed_batch_is_refused_with_422(hq: Hq, chain: Any, batch: Any) -> None:
    answer = hq.signed_post(chain["S001"], "/api/v1/sync/documents", batch)
    assert answer.status_code in (400, 422)
    assert set(answer.get_json()) == {"code", "message", "fields"}
    assert effects(hq) == (0, 0, [])


def test_a_gap_in_a_tills_sequence_is_reported_until_it_is_filled(hq: Hq, chain: Any) -> None:
    hq.send_documents(chain["S001"], sale_document(seq=1), sale_document(seq=3))
    status = hq.client.get("/api/v1/sync/status").get_json()
    assert status["gaps"] == {"S001/S001-T01": [[2, 2]]}
    assert status["origins"]["S001/S001-T01"] == {"contiguous_seq": 1, "max_seq": 3}

    hq.send_documents(chain["S001"], sale_document(seq=2))
    status = hq.client.get("/api/v1/sync/status").get_json()
    assert status["gaps"] == {}
    assert status["origins"]["S001/S001-T01"] == {"contiguous_seq": 3, "max_seq": 3}


def test_gaps_are_tracked_per_origin(hq: Hq, chain: Any) -> None:
    hq.send_documents(chain["S001"], sale_document(seq=2), sale_document(seq=5))
    hq.send_documents(chain["S002"], sale_document(store="S002", till="S002-T01", seq=1))
    assert hq.client.get("/api/v1/sync/status").get_json()["gaps"] == {
        "S001/S001-T01": [[1, 1], [3, 4]]
    }


def test_sales_are_reported_per_store_and_business_day(hq: Hq, chain: Any) -> None:
    hq.send_documents(
        chain["S001"],
        sale_document(seq=1, lines=[("A1", 1, 350)]),
        sale_document(seq=2, lines=[("B1", 2, 1000)]),
        sale_document(seq=3, business_day="2026-11-27", lines=[("A1", 1, 350)]),
    )
    hq.send_documents(
        chain["S002"], sale_document(store="S002", till="S002-T01", lines=[("A1", 3, 1050)])
    )
    report = hq.ok(hq.get("/api/v1/reports/sales", business_day=DAY), 200)
    assert report == {
        "business_day": DAY,
        "stores": [
            {"store": "S001", "sales": 2, "total": 1350, "returns": 0, "refunded": 0, "net": 1350},
            {"store": "S002", "sales": 1, "total": 1050, "returns": 0, "refunded": 0, "net": 1050},
        ],
    }
    next_day = hq.ok(hq.get("/api/v1/reports/sales", business_day="2026-11-27"), 200)
    assert next_day["stores"] == [
        {"store": "S001", "sales": 1, "total": 350, "returns": 0, "refunded": 0, "net": 350},
        {"store": "S002", "sales": 0, "total": 0, "returns": 0, "refunded": 0, "net": 0},
    ]


def test_a_sales_report_needs_a_valid_business_day(hq: Hq, chain: Any) -> None:
    answer = hq.get("/api/v1/reports/sales", business_day="yesterday")
    assert answer.status_code == 422
    assert "business_day" in answer.get_json()["fields"]


def test_stock_is_reported_per_store_for_a_barcode(hq: Hq, chain: Any) -> None:
    count = {
        **sale_document(store="S001", till=None, seq=1),
        "type": "stock_count",
        "body": {"lines": [{"sku": "A1", "on_hand": 40}, {"sku": "B1", "on_hand": 12}]},
    }
    assert hq.send_documents(chain["S001"], count)[0]["status"] == "applied"
    hq.send_documents(chain["S001"], sale_document(seq=1, lines=[("A1", 3, 1050)]))
    hq.send_documents(
        chain["S002"], sale_document(store="S002", till="S002-T01", lines=[("A1", 1, 350)])
    )
    stock = hq.ok(hq.get("/api/v1/stock", barcode=COLA_EAN), 200)
    assert stock == {
        "sku": "A1",
        "barcode": COLA_EAN,
        "stores": [{"store": "S001", "on_hand": 37}, {"store": "S002", "on_hand": -1}],
    }


def test_stock_for_an_unknown_barcode_is_not_found(hq: Hq, chain: Any) -> None:
    answer = hq.get("/api/v1/stock", barcode="6900000000991")
    assert answer.status_code == 404
    assert answer.get_json()["fields"] == {"barcode": "unknown"}


def test_a_sale_with_a_created_at_without_utc_offset_is_rejected_alone(hq: Hq, chain: Any) -> None:
    naive = sale_document(seq=1)
    naive["created_at"] = "2026-11-26T10:00:00"
    good = sale_document(seq=2)
    acks = hq.send_documents(chain["S001"], naive, good)
    assert [a["status"] for a in acks] == ["rejected", "applied"]
    assert effects(hq)[0] == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d["body"].update(receipt_no="S001-T01-261126-" + "9" * 40),
        lambda d: d["body"].update(cashier="C" * 80),
        lambda d: d.update(seq=2**40),
    ],
    ids=["receipt_no_too_long", "cashier_too_long", "seq_out_of_range"],
)
def test_a_value_the_database_cannot_hold_does_not_fail_the_batch(
    hq: Hq, chain: Any, hq_db_url: str, damage: Any
) -> None:
    poison = sale_document(seq=1)
    damage(poison)
    good = sale_document(seq=2)
    acks = hq.send_documents(chain["S001"], poison, good)
    assert acks[1] == {"doc_id": good["id"], "status": "applied"}
    if hq_db_url.startswith("postgresql"):
        # PostgreSQL enforces the column types: the document is refused, not the batch.
        assert acks[0]["status"] == "rejected"
        assert effects(hq)[0] == 1


def test_a_batch_of_new_sales_is_applied_together_with_stock_summed(hq: Hq, chain: Any) -> None:
    documents = [sale_document(seq=n, lines=[("A1", n, 350 * n)]) for n in (1, 2, 3)]
    acks = hq.send_documents(chain["S001"], *documents, documents[1])
    assert [a["status"] for a in acks] == ["applied", "applied", "applied", "duplicate"]
    assert effects(hq) == (3, 3, [("S001", "A1", -6)])
    status = hq.client.get("/api/v1/sync/status").get_json()
    assert status["origins"]["S001/S001-T01"] == {"contiguous_seq": 3, "max_seq": 3}
    assert status["gaps"] == {}


def test_one_bad_document_sends_the_batch_the_slow_way_and_only_it_is_rejected(
    hq: Hq, chain: Any
) -> None:
    good = [sale_document(seq=n) for n in (1, 2)]
    foreign = sale_document(seq=1, store="S002", till="S002-T01")
    acks = hq.send_documents(chain["S001"], good[0], foreign, good[1])
    assert [a["status"] for a in acks] == ["applied", "rejected", "applied"]
    assert effects(hq) == (2, 2, [("S001", "A1", -4)])
