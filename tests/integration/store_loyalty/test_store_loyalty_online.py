"""The store's loyalty relay while HQ answers: lookup, debit, top-up, points, idempotency."""

from __future__ import annotations

from chainpos.ids import new_id
from tests.integration.hq_loyalty.conftest import ok, refused
from tests.integration.store_loyalty.conftest import MOBILE, StoreRelay


def test_a_member_is_found_by_card_or_mobile_with_masked_mobile_and_balances(
    relay: StoreRelay,
) -> None:
    card = relay.member_card(top_up=10_000)
    by_card = ok(relay.get("/members", card=card))
    by_mobile = ok(relay.get("/members", mobile=MOBILE))
    assert by_card == by_mobile
    assert by_card["member"]["mobile"] == "138****8000"
    [found] = by_card["cards"]
    assert found["number"] == card
    assert found["balance"]["total"] == 10_000


def test_a_debit_online_is_booked_once_however_often_the_till_retries(relay: StoreRelay) -> None:
    card = relay.member_card(top_up=10_000)
    key = new_id()
    first = ok(relay.debit(card, 2_500, key))
    again = ok(relay.debit(card, 2_500, key))
    assert first == again
    assert first["mode"] == "online" and first["balance"] == 7_500
    assert first["reference"].startswith("SV:")
    assert relay.loyalty.balance(card)["total"] == 7_500


def test_the_same_key_for_another_amount_is_refused(relay: StoreRelay) -> None:
    card = relay.member_card(top_up=10_000)
    key = new_id()
    ok(relay.debit(card, 2_500, key))
    refused(relay.debit(card, 3_000, key), 409, "idempotency_key_reused")
    assert relay.loyalty.balance(card)["total"] == 7_500


def test_hq_refusal_is_passed_on_and_records_nothing(relay: StoreRelay) -> None:
    card = relay.member_card(top_up=1_000)
    refused(relay.debit(card, 2_000), 409, "insufficient_balance")
    assert relay.authorisations() == 0
    assert relay.loyalty.balance(card)["total"] == 1_000


def test_a_top_up_at_the_store_credits_the_card_at_hq(relay: StoreRelay) -> None:
    card = relay.member_card()
    body = {"idempotency_key": new_id(), "card": card, "amount": 20_000}
    answer = ok(relay.post("/sv/credit", body))
    assert answer["mode"] == "online" and answer["balance"] == 20_000
    assert relay.loyalty.balance(card)["principal"] == 20_000


def test_a_top_up_needs_hq(relay: StoreRelay) -> None:
    card = relay.member_card()
    relay.hq.down = True
    body = {"idempotency_key": new_id(), "card": card, "amount": 20_000}
    refused(relay.post("/sv/credit", body), 503, "hq_unreachable")
    assert relay.authorisations() == 0


def test_points_earned_online_then_redeemed_as_a_tender(relay: StoreRelay) -> None:
    card = relay.member_card()
    lines = [{"line_id": "1", "category": "GROC", "amount": 50_000}]
    earned = ok(
        relay.post("/points/earn", {"idempotency_key": new_id(), "card": card, "lines": lines})
    )
    assert earned["mode"] == "online" and earned["points"] > 0
    body = {"idempotency_key": new_id(), "card": card, "amount": 100}
    # Earned points are pending for the return window: HQ refuses, and says why.
    answer = relay.post("/points/redeem", body)
    assert answer.status_code == 409, answer.get_json()


def test_unsigned_or_foreign_calls_are_refused(relay: StoreRelay) -> None:
    card = relay.member_card(top_up=1_000)
    assert relay.client.post("/api/v1/loyalty/sv/debit", json={"card": card}).status_code == 401
    body = {"idempotency_key": new_id(), "card": card, "amount": 100}
    assert relay.post("/sv/debit", body, till="S002-T01").status_code == 401
    assert relay.loyalty.balance(card)["total"] == 1_000


def test_bad_input_names_the_field_and_changes_nothing(relay: StoreRelay) -> None:
    card = relay.member_card(top_up=1_000)
    body = refused(relay.debit(card, -5), 422, "validation_failed")
    assert "amount" in body["fields"]
    refused(
        relay.post("/sv/debit", {"idempotency_key": "short", "card": card, "amount": 1}),
        422,
        "validation_failed",
    )
    refused(relay.get("/members"), 422, "validation_failed")
    assert relay.authorisations() == 0
    assert relay.loyalty.balance(card)["total"] == 1_000
