"""Coupons verified at the store with HQ's public key; points earned online or queued."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chainpos.ids import new_id
from tests.factories import sale_document, signed_request
from tests.integration.hq_loyalty.conftest import ok, refused
from tests.integration.store_loyalty.conftest import TILL, StoreRelay

TODAY = date.today()


def _codes(relay: StoreRelay, count: int = 2) -> list[str]:
    body = {
        "kind": "amount_off",
        "value": 1_000,
        "min_spend": 3_000,
        "valid_from": (TODAY - timedelta(days=1)).isoformat(),
        "valid_until": (TODAY + timedelta(days=30)).isoformat(),
        "count": count,
    }
    codes: list[str] = relay.loyalty.hq.ok(relay.loyalty.staff("/coupons/batches", body))["codes"]
    relay.pull_feed()
    return codes


def _redeem(relay: StoreRelay, code: str, **extra: Any) -> Any:
    body = {"idempotency_key": new_id(), "code": code, "spend": 5_000, **extra}
    return relay.post("/coupons/redeem", body)


def test_a_coupon_is_redeemed_at_hq_once(relay: StoreRelay) -> None:
    code, _ = _codes(relay)
    answer = ok(_redeem(relay, code, tender_amount=1_000))
    assert answer["mode"] == "online" and answer["discount"] == 1_000
    assert answer["reference"].startswith("CP:")
    refused(_redeem(relay, code), 409, "coupon_already_redeemed")


def test_a_forged_code_is_refused_at_the_store_without_asking_hq(relay: StoreRelay) -> None:
    code, _ = _codes(relay)
    forged = code[:-3] + ("AAA" if not code.endswith("AAA") else "BBB")
    calls = relay.hq.calls
    body = _redeem(relay, forged).get_json()
    assert body["code"] in {"coupon_bad_signature", "coupon_malformed"}, body
    assert relay.hq.calls == calls


def test_a_coupon_tender_may_not_exceed_the_discount(relay: StoreRelay) -> None:
    code, _ = _codes(relay)
    refused(_redeem(relay, code, tender_amount=1_001), 422, "coupon_value_exceeded")
    refused(_redeem(relay, code, spend=2_000), 422, "coupon_below_minimum_spend")


def test_offline_a_verified_coupon_is_journaled_and_redeemed_at_hq_later(
    relay: StoreRelay,
) -> None:
    code, _ = _codes(relay)
    relay.hq.down = True
    answer = ok(_redeem(relay, code, tender_amount=1_000))
    assert answer["mode"] == "offline" and answer["discount"] == 1_000
    relay.hq.down = False
    assert {s["status"] for s in relay.push()} == {"delivered"}
    refused(_redeem(relay, code), 409, "coupon_already_redeemed")


def test_a_coupon_redeemed_twice_while_apart_is_reported_not_dropped(relay: StoreRelay) -> None:
    code, _ = _codes(relay)
    relay.hq.down = True
    ok(_redeem(relay, code))
    ok(relay.loyalty.signed("/coupons/redeem", {"code": code, "spend": 5_000}, store="S002"))
    relay.hq.down = False
    [status] = [s for s in relay.push() if s["doc_type"] == "coupon_offline_redeem"]
    assert status["status"] == "quarantined"


def test_offline_without_the_coupon_key_a_coupon_cannot_be_taken(relay: StoreRelay) -> None:
    relay.hq.down = True
    refused(_redeem(relay, "B1-1"), 503, "hq_unreachable")


def test_points_earned_while_hq_is_down_are_queued_and_earned_on_delivery(
    relay: StoreRelay,
) -> None:
    card = relay.member_card()
    relay.hq.down = True
    lines = [{"line_id": "1", "category": "GROC", "amount": 10_000}]
    body = {"idempotency_key": new_id(), "card": card, "lines": lines, "document": "sale-9"}
    assert ok(relay.post("/points/earn", body))["mode"] == "queued"
    assert relay.loyalty.balance(card)["points"] == 0
    relay.hq.down = False
    relay.push()
    points = ok(relay.loyalty.get(f"/cards/{card}/points"))
    assert points["pending"] == 100


def test_a_members_sale_from_a_till_queues_its_points_for_hq(relay: StoreRelay) -> None:
    card = relay.member_card()
    sale = sale_document(till=TILL, seq=1)
    sale["body"]["member"] = {
        "card": card,
        "earn_lines": [{"line_id": "1", "category": "GROC", "amount": 10_000}],
    }
    # Delivered as the till's forwarder would deliver it.
    target, data, headers = signed_request(
        relay.till(), "POST", "/api/v1/sync/documents", body={"documents": [sale]}
    )
    answer = relay.client.post(target, data=data, headers=headers)
    assert answer.get_json()["acks"][0]["status"] == "applied", answer.get_json()
    [earn] = relay.outbox("points_earn")
    assert earn["body"]["card"] == card and earn["body"]["document"] == sale["id"]
    relay.push()
    assert ok(relay.loyalty.get(f"/cards/{card}/points"))["pending"] == 100
