"""A promotion limited chain-wide stops at every till once HQ has counted its uses."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from tests.e2e.chain import TILLS, Chain, http, wait_for

pytestmark = pytest.mark.e2e

LIMIT = 2


def _quote(chain: Chain, till: str, barcode: str) -> dict[str, Any]:
    answer = http.post(
        chain.url(till) + "/api/v1/sales/quote",
        timeout=10,
        json={"lines": [{"barcode": barcode, "qty": 1}]},
        headers={"Authorization": f"Bearer {chain.till_token(till)}"},
    )
    assert answer.status_code == 200, answer.text
    quote: dict[str, Any] = answer.json()
    return quote


def _applies(chain: Chain, till: str, barcode: str) -> bool:
    return bool(_quote(chain, till, barcode)["saving"] > 0)


def _counted_at_till(chain: Chain, till: str, promotion_id: str, times: int) -> bool:
    """Whether HQ's count `times` reached the till's copy through its store."""
    rows = chain.query(
        till, "SELECT chain FROM catalog_promotion_usage WHERE promotion_id = ?", promotion_id
    )
    return rows == [(times,)]


def _counted_at_hq(chain: Chain, promotion_id: str) -> int:
    [(times,)] = chain.query(
        "hq",
        "SELECT COALESCE(SUM(times), 0) FROM promotion_usage WHERE promotion_id = ?",
        promotion_id,
    )
    return int(times)


def test_a_chain_limit_used_up_at_two_stores_stops_the_promotion_at_the_tills(
    chain: Chain,
) -> None:
    barcode = chain.barcodes(3)[2]
    [(sku,)] = chain.query("hq", "SELECT sku FROM barcodes WHERE code = ?", barcode)
    answer = chain.hq_post(
        "/api/v1/promotions",
        {
            "id": "P-E2E-TWO",
            "name": "限量两件九折 First two 10% off",
            "kind": "item_discount",
            "limits": {"chain": LIMIT},
            "target": {"product_ids": [sku]},
            "rule": {"mode": "percent", "percent": "10"},
        },
    )
    assert answer.status_code == 201, answer.text
    for till in TILLS:
        wait_for(
            f"the promotion to apply at {till}",
            partial(_applies, chain, till, barcode),
            timeout=20,
        )
    # One use at each store's till: the limit is used up chain-wide.
    for till in TILLS:
        sale = chain.sell(till, [{"barcode": barcode, "qty": 1}])
        assert sale["promotion_uses"] == {"P-E2E-TWO": 1}
        assert sale["saving"] > 0
    wait_for("HQ to count both uses", lambda: _counted_at_hq(chain, "P-E2E-TWO") == LIMIT)
    for till in TILLS:
        wait_for(
            f"HQ's count to reach {till}",
            partial(_counted_at_till, chain, till, "P-E2E-TWO", LIMIT),
            timeout=20,
        )
        quote = _quote(chain, till, barcode)
        assert quote["saving"] == 0, quote
        assert chain.sell(till, [{"barcode": barcode, "qty": 1}])["promotion_uses"] == {}
    # Sales without the promotion add nothing: HQ's count stays at the limit.
    wait_for(
        "the last sales at HQ",
        lambda: chain.query("hq", "SELECT COUNT(*) FROM sales") == [(2 * len(TILLS),)],
    )
    assert _counted_at_hq(chain, "P-E2E-TWO") == LIMIT
