"""A price change sent ahead takes effect at a disconnected till on time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.chain import Chain, http, wait_for

pytestmark = pytest.mark.e2e


def _quote_total(chain: Chain, barcode: str) -> int:
    answer = http.post(
        chain.url("S001-T01") + "/api/v1/sales/quote",
        timeout=10,
        json={"lines": [{"barcode": barcode, "qty": 1}]},
        headers={"Authorization": f"Bearer {chain.till_token('S001-T01')}"},
    )
    assert answer.status_code == 200, answer.text
    total: int = answer.json()["total"]
    return total


def test_future_price_reaches_till_early_and_applies_offline_on_time(chain: Chain) -> None:
    barcode = chain.barcodes(1)[0]
    before = _quote_total(chain, barcode)
    sku = chain.query("hq", "SELECT sku FROM barcodes WHERE code = ?", barcode)[0][0]
    effective = datetime.now(UTC) + timedelta(seconds=5)
    answer = chain.hq_post(
        "/api/v1/prices",
        {"sku": sku, "price": before + 1000, "effective_from": effective.isoformat()},
    )
    assert answer.status_code == 201, answer.text
    price_id = answer.json()["id"]

    wait_for(
        "the new price to reach the till",
        lambda: bool(
            chain.query("S001-T01", "SELECT 1 FROM catalog_prices WHERE id = ?", price_id)
        ),
        timeout=4,
        every=0.1,
    )
    assert datetime.now(UTC) < effective, "the price arrived too late to test the switch-over"
    chain.proxies["S001-T01"].cut()  # the till loses its store before the effective time
    assert _quote_total(chain, barcode) == before

    time.sleep(max(0.0, (effective - datetime.now(UTC)).total_seconds()) + 0.2)
    assert _quote_total(chain, barcode) == before + 1000
    sale = chain.sell("S001-T01", [{"barcode": barcode, "qty": 2}])
    assert sale["total"] == 2 * (before + 1000)
