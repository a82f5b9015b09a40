"""The store cut off from HQ: stored value within the offline limits, journaled, posted later."""

from __future__ import annotations

from typing import Any

from chainpos.ids import new_id
from tests.integration.hq_loyalty.conftest import ok, refused
from tests.integration.store_loyalty.conftest import StoreRelay


def _known_card(relay: StoreRelay, balance: int, mobile: str = "13800138000") -> str:
    """A topped-up card that touched HQ through this store (so the store knows its balance)."""
    card = relay.member_card(mobile, top_up=balance)
    ok(relay.get("/members", card=card))
    return card


def _statement(relay: StoreRelay, card: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = ok(relay.loyalty.get(f"/cards/{card}/statement"))["entries"]
    return entries


def test_offline_debit_is_authorised_and_journaled(relay: StoreRelay) -> None:
    card = _known_card(relay, 10_000)
    relay.hq.down = True
    answer = ok(relay.debit(card, 3_000, document="sale-1"))
    assert answer["mode"] == "offline" and answer["balance"] == 7_000
    [document] = relay.outbox("sv_offline_debit")
    assert document["body"]["card"] == card and document["body"]["amount"] == 3_000
    assert answer["reference"] == f"SVO:{document['id']}"
    assert relay.loyalty.balance(card)["total"] == 10_000  # HQ has not heard yet


def test_offline_debit_refused_over_the_per_transaction_limit(relay: StoreRelay) -> None:
    card = _known_card(relay, 10_000)
    relay.hq.down = True
    refused(relay.debit(card, 5_001), 409, "over_transaction_limit")
    assert relay.outbox("sv_offline_debit") == []


def test_offline_debit_refused_beyond_the_last_known_balance(relay: StoreRelay) -> None:
    card = _known_card(relay, 3_000)
    relay.hq.down = True
    ok(relay.debit(card, 2_000))
    refused(relay.debit(card, 1_001), 409, "beyond_known_balance")


def test_offline_debits_stop_at_the_per_card_count(relay: StoreRelay) -> None:
    card = _known_card(relay, 10_000)
    relay.hq.down = True
    for _ in range(3):
        ok(relay.debit(card, 100))
    refused(relay.debit(card, 100), 409, "over_card_count")
    assert len(relay.outbox("sv_offline_debit")) == 3


def test_offline_debits_stop_at_the_per_card_amount(relay: StoreRelay) -> None:
    card = _known_card(relay, 20_000)
    relay.hq.down = True
    ok(relay.debit(card, 5_000))
    refused(relay.debit(card, 3_001), 409, "over_card_amount")
    ok(relay.debit(card, 3_000))


def test_offline_debit_refused_beyond_store_exposure_cap(relay: StoreRelay) -> None:
    first = _known_card(relay, 20_000, "13800138001")
    second = _known_card(relay, 20_000, "13800138002")
    relay.hq.down = True
    ok(relay.debit(first, 5_000))
    ok(relay.debit(first, 3_000))
    ok(relay.debit(second, 4_000))  # 12,000 unposted: the cap
    refused(relay.debit(second, 1), 409, "over_store_exposure")


def test_offline_debit_refused_for_a_card_hq_never_showed_this_store(relay: StoreRelay) -> None:
    card = relay.member_card(top_up=10_000)
    relay.hq.down = True
    refused(relay.debit(card, 100), 409, "unknown_card")


def test_a_card_reported_lost_is_refused_offline_once_the_feed_brings_it(
    relay: StoreRelay,
) -> None:
    card = _known_card(relay, 10_000)
    ok(relay.loyalty.staff(f"/cards/{card}/freeze"))
    refused(relay.debit(card, 100), 409, "card_frozen")  # online: HQ refuses
    relay.pull_feed()
    relay.hq.down = True
    refused(relay.debit(card, 100), 409, "hot_listed")  # offline: the hot list refuses


def test_offline_retry_with_the_same_key_is_one_authorisation(relay: StoreRelay) -> None:
    card = _known_card(relay, 10_000)
    relay.hq.down = True
    key = new_id()
    assert ok(relay.debit(card, 1_000, key)) == ok(relay.debit(card, 1_000, key))
    relay.hq.down = False
    assert ok(relay.debit(card, 1_000, key))["mode"] == "offline"  # still the first answer
    assert len(relay.outbox("sv_offline_debit")) == 1


def test_offline_debits_post_once_each_after_reconnection_and_free_the_exposure(
    relay: StoreRelay,
) -> None:
    card = _known_card(relay, 10_000)
    relay.hq.down = True
    ok(relay.debit(card, 2_000, document="sale-a"))
    ok(relay.debit(card, 1_500, document="sale-b"))
    relay.hq.down = False
    statuses = relay.push()
    relay.push()  # nothing left to send: no second posting
    assert {s["status"] for s in statuses} == {"delivered"}
    spends = [e for e in _statement(relay, card) if e["kind"] == "spend"]
    assert sorted((e["document"], e["amount"], e["store"]) for e in spends) == [
        ("sale-a", -2_000, "S001"),
        ("sale-b", -1_500, "S001"),
    ]
    assert relay.loyalty.balance(card)["total"] == 6_500
    # Posted: the card touches HQ again and the store's counters start afresh.
    ok(relay.get("/members", card=card))
    relay.hq.down = True
    for _ in range(3):
        ok(relay.debit(card, 100))


def test_an_offline_debit_beyond_the_balance_at_hq_posts_as_a_flagged_overdraft(
    relay: StoreRelay,
) -> None:
    card = _known_card(relay, 6_000)
    relay.hq.down = True
    ok(relay.debit(card, 4_000, document="offline-sale"))
    # Meanwhile the member spends at another store, online.
    ok(relay.loyalty.signed("/sv/debit", {"card": card, "amount": 5_000}, store="S002"))
    relay.hq.down = False
    relay.push()
    [posted] = [e for e in _statement(relay, card) if e["document"] == "offline-sale"]
    assert posted["amount"] == -4_000 and posted["overdraft"] == 3_000
    assert relay.loyalty.balance(card)["total"] == -3_000


def test_a_debit_hq_booked_before_the_store_gave_up_is_not_posted_twice(
    relay: StoreRelay,
) -> None:
    card = _known_card(relay, 10_000)
    key = new_id()
    # HQ books the debit, but its answer never reaches the store (the till times out).
    ok(relay.loyalty.signed("/sv/debit", {"card": card, "amount": 1_000, "idempotency_key": key}))
    relay.hq.down = True
    ok(relay.debit(card, 1_000, key))
    relay.hq.down = False
    relay.push()
    assert relay.loyalty.balance(card)["total"] == 9_000
