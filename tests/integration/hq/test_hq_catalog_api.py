"""HQ's staff API: sign-in, categories, brands, products and prices."""

from __future__ import annotations

from tests.factories import (
    ADMIN,
    ADMIN_PASSWORD,
    COLA_EAN,
    MILK_EAN,
    category_in,
    gtin,
    iso,
    product_in,
    utc,
)

from .conftest import Hq


def test_an_admin_gets_a_token_with_the_right_password(hq: Hq) -> None:
    answer = hq.client.post(
        "/api/v1/auth/token", json={"username": ADMIN, "password": ADMIN_PASSWORD}
    )
    assert answer.status_code == 200
    assert answer.get_json()["role"] == "admin"
    token = answer.get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert hq.client.get("/api/v1/products", headers=headers).status_code == 200
    assert (
        hq.client.post("/api/v1/categories", json=category_in(), headers=headers).status_code == 201
    )


def test_a_forged_token_is_refused(hq: Hq) -> None:
    headers = {"Authorization": f"Bearer {hq.token()}x"}
    answer = hq.client.get("/api/v1/products", headers=headers)
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "unauthorized"


def test_a_wrong_password_gets_no_token(hq: Hq) -> None:
    answer = hq.client.post("/api/v1/auth/token", json={"username": ADMIN, "password": "nope"})
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "bad_credentials"


def test_catalog_changes_need_a_token(hq: Hq) -> None:
    answer = hq.client.post(
        "/api/v1/categories",
        json={"code": "GROC", "name_zh": "食品", "name_en": "Grocery", "tax_rate_bp": 1300},
    )
    assert answer.status_code == 401
    assert set(answer.get_json()) == {"code", "message", "fields"}


def test_an_admin_adds_a_category_brand_and_product_found_by_barcode(hq: Hq) -> None:
    hq.add_category("GROC", 1300)
    hq.ok(
        hq.post("/api/v1/brands", {"code": "COKE", "name_zh": "可口可乐", "name_en": "Coca-Cola"})
    )
    created = hq.add_product("A1", [COLA_EAN], 350, name_en="Cola 330ml", brand_code="COKE")
    assert created["sku"] == "A1"
    assert created["brand_code"] == "COKE"
    assert created["barcodes"] == [COLA_EAN]
    assert [p["price"] for p in created["prices"]] == [350]

    found = hq.ok(hq.get("/api/v1/products", barcode=COLA_EAN), 200)
    assert [p["sku"] for p in found] == ["A1"]
    assert found[0]["name_en"] == "Cola 330ml"


def test_products_are_found_by_text_in_their_name_or_by_sku(hq: Hq) -> None:
    hq.add_category()
    hq.add_product("A1", [gtin(1)], 350, name_en="Cola 330ml")
    hq.add_product("A2", [gtin(2)], 500, name_en="Orange juice")
    hq.add_product("B1", [gtin(3)], 400, name_en="Diet cola")
    assert [p["sku"] for p in hq.ok(hq.get("/api/v1/products", q="cola"), 200)] == ["A1", "B1"]
    assert [p["sku"] for p in hq.ok(hq.get("/api/v1/products", q="A2"), 200)] == ["A2"]
    assert hq.ok(hq.get("/api/v1/products", barcode=gtin(99)), 200) == []


def test_a_product_in_an_unknown_category_is_refused_and_not_created(hq: Hq) -> None:
    answer = hq.post(
        "/api/v1/products",
        {
            "sku": "A1",
            "name_zh": "可乐",
            "name_en": "Cola",
            "category_code": "NOPE",
            "barcodes": [COLA_EAN],
            "price": 350,
        },
    )
    assert answer.status_code == 422
    assert answer.get_json()["fields"] == {"category_code": "unknown"}
    assert hq.ok(hq.get("/api/v1/products", barcode=COLA_EAN), 200) == []


def test_a_barcode_with_a_wrong_check_digit_is_refused(hq: Hq) -> None:
    hq.add_category()
    bad = COLA_EAN[:-1] + str((int(COLA_EAN[-1]) + 1) % 10)
    answer = hq.post(
        "/api/v1/products",
        {
            "sku": "A1",
            "name_zh": "可乐",
            "name_en": "Cola",
            "category_code": "GROC",
            "barcodes": [bad],
            "price": 350,
        },
    )
    assert answer.status_code == 422
    assert "barcodes" in answer.get_json()["fields"]


def test_chain_and_store_prices_now_and_in_future_are_recorded(hq: Hq) -> None:
    hq.add_category()
    hq.add_store("S001")
    hq.add_product("A1", [MILK_EAN], 500)
    future = utc(7)
    chain_later = hq.set_price("A1", 550, effective_from=iso(future))
    store_now = hq.set_price("A1", 480, store="S001")
    assert chain_later["store"] is None
    assert store_now["store"] == "S001"

    product = hq.ok(hq.get("/api/v1/products", barcode=MILK_EAN), 200)[0]
    assert sorted((p["price"], p["store"]) for p in product["prices"]) == [
        (480, "S001"),
        (500, None),
        (550, None),
    ]


def test_a_price_for_an_unknown_store_or_product_is_refused(hq: Hq) -> None:
    hq.add_category()
    hq.add_product("A1", [COLA_EAN], 350)
    assert (
        hq.post("/api/v1/prices", {"sku": "A1", "price": 300, "store": "S404"}).status_code == 404
    )
    assert hq.post("/api/v1/prices", {"sku": "ZZ", "price": 300}).status_code == 404


def test_a_naive_effective_time_is_refused(hq: Hq) -> None:
    hq.add_category()
    hq.add_product("A1", [COLA_EAN], 350)
    answer = hq.post(
        "/api/v1/prices", {"sku": "A1", "price": 300, "effective_from": "2030-01-01T00:00:00"}
    )
    assert answer.status_code == 422
    assert "effective_from" in answer.get_json()["fields"]


def test_a_new_product_is_answered_with_itself_even_when_another_name_mentions_its_sku(
    hq: Hq,
) -> None:
    hq.add_category()
    hq.add_product("A1", [gtin(1)], 100, name_en="Batteries for the B2 remote")
    created = hq.add_product("B2", [gtin(2)], 200, name_en="Remote")
    assert (created["sku"], created["name_en"], created["barcodes"]) == ("B2", "Remote", [gtin(2)])
    [found] = hq.ok(hq.get("/api/v1/products", barcode=gtin(2)), 200)
    assert found["sku"] == "B2"


def test_a_barcode_in_full_width_digits_is_refused(hq: Hq) -> None:
    hq.add_category()
    answer = hq.post("/api/v1/products", product_in("A1", ["１２３４"], 100))
    assert answer.status_code == 422
    assert "barcodes" in answer.get_json()["fields"]
    assert hq.ok(hq.get("/api/v1/products", q="A1"), 200) == []
