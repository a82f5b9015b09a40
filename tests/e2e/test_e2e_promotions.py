"""Promotions made at HQ reach a till and keep time there, connected or not."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.chain import Chain, http, wait_for

pytestmark = pytest.mark.e2e


def _quote(chain: Chain, barcode: str) -> dict[str, Any]:
    answer = http.post(
        chain.url("S001-T01") + "/api/v1/sales/quote",
        timeout=10,
        json={"lines": [{"barcode": barcode, "qty": 1}]},
        headers={"Authorization": f"Bearer {chain.till_token('S001-T01')}"},
    )
    assert answer.status_code == 200, answer.text
    quote: dict[str, Any] = answer.json()
    return quote


def _sku(chain: Chain, barcode: str) -> str:
    sku: str = chain.query("hq", "SELECT sku FROM barcodes WHERE code = ?", barcode)[0][0]
    return sku


def test_promotion_created_at_hq_applies_at_the_till(chain: Chain) -> None:
    barcode = chain.barcodes(1)[0]
    regular = _quote(chain, barcode)["total"]
    answer = chain.hq_post(
        "/api/v1/promotions",
        {
            "id": "P-E2E-10",
            "name": "九折 10% off",
            "kind": "item_discount",
            "target": {"product_ids": [_sku(chain, barcode)]},
            "rule": {"mode": "percent", "percent": "10"},
        },
    )
    assert answer.status_code == 201, answer.text
    wait_for(
        "the promotion to apply at the till",
        lambda: _quote(chain, barcode)["saving"] > 0,
        timeout=20,
    )
    quote = _quote(chain, barcode)
    assert quote["saving"] == regular - quote["total"]
    assert quote["lines"][0]["savings"][0]["name"] == "九折 10% off"
    sale = chain.sell("S001-T01", [{"barcode": barcode, "qty": 1}])
    assert sale["total"] == quote["total"]


def test_time_limited_promotion_starts_and_stops_on_time_at_a_disconnected_till(
    chain: Chain,
) -> None:
    barcode = chain.barcodes(2)[1]
    regular = _quote(chain, barcode)["total"]
    start = datetime.now(UTC) + timedelta(seconds=6)
    end = start + timedelta(seconds=4)
    answer = chain.hq_post(
        "/api/v1/promotions",
        {
            "id": "P-E2E-FLASH",
            "name": "限时半价 Flash half price",
            "kind": "item_discount",
            "target": {"product_ids": [_sku(chain, barcode)]},
            "schedule": {"starts_at": start.isoformat(), "ends_at": end.isoformat()},
            "rule": {"mode": "percent", "percent": "50"},
        },
    )
    assert answer.status_code == 201, answer.text
    wait_for(
        "the promotion to reach the till",
        lambda: bool(
            chain.query("S001-T01", "SELECT 1 FROM catalog_promotions WHERE id = 'P-E2E-FLASH'")
        ),
        timeout=5,
        every=0.1,
    )
    chain.proxies["S001-T01"].cut()
    assert datetime.now(UTC) < start, "the promotion arrived too late to test its start"
    assert _quote(chain, barcode)["total"] == regular

    time.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()) + 0.3)
    during = _quote(chain, barcode)
    assert during["saving"] in (regular // 2, (regular + 1) // 2)
    assert during["total"] == regular - during["saving"]

    time.sleep(max(0.0, (end - datetime.now(UTC)).total_seconds()) + 0.3)
    assert _quote(chain, barcode)["total"] == regular
