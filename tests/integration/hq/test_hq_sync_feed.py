"""HQ's change feed and snapshot as a store pulls them, signed with its own key."""

from __future__ import annotations

from typing import Any

from tests.factories import COLA_EAN, MILK_EAN, gtin, iso, product_in, utc

from .conftest import Hq


def entities(page: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["entity"], c["key"]) for c in page["changes"]]


def test_a_new_product_is_published_to_the_feed_with_its_barcodes_and_price(hq: Hq) -> None:
    store = hq.add_store("S001")
    hq.add_category("GROC", 900)
    hq.add_product("A1", [COLA_EAN], 350)

    page = hq.changes(store)
    product = next(c for c in page["changes"] if c["entity"] == "product")
    assert product["key"] == "A1"
    assert product["payload"]["barcodes"] == [COLA_EAN]
    assert product["payload"]["tax_rate_bp"] == 900
    assert [p["price"] for p in product["payload"]["prices"]] == [350]
    assert page["head"] == max(c["version"] for c in page["changes"])


def test_feed_versions_increase_and_since_returns_only_later_changes(hq: Hq) -> None:
    store = hq.add_store("S001")
    hq.add_category()
    hq.add_product("A1", [gtin(1)], 350)
    first = hq.changes(store)
    versions = [c["version"] for c in first["changes"]]
    assert versions == sorted(versions)
    assert len(set(versions)) == len(versions)

    hq.add_product("A2", [gtin(2)], 450)
    later = hq.changes(store, since=first["head"])
    assert entities(later) == [("product", "A2")]
    assert later["changes"][0]["version"] > first["head"]
    assert hq.changes(store, since=later["head"])["changes"] == []


def test_the_feed_is_served_in_pages_of_the_requested_size(hq: Hq) -> None:
    store = hq.add_store("S001")
    hq.add_category()
    for n in range(5):
        hq.add_product(f"A{n}", [gtin(n)], 100 + n)
    seen: list[tuple[str, str]] = []
    since = 0
    while True:
        page = hq.changes(store, since=since, limit=2)
        if not page["changes"]:
            break
        assert len(page["changes"]) <= 2
        seen += entities(page)
        since = page["changes"][-1]["version"]
    assert [key for entity, key in seen if entity == "product"] == [f"A{n}" for n in range(5)]


def test_a_future_price_is_sent_ahead_with_its_effective_time(hq: Hq) -> None:
    store = hq.add_store("S001")
    hq.add_category()
    hq.add_product("A1", [COLA_EAN], 350)
    head = hq.changes(store)["head"]
    starts = utc(3)
    hq.set_price("A1", 399, effective_from=iso(starts))

    page = hq.changes(store, since=head)
    assert entities(page)[0][0] == "price"
    payload = page["changes"][0]["payload"]
    assert payload["price"] == 399
    assert payload["store"] is None
    assert payload["effective_from"][:19] == iso(starts)[:19]


def test_a_store_price_is_only_in_that_stores_feed(hq: Hq) -> None:
    s1 = hq.add_store("S001")
    s2 = hq.add_store("S002")
    hq.add_category()
    hq.add_product("A1", [MILK_EAN], 500)
    own = hq.set_price("A1", 480, store="S001")
    chain = hq.set_price("A1", 520)

    def price_ids(creds: Any) -> set[str]:
        return {c["key"] for c in hq.changes(creds)["changes"] if c["entity"] == "price"}

    assert price_ids(s1) == {own["id"], chain["id"]}
    assert price_ids(s2) == {chain["id"]}


def test_each_store_sees_only_its_own_store_record_and_tills(hq: Hq) -> None:
    s1 = hq.add_store("S001")
    s2 = hq.add_store("S002")
    hq.add_till("S001", "S001-T01")
    hq.add_till("S002", "S002-T01")
    assert [k for e, k in entities(hq.changes(s1)) if e in ("store", "till")] == [
        "S001",
        "S001-T01",
    ]
    assert [k for e, k in entities(hq.changes(s2)) if e in ("store", "till")] == [
        "S002",
        "S002-T01",
    ]


def snapshot(hq: Hq, creds: Any, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Follow the snapshot pages the way the feed puller does; returns the items and pages."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": limit}
        if after:
            params["after"] = after
        answer = hq.signed_get(creds, "/api/v1/sync/snapshot", **params)
        assert answer.status_code == 200, answer.get_json()
        page = answer.get_json()
        pages += 1
        assert len(page["items"]) <= limit
        items += page["items"]
        after = page["next"]
        if after is None:
            return items, pages
        assert pages < 100, "snapshot paging does not end"


def test_snapshot_paging_returns_every_product_exactly_once(hq: Hq) -> None:
    s1 = hq.add_store("S001")
    hq.add_store("S002")
    hq.add_till("S001", "S001-T01")
    hq.add_till("S001", "S001-T02")
    hq.add_category()
    skus = [f"P{n:03d}" for n in range(23)]
    hq.ok(
        hq.post(
            "/api/v1/products/batch",
            {"products": [product_in(sku, [gtin(n)], 100 + n) for n, sku in enumerate(skus)]},
        )
    )

    for limit in (1, 3, 7, 1000):
        items, pages = snapshot(hq, s1, limit)
        products = [i["key"] for i in items if i["entity"] == "product"]
        assert products == skus, f"limit {limit}"
        assert [i["key"] for i in items if i["entity"] == "store"] == ["S001"]
        assert [i["key"] for i in items if i["entity"] == "till"] == ["S001-T01", "S001-T02"]
        if limit == 1:
            assert pages >= len(items)


def test_the_snapshot_carries_a_stores_own_prices_but_not_another_stores(hq: Hq) -> None:
    s1 = hq.add_store("S001")
    s2 = hq.add_store("S002")
    hq.add_category()
    hq.add_product("A1", [COLA_EAN], 350)
    own = hq.set_price("A1", 330, store="S001")

    def prices(creds: Any) -> set[str | None]:
        items, _ = snapshot(hq, creds, 100)
        product = next(i for i in items if i["entity"] == "product")
        return {p["store"] for p in product["payload"]["prices"]}

    assert prices(s1) == {None, "S001"}
    assert prices(s2) == {None}
    assert own["store"] == "S001"


def test_the_snapshot_reports_the_feed_version_to_continue_from(hq: Hq) -> None:
    s1 = hq.add_store("S001")
    hq.add_category()
    hq.add_product("A1", [COLA_EAN], 350)
    answer = hq.signed_get(s1, "/api/v1/sync/snapshot", limit=10)
    assert answer.get_json()["version"] == hq.changes(s1)["head"]
