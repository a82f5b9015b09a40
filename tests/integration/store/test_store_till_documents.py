"""The store takes sales from its own tills only: signed, for this store, exactly once."""

from __future__ import annotations

import json

from sqlalchemy import select

from chainpos.signing import Credentials
from store_server.models import SYNC
from tests.factories import COLA_EAN, sale_document

from .conftest import Store


def test_a_sale_from_an_own_till_takes_stock_and_is_queued_for_hq(store: Store) -> None:
    document = sale_document(store="S001", till="S001-T01", lines=[("A1", 3, 1050)])
    answer = store.deliver(store.till("S001-T01"), document)
    assert answer.status_code == 200
    assert answer.get_json()["acks"] == [{"doc_id": document["id"], "status": "applied"}]
    assert store.state() == ([("A1", -3)], 1, 1, 1)
    with store.sessions() as session:
        queued = session.scalars(select(SYNC.outbox)).one()
    assert json.loads(queued.payload) == document  # passed on to HQ unchanged

    stock = store.client.get(f"/api/v1/stock?barcode={COLA_EAN}").get_json()
    assert stock == {"sku": "A1", "barcode": COLA_EAN, "on_hand": -3}


def test_a_sale_delivered_twice_takes_stock_once(store: Store) -> None:
    document = sale_document(store="S001", till="S001-T01")
    store.deliver(store.till("S001-T01"), document)
    before = store.state()
    answer = store.deliver(store.till("S001-T01"), document)
    assert answer.get_json()["acks"] == [{"doc_id": document["id"], "status": "duplicate"}]
    assert store.state() == before


def test_a_till_the_store_does_not_know_is_refused_with_401(store: Store) -> None:
    before = store.state()
    stranger = store.till("S001-T09")  # a plausible key, but not a till of this store
    answer = store.deliver(stranger, sale_document(store="S001", till="S001-T09"))
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "unauthorized"
    assert store.state() == before


def test_a_key_signed_with_a_secret_not_derived_from_the_stores_is_refused(store: Store) -> None:
    before = store.state()
    forged = Credentials("S001-T01", "guessed-secret")
    answer = store.deliver(forged, sale_document(store="S001", till="S001-T01"))
    assert answer.status_code == 401
    assert store.state() == before


def test_a_till_of_another_store_is_refused_with_401(store: Store) -> None:
    before = store.state()
    answer = store.deliver(store.till("S002-T01"), sale_document(store="S002", till="S002-T01"))
    assert answer.status_code == 401
    assert store.state() == before


def test_a_document_for_another_store_is_rejected_and_changes_nothing(store: Store) -> None:
    before = store.state()
    document = sale_document(store="S002", till="S001-T01")
    answer = store.deliver(store.till("S001-T01"), document)
    assert answer.status_code == 200
    [ack] = answer.get_json()["acks"]
    assert ack["status"] == "rejected"
    assert "S002" in ack["reason"]
    stock, movements, outbox, received = store.state()
    assert (stock, movements, received) == (before[0], before[1], before[3])
    assert outbox == 0  # nothing goes on to HQ


def test_a_document_of_another_till_of_this_store_is_rejected(store: Store) -> None:
    before = store.state()
    document = sale_document(store="S001", till="S001-T02")
    [ack] = store.deliver(store.till("S001-T01"), document).get_json()["acks"]
    assert ack["status"] == "rejected"
    assert store.state() == before


def test_a_sale_without_lines_is_rejected(store: Store) -> None:
    document = sale_document(store="S001", till="S001-T01", lines=[])
    [ack] = store.deliver(store.till("S001-T01"), document).get_json()["acks"]
    assert ack["status"] == "rejected"
    assert store.state() == ([], 0, 0, 0)


def test_an_unsigned_delivery_is_refused(store: Store) -> None:
    answer = store.client.post(
        "/api/v1/sync/documents", json={"documents": [sale_document(store="S001")]}
    )
    assert answer.status_code == 401
    assert store.state() == ([], 0, 0, 0)


def test_a_gap_in_a_tills_sequence_shows_in_the_stores_sync_status(store: Store) -> None:
    till = store.till("S001-T01")
    store.deliver(till, sale_document(store="S001", till="S001-T01", seq=1))
    store.deliver(till, sale_document(store="S001", till="S001-T01", seq=3))
    status = store.client.get("/api/v1/sync/status").get_json()
    assert status["tier"] == "store"
    assert status["gaps"] == {"S001/S001-T01": [[2, 2]]}
    assert status["outbox_depth"] == 2


def test_stock_for_an_unknown_barcode_is_not_found(store: Store) -> None:
    answer = store.client.get("/api/v1/stock?barcode=6900000000991")
    assert answer.status_code == 404
    assert answer.get_json()["fields"] == {"barcode": "unknown"}
