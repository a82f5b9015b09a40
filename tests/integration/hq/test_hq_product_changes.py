"""Changing a product at HQ: published when done, refused changes publish nothing."""

from __future__ import annotations

from typing import Any

import pytest

from chainpos.signing import Credentials
from tests.factories import gtin

from .conftest import Hq


@pytest.fixture
def store(hq: Hq) -> Credentials:
    creds = hq.add_store("S001")
    hq.add_category()
    hq.ok(hq.post("/api/v1/brands", {"code": "ACME", "name_zh": "极品", "name_en": "Acme"}))
    hq.add_product("A1", [gtin(1)], 350, name_en="Cola")
    hq.add_product("B1", [gtin(2)], 500, name_en="Milk")
    return creds


def patch(hq: Hq, sku: str, body: dict[str, Any]) -> Any:
    return hq.client.patch(f"/api/v1/products/{sku}", json=body, headers=hq.auth())


def test_a_renamed_product_is_published_with_its_new_state(hq: Hq, store: Credentials) -> None:
    head = hq.changes(store)["head"]
    changed = hq.ok(patch(hq, "A1", {"name_en": "Cola Zero", "brand_code": "ACME"}), 200)
    assert (changed["sku"], changed["name_en"], changed["brand_code"]) == (
        "A1",
        "Cola Zero",
        "ACME",
    )
    [change] = hq.changes(store, since=head)["changes"]
    assert change["key"] == "A1"
    assert change["payload"]["name_en"] == "Cola Zero"
    assert change["payload"]["brand_name"] == "Acme"
    assert change["payload"]["barcodes"] == [gtin(1)]


def test_new_barcodes_replace_the_old_ones(hq: Hq, store: Credentials) -> None:
    hq.ok(patch(hq, "A1", {"barcodes": [gtin(10), gtin(11)]}), 200)
    assert hq.ok(hq.get("/api/v1/products", barcode=gtin(1)), 200) == []
    [found] = hq.ok(hq.get("/api/v1/products", barcode=gtin(11)), 200)
    assert found["barcodes"] == [gtin(10), gtin(11)]


def test_a_deactivated_product_is_published_inactive(hq: Hq, store: Credentials) -> None:
    head = hq.changes(store)["head"]
    hq.ok(patch(hq, "A1", {"active": False}), 200)
    [change] = hq.changes(store, since=head)["changes"]
    assert change["payload"]["active"] is False


def test_an_unknown_brand_is_refused_and_nothing_is_published(hq: Hq, store: Credentials) -> None:
    head = hq.changes(store)["head"]
    answer = patch(hq, "A1", {"brand_code": "NOPE", "name_en": "Renamed"})
    assert answer.status_code == 422
    assert answer.get_json()["fields"] == {"brand_code": "unknown"}
    assert hq.changes(store, since=head)["changes"] == []
    [product] = hq.ok(hq.get("/api/v1/products", barcode=gtin(1)), 200)
    assert (product["name_en"], product["brand_code"]) == ("Cola", None)


def test_repeated_barcodes_are_refused_and_nothing_changes(hq: Hq, store: Credentials) -> None:
    head = hq.changes(store)["head"]
    answer = patch(hq, "A1", {"barcodes": [gtin(20), gtin(20)]})
    assert answer.status_code == 409
    assert answer.get_json()["code"] == "duplicate_barcode"
    assert hq.changes(store, since=head)["changes"] == []
    assert [p["sku"] for p in hq.ok(hq.get("/api/v1/products", barcode=gtin(1)), 200)] == ["A1"]


def test_a_barcode_of_another_product_is_refused(hq: Hq, store: Credentials) -> None:
    answer = patch(hq, "A1", {"barcodes": [gtin(2)]})
    assert answer.status_code == 409
    assert [p["sku"] for p in hq.ok(hq.get("/api/v1/products", barcode=gtin(2)), 200)] == ["B1"]


def test_changing_an_unknown_product_is_not_found(hq: Hq, store: Credentials) -> None:
    answer = patch(hq, "ZZ", {"name_en": "Ghost"})
    assert answer.status_code == 404
    assert answer.get_json()["code"] == "unknown_product"
