"""Points as a tender at the till while the store cannot reach HQ (DESIGN §5)."""

from __future__ import annotations

from tests.integration.hq_loyalty.conftest import ok, refused
from tests.integration.till_loyalty.conftest import TOTAL, LoyalTill


def _card_with_points(till: LoyalTill, points: int) -> str:
    store = till.store
    card = store.member_card()
    ok(store.loyalty.staff(f"/cards/{card}/points/adjust", {"points": points, "reason": "gift"}))
    balances = till.client.get(
        "/api/v1/loyalty/members", query_string={"card": card}, headers=till.auth()
    )
    assert ok(balances)["cards"][0]["points"] == points  # the store now knows them
    return card


def test_with_hq_down_points_pay_within_the_offline_limits(loyal_till: LoyalTill) -> None:
    card = _card_with_points(loyal_till, 10_000)
    loyal_till.store.hq.down = True
    answer = loyal_till.sale(
        [{"method": "points", "amount": 3_000, "card": card}, {"method": "cash", "amount": 500}]
    )
    assert answer.status_code == 201, answer.get_json()
    sale = answer.get_json()
    assert sale["tenders"][0]["reference"].startswith("PTO:")
    [authorised] = sale["authorisations"]
    assert (authorised["mode"], authorised["points_used"], authorised["points"]) == (
        "offline",
        3_000,
        7_000,
    )
    [document] = loyal_till.store.outbox("points_offline_redeem")
    assert document["body"]["document"] == sale["sale_id"]


def test_with_hq_down_points_past_the_limit_refuse_the_sale(loyal_till: LoyalTill) -> None:
    card = _card_with_points(loyal_till, 10_000)
    loyal_till.store.hq.down = True
    before = loyal_till.journal()
    # 20 colas paid with 7,000 points: over the 5,000 points a redemption may use offline.
    answer = loyal_till.sale([{"method": "points", "amount": 2 * TOTAL, "card": card}], qty=20)
    body = refused(answer, 409, "over_transaction_limit")
    assert "tenders.0" in body["fields"]
    assert loyal_till.journal() == before
    assert loyal_till.store.outbox("points_offline_redeem") == []
