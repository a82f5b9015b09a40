"""Top-ups and balance checks at the tills, and points spent while a store is cut from HQ.

HQ, two stores and a till each run as real processes; each store reaches HQ through a
fault proxy. A member tops up with cash at S001's till and the balance shows at S002's;
then S001, cut off, lets points pay within its offline limits and HQ posts them later.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chainpos.ids import new_id
from tests.e2e.chain import Chain, http, running, wait_for

pytestmark = pytest.mark.e2e

LIMITS = {"per_transaction": 5_000, "per_card_amount": 8_000, "per_card_count": 3}
POLICY = {
    "stored_value": {**LIMITS, "store_exposure": 12_000},
    "points": {**LIMITS, "store_exposure": 12_000},  # points (100 points = 1 yuan)
}


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    yield from running(
        tmp_path, products=50, store_env={"CHAINPOS_STORE_OFFLINE_LIMITS": json.dumps(POLICY)}
    )


def _balances(chain: Chain, till: str, card: str) -> dict[str, Any]:
    answer = http.get(
        chain.url(till) + "/api/v1/loyalty/members",
        params={"card": card},
        headers={"Authorization": f"Bearer {chain.till_token(till)}"},
        timeout=15,
    )
    assert answer.status_code == 200, answer.text
    [shown] = answer.json()["cards"]
    return dict(shown)


def _pay_with_points(chain: Chain, till: str, card: str, points_fen: int) -> Any:
    """A sale at `till` worth at least `points_fen`, paid with points and cash for the rest."""
    [code] = chain.barcodes(1)
    one = chain.till_post(till, "/api/v1/sales/quote", {"lines": [{"barcode": code, "qty": 1}]})
    price = one.json()["total"]
    lines = [{"barcode": code, "qty": max(1, math.ceil(points_fen / price))}]
    total = chain.till_post(till, "/api/v1/sales/quote", {"lines": lines}).json()["total"]
    tenders = [{"method": "points", "amount": points_fen, "card": card}]
    if total > points_fen:
        tenders.append({"method": "cash", "amount": total - points_fen + 100})
    return chain.till_post(
        till, "/api/v1/sales", {"sale_id": new_id(), "lines": lines, "tenders": tenders}
    )


def _hq_card(chain: Chain, card: str) -> dict[str, Any]:
    found: dict[str, Any] = chain.hq_get(f"/api/v1/loyalty/cards/{card}")
    return found


def test_a_cash_top_up_at_one_store_shows_at_another_and_reaches_hq_once(chain: Chain) -> None:
    card = chain.member_card("13900139020")
    top_up = chain.till_post(
        "S001-T01",
        "/api/v1/loyalty/top-ups",
        {
            "top_up_id": new_id(),
            "card": card,
            "amount": 100_000,
            "tenders": [{"method": "cash", "amount": 100_000}],
        },
    )
    assert top_up.status_code == 201, top_up.text
    assert top_up.json()["bonus"] == 20_000 and "TOP-UP" in top_up.json()["receipt_text"]
    shown = _balances(chain, "S002-T01", card)
    assert shown["balance"] == {"principal": 100_000, "bonus": 20_000, "total": 120_000}
    wait_for(
        "the top-up document to reach HQ",
        lambda: (
            chain.query("hq", "SELECT count(*) FROM sync_received WHERE doc_type = 'sv_top_up'")
            == [(1,)]
        ),
    )
    assert chain.query("S001", "SELECT amount, cash FROM loyalty_top_ups") == [(100_000, 100_000)]
    assert _hq_card(chain, card)["balance"]["total"] == 120_000  # credited once


def test_a_store_cut_from_hq_lets_points_pay_within_its_limits_and_hq_posts_them_later(
    chain: Chain,
) -> None:
    till = "S001-T01"
    card = chain.member_card("13900139021")
    adjusted = chain.hq_post(
        f"/api/v1/loyalty/cards/{card}/points/adjust",
        {"idempotency_key": new_id(), "points": 10_000, "reason": "welcome gift"},
    )
    assert adjusted.status_code == 200, adjusted.text
    assert _balances(chain, till, card)["points"] == 10_000  # S001 now knows the points
    chain.proxies["S001"].cut()

    paid = _pay_with_points(chain, till, card, 3_000)
    assert paid.status_code == 201, paid.text
    assert paid.json()["tenders"][0]["reference"].startswith("PTO:")
    refused = _pay_with_points(chain, till, card, 5_100)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "over_transaction_limit"
    assert _hq_card(chain, card)["balance"]["points"] == 10_000  # HQ has not heard yet

    chain.proxies["S001"].restore()
    wait_for(
        "S001's offline points to reach HQ",
        lambda: _hq_card(chain, card)["balance"]["points"] == 7_000,
        timeout=60,
    )
    wait_for(
        "every outbox to drain",
        lambda: all(chain.status(n)["outbox_depth"] == 0 for n in (till, "S001")),
        timeout=60,
    )
    assert _hq_card(chain, card)["balance"]["points"] == 7_000  # posted once
