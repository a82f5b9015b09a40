"""HQ's promotions API: definitions checked field by field, status changes, preview, feed."""

from __future__ import annotations

from typing import Any

import pytest

from hq_server.promotions.models import PromotionRecord
from retail.barcodes import with_check_digit
from tests.integration.hq.conftest import Hq

COLA = with_check_digit("690000000001")
CHIPS = with_check_digit("690000000002")


@pytest.fixture
def shop(hq: Hq) -> Hq:
    hq.add_category()
    hq.add_product("A1", [COLA], 350)
    hq.add_product("B1", [CHIPS], 1299)
    return hq


def _definition(**overrides: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "id": "P-COLA",
        "name": "可乐8折 Cola 20% off",
        "kind": "item_discount",
        "target": {"product_ids": ["A1"]},
        "rule": {"mode": "percent", "percent": "20"},
    }
    definition.update(overrides)
    return definition


def test_a_promotion_is_saved_and_sent_down_the_feed(shop: Hq) -> None:
    store = shop.add_store("S001")
    created = shop.ok(shop.post("/api/v1/promotions", _definition()))
    assert created["id"] == "P-COLA" and created["status"] == "active"
    changes = [c for c in shop.changes(store)["changes"] if c["entity"] == "promotion"]
    assert [c["key"] for c in changes] == ["P-COLA"]
    assert changes[0]["payload"]["rule"] == created["rule"]
    assert shop.ok(shop.get("/api/v1/promotions/P-COLA"), 200)["name"] == "可乐8折 Cola 20% off"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"rule": {"mode": "percent", "percent": "120"}}, "rule.percent"),
        ({"target": {}}, "target"),
        (
            {
                "schedule": {
                    "starts_at": "2026-12-02T00:00:00+08:00",
                    "ends_at": "2026-12-01T00:00:00+08:00",
                }
            },
            "schedule.ends_at",
        ),
        ({"target": {"product_ids": ["NOPE"]}}, "target.product_ids"),
        ({"target": {"category_ids": ["NOPE"]}}, "target.category_ids"),
        ({"kind": "mystery"}, "kind"),
    ],
    ids=[
        "percent_over_100",
        "empty_target",
        "end_before_start",
        "unknown_product",
        "unknown_category",
        "unknown_kind",
    ],
)
def test_a_bad_definition_is_refused_naming_the_field_and_nothing_is_saved(
    shop: Hq, overrides: dict[str, Any], field: str
) -> None:
    answer = shop.post("/api/v1/promotions", _definition(**overrides))
    assert answer.status_code == 422, answer.get_json()
    body = answer.get_json()
    assert field in body["fields"], body
    assert body["message"]
    assert shop.count(PromotionRecord) == 0


def test_a_duplicate_id_is_refused_and_the_first_stays(shop: Hq) -> None:
    shop.ok(shop.post("/api/v1/promotions", _definition()))
    answer = shop.post("/api/v1/promotions", _definition(name="other"))
    assert answer.status_code == 409
    assert answer.get_json()["fields"] == {"id": "already exists"}
    assert shop.ok(shop.get("/api/v1/promotions/P-COLA"), 200)["name"] == "可乐8折 Cola 20% off"


def test_pause_resume_and_end_follow_the_allowed_transitions(shop: Hq) -> None:
    shop.ok(shop.post("/api/v1/promotions", _definition()))
    assert shop.ok(shop.post("/api/v1/promotions/P-COLA/pause", {}), 200)["status"] == "paused"
    assert shop.post("/api/v1/promotions/P-COLA/pause", {}).status_code == 409
    assert shop.ok(shop.post("/api/v1/promotions/P-COLA/resume", {}), 200)["status"] == "active"
    assert shop.ok(shop.post("/api/v1/promotions/P-COLA/end", {}), 200)["status"] == "ended"
    assert shop.post("/api/v1/promotions/P-COLA/resume", {}).status_code == 409
    assert shop.post("/api/v1/promotions/NOPE/pause", {}).status_code == 404


def test_preview_prices_a_sample_basket_without_saving_anything(shop: Hq) -> None:
    shop.add_store("S001")
    preview = shop.ok(
        shop.post(
            "/api/v1/promotions/preview",
            {
                "promotion": _definition(status="paused"),
                "lines": [{"sku": "A1", "qty": 2}, {"sku": "B1", "qty": 1}],
                "store": "S001",
            },
        ),
        200,
    )
    assert preview["regular_total"] == 2 * 350 + 1299
    assert preview["saving"] == 140
    assert preview["total"] == preview["regular_total"] - 140
    assert preview["lines"][0]["savings"][0]["amount"] == 140
    assert shop.count(PromotionRecord) == 0


def test_the_promotion_api_is_in_the_openapi_document(shop: Hq) -> None:
    paths = shop.client.get("/api/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/promotions",
        "/api/v1/promotions/{promotion_id}",
        "/api/v1/promotions/{promotion_id}/pause",
        "/api/v1/promotions/preview",
    ):
        assert path in paths, path
