"""Loyalty across the chain: stored value between stores, the hot list, offline limits.

HQ, two stores and a till each run as real processes; stores reach HQ through fault
proxies. Tills pay with stored value through their store, which asks HQ or, cut off,
applies the offline limits and journals each authorisation for HQ.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chainpos.ids import new_id
from tests.e2e.chain import Chain, running, wait_for

pytestmark = pytest.mark.e2e

#: Tight limits so the test reaches each one in a few sales (fen, and a count).
LIMITS = {"per_transaction": 5_000, "per_card_amount": 8_000, "per_card_count": 3}
POLICY = {
    "stored_value": {**LIMITS, "store_exposure": 12_000},
    "points": {**LIMITS, "store_exposure": 12_000},
}


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    yield from running(
        tmp_path, products=50, store_env={"CHAINPOS_STORE_OFFLINE_LIMITS": json.dumps(POLICY)}
    )


def _top_up(chain: Chain, till: str, card: str, amount: int) -> dict[str, Any]:
    body = {"idempotency_key": new_id(), "card": card, "amount": amount, "kind": "top_up"}
    answer = chain.store_call(till, "POST", "/api/v1/loyalty/sv/credit", body)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _pay(chain: Chain, till: str, card: str, stored_value: int) -> Any:
    """A sale at `till` worth at least `stored_value`, paid with it and cash for the rest."""
    [code] = chain.barcodes(1)
    one = chain.till_post(till, "/api/v1/sales/quote", {"lines": [{"barcode": code, "qty": 1}]})
    price = one.json()["total"]
    lines = [{"barcode": code, "qty": max(1, math.ceil(stored_value / price))}]
    total = chain.till_post(till, "/api/v1/sales/quote", {"lines": lines}).json()["total"]
    tenders = [{"method": "stored_value", "amount": stored_value, "card": card}]
    if total > stored_value:
        tenders.append({"method": "cash", "amount": total - stored_value + 100})
    return chain.till_post(
        till,
        "/api/v1/sales",
        {"sale_id": new_id(), "lines": lines, "tenders": tenders, "member": {"card": card}},
    )


def _statement(chain: Chain, card: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = chain.hq_get(f"/api/v1/loyalty/cards/{card}/statement")[
        "entries"
    ]
    return entries


def _balance(chain: Chain, card: str) -> int:
    return int(chain.hq_get(f"/api/v1/loyalty/cards/{card}")["balance"]["total"])


def test_a_member_tops_up_at_one_store_and_spends_at_another(chain: Chain) -> None:
    card = chain.member_card("13900139000")
    topped = _top_up(chain, "S001-T01", card, 10_000)
    assert topped["balance"] == 10_000
    sale = _pay(chain, "S002-T01", card, 3_000)
    assert sale.status_code == 201, sale.text
    assert sale.json()["tenders"][0]["reference"].startswith("SV:")
    assert sale.json()["receipt"]["member"]["masked_mobile"] == "139****9000"
    assert _balance(chain, card) == 7_000
    stores = {(e["kind"], e["store"]) for e in _statement(chain, card)}
    assert stores == {("top_up", "S001"), ("spend", "S002")}
    settlement = {
        row["store"]: row
        for row in chain.hq_get("/api/v1/loyalty/settlement", start="2000-01-01", end="2100-01-01")
    }
    assert settlement["S001"]["issued"] == 10_000 and settlement["S002"]["redeemed"] == 3_000


def test_a_card_reported_lost_at_hq_is_refused_at_a_till_within_one_feed_cycle(
    chain: Chain,
) -> None:
    card = chain.member_card("13900139001")
    _top_up(chain, "S002-T01", card, 10_000)
    frozen = chain.hq_post(f"/api/v1/loyalty/cards/{card}/freeze", {"idempotency_key": new_id()})
    assert frozen.status_code == 200, frozen.text
    # Online, HQ refuses at once.
    refused = _pay(chain, "S001-T01", card, 1_000)
    assert refused.status_code == 409 and refused.json()["code"] == "card_frozen", refused.text
    # Within a feed cycle the store holds the hot list: cut off from HQ, it still refuses.
    wait_for(
        "S002 to receive the hot card",
        lambda: (
            chain.query("S002", "SELECT hot FROM loyalty_hot_cards WHERE number = ?", card)
            == [(1,)]
        ),
        timeout=10 * chain.sync_interval + 5,
    )
    chain.proxies["S002"].cut()
    offline = _pay(chain, "S002-T01", card, 1_000)
    assert offline.status_code == 409 and offline.json()["code"] == "hot_listed", offline.text
    chain.proxies["S002"].restore()
    assert _balance(chain, card) == 10_000


def test_offline_spending_stops_at_each_limit_and_posts_once_after_reconnection(
    chain: Chain,
) -> None:
    till = "S001-T01"
    cards = {name: chain.member_card(f"1390013910{i}") for i, name in enumerate("ABCD")}
    for name, card in cards.items():
        _top_up(chain, till, card, 1_000 if name == "D" else 20_000)  # touches HQ via S001
    chain.proxies["S001"].cut()

    def refused(card: str, amount: int, code: str) -> None:
        answer = _pay(chain, till, card, amount)
        assert answer.status_code == 409 and answer.json()["code"] == code, answer.text

    def paid(card: str, amount: int) -> None:
        answer = _pay(chain, till, card, amount)
        assert answer.status_code == 201, answer.text
        assert answer.json()["tenders"][0]["reference"].startswith("SVO:")

    refused(cards["A"], 5_001, "over_transaction_limit")
    refused(cards["D"], 1_001, "beyond_known_balance")
    for _ in range(3):
        paid(cards["A"], 1_000)
    refused(cards["A"], 1_000, "over_card_count")
    paid(cards["B"], 5_000)
    refused(cards["B"], 3_001, "over_card_amount")
    paid(cards["C"], 4_000)  # 12,000 unposted at S001: the exposure cap
    refused(cards["C"], 1, "over_store_exposure")
    assert _balance(chain, cards["A"]) == 20_000  # HQ has not heard yet

    chain.proxies["S001"].restore()
    wait_for(
        "S001's offline debits to reach HQ",
        lambda: all(chain.status(n)["outbox_depth"] == 0 for n in ("S001-T01", "S001")),
        timeout=60,
    )
    spent = {"A": [1_000] * 3, "B": [5_000], "C": [4_000], "D": []}
    for name, card in cards.items():
        spends = [e for e in _statement(chain, card) if e["kind"] == "spend"]
        assert sorted(-e["amount"] for e in spends) == spent[name], (name, spends)
        assert len({e["document"] for e in spends}) == len(spends)  # once each
        assert all(e["store"] == "S001" and e["overdraft"] == 0 for e in spends)
        assert _balance(chain, card) == (1_000 if name == "D" else 20_000) - sum(spent[name])
