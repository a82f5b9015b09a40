"""A gift for points at a till, with every tier a real process: HQ takes the points online,
the till hands a catalog product over, and the goods leave stock at the store and at HQ."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chainpos.ids import new_id
from tests.e2e.chain import Chain, http, running, wait_for

pytestmark = pytest.mark.e2e

TILL = "S001-T01"


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    yield from running(tmp_path, products=20)


def test_a_gift_at_the_till_takes_points_once_and_its_goods_leave_stock_everywhere(
    chain: Chain,
) -> None:
    [(sku,)] = chain.query("hq", "SELECT sku FROM products WHERE weighed = 0 ORDER BY sku LIMIT 1")
    gift = {"code": "MUG", "name_zh": "马克杯", "name_en": "Mug", "points": 300, "sku": sku}
    created = chain.hq_post("/api/v1/loyalty/gifts", {"idempotency_key": new_id(), **gift})
    assert created.status_code == 201, created.text
    card = chain.member_card("13900139030")
    adjusted = chain.hq_post(
        f"/api/v1/loyalty/cards/{card}/points/adjust",
        {"idempotency_key": new_id(), "points": 1_000, "reason": "welcome gift"},
    )
    assert adjusted.status_code == 200, adjusted.text

    listed = http.get(
        chain.url(TILL) + "/api/v1/loyalty/gifts",
        headers={"Authorization": f"Bearer {chain.till_token(TILL)}"},
        timeout=15,
    )
    assert listed.status_code == 200, listed.text
    assert [g["code"] for g in listed.json()["gifts"]] == ["MUG"]

    body = {"redemption_id": new_id(), "card": card, "gift": "MUG", "quantity": 2}
    redeemed = chain.till_post(TILL, "/api/v1/loyalty/gifts/redeem", body)
    assert redeemed.status_code == 201, redeemed.text
    assert (redeemed.json()["points"], redeemed.json()["points_balance"]) == (600, 400)
    assert "GIFT 积分兑换" in redeemed.json()["receipt_text"]
    again = chain.till_post(TILL, "/api/v1/loyalty/gifts/redeem", body)
    assert again.status_code == 201 and again.json()["doc_id"] == redeemed.json()["doc_id"]

    wait_for(
        "the gift document to reach HQ",
        lambda: (
            chain.query("hq", "SELECT count(*) FROM sync_received WHERE doc_type = 'points_gift'")
            == [(1,)]
        ),
    )
    assert chain.query(
        "S001", "SELECT delta FROM stock_movements WHERE kind = 'gift' AND sku = ?", sku
    ) == [(-2,)]
    assert chain.query("S001", "SELECT on_hand FROM stock_on_hand WHERE sku = ?", sku) == [(998,)]
    assert chain.query(
        "hq", "SELECT on_hand FROM stock_levels WHERE store_code = 'S001' AND sku = ?", sku
    ) == [(998,)]
    hq_card = chain.hq_get(f"/api/v1/loyalty/cards/{card}")
    assert hq_card["balance"]["points"] == 400  # taken once, online
