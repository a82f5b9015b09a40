"""Releasing a stored-value debit whose sale did not complete: journaled, refunded at HQ."""

from __future__ import annotations

from chainpos.ids import new_id
from tests.integration.hq_loyalty.conftest import ok, refused
from tests.integration.store_loyalty.conftest import StoreRelay


def _release(relay: StoreRelay, key: str) -> dict[str, object]:
    answer: dict[str, object] = ok(relay.post("/tenders/release", {"idempotency_key": key}))
    return answer


def test_an_online_debit_released_is_refunded_at_hq_and_its_key_stays_used(
    relay: StoreRelay,
) -> None:
    card = relay.member_card(top_up=10_000)
    key = new_id()
    ok(relay.debit(card, 2_500, key, document="sale-x"))
    assert _release(relay, key)["released"] is True
    assert _release(relay, key)["released"] is True  # once only
    [document] = relay.outbox("sv_release")
    assert document["body"]["original_document"] == "sale-x"
    refused(relay.debit(card, 2_500, key, document="sale-x"), 409, "tender_released")
    relay.push()
    assert relay.loyalty.balance(card)["total"] == 10_000
    kinds = [e["kind"] for e in ok(relay.loyalty.get(f"/cards/{card}/statement"))["entries"]]
    assert kinds == ["refund", "spend", "top_up"]


def test_an_offline_debit_released_frees_its_offline_allowance_and_nets_to_zero_at_hq(
    relay: StoreRelay,
) -> None:
    card = relay.member_card(top_up=10_000)
    ok(relay.get("/members", card=card))
    relay.hq.down = True
    keys = [new_id() for _ in range(3)]
    for key in keys:
        ok(relay.debit(card, 1_000, key, document=f"sale-{key}"))
    _release(relay, keys[0])
    ok(relay.debit(card, 1_000))  # the released one no longer counts against the card
    relay.hq.down = False
    relay.push()
    assert relay.loyalty.balance(card)["total"] == 7_000


def test_an_unknown_key_has_nothing_to_release_and_points_cannot_be_released(
    relay: StoreRelay,
) -> None:
    assert _release(relay, new_id())["released"] is False
    card = relay.member_card()
    lines = [{"line_id": "1", "category": "GROC", "amount": 100}]
    key = new_id()
    ok(relay.post("/points/earn", {"idempotency_key": key, "card": card, "lines": lines}))
    refused(relay.post("/tenders/release", {"idempotency_key": key}), 409, "not_releasable")
    assert relay.outbox("sv_release") == []
