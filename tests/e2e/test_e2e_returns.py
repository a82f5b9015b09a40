"""Returns through real processes: a buy-2-get-1 unwound, a member's card made whole.

A member buys three units on a buy-2-get-1 at S001's till, paying partly with stored
value. One unit comes back: the refund is that unit's share of what was paid (the free
unit's value spread over all three), split between the card and cash in the sale's
proportion. HQ records the return, puts the unit back into S001's stock, refunds the
card and takes back the points the unit earned. The last two units come back while the
till is cut off from its store: the return still happens, and reaches HQ later.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chainpos.ids import new_id
from tests.e2e.chain import Chain, running, wait_for

pytestmark = pytest.mark.e2e

SUPERVISOR = {"staff_code": "9001", "pin": "9999"}


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    yield from running(tmp_path, products=50)


def _card(chain: Chain) -> str:
    number = chain.member_card("13700137000", "李雷")
    top_up = chain.store_call(
        "S001-T01",
        "POST",
        "/api/v1/loyalty/sv/credit",
        {"idempotency_key": new_id(), "card": number, "amount": 50_000, "kind": "top_up"},
    )
    assert top_up.status_code == 200, top_up.text
    return number


def _card_state(chain: Chain, card: str) -> dict[str, Any]:
    state: dict[str, Any] = chain.hq_get(f"/api/v1/loyalty/cards/{card}")
    return state


def _return(chain: Chain, sale: str, qty: int, **extra: Any) -> Any:
    return chain.till_post(
        "S001-T01",
        "/api/v1/returns",
        {
            "return_id": new_id(),
            "sale": sale,
            "lines": [{"line_no": 1, "qty": qty}],
            "reason": "顾客不要了 changed mind",
            **extra,
        },
    )


def test_a_partial_return_unwinds_the_promotion_and_makes_the_card_whole(chain: Chain) -> None:
    barcode = chain.barcodes(1)[0]
    sku = chain.query("hq", "SELECT sku FROM barcodes WHERE code = ?", barcode)[0][0]
    made = chain.hq_post(
        "/api/v1/promotions",
        {
            "id": "P-E2E-B2G1",
            "name": "买二送一 Buy 2 get 1",
            "kind": "buy_n_get_m",
            "target": {"product_ids": [sku]},
            "rule": {"buy": 2, "get": 1, "free_item": "cheapest", "percent_off": "100"},
        },
    )
    assert made.status_code == 201, made.text
    card = _card(chain)
    lines = [{"barcode": barcode, "qty": 3}]

    def quote() -> dict[str, Any]:
        answer = chain.till_post("S001-T01", "/api/v1/sales/quote", {"lines": lines})
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    wait_for("the promotion at the till", lambda: quote()["saving"] > 0, timeout=20)
    total = quote()["total"]
    on_card = total // 2
    sold = chain.till_post(
        "S001-T01",
        "/api/v1/sales",
        {
            "sale_id": new_id(),
            "lines": lines,
            "member": {"card": card},
            "tenders": [
                {"method": "stored_value", "amount": on_card, "card": card},
                {"method": "cash", "amount": total - on_card},
            ],
        },
    )
    assert sold.status_code == 201, sold.text
    sale = sold.json()
    wait_for(
        "the sale's points at HQ",
        lambda: (
            _card_state(chain, card)["balance"].get("points", 0) > 0
            or bool(
                chain.query(
                    "hq", "SELECT 1 FROM loyalty_points_lots WHERE document = ?", sale["doc_id"]
                )
            )
        ),
        timeout=30,
    )
    earned = chain.query(
        "hq", "SELECT points FROM loyalty_points_lots WHERE document = ?", sale["doc_id"]
    )[0][0]
    balance_after_sale = _card_state(chain, card)["balance"]["total"]
    stock_after_sale = chain.query(
        "hq", "SELECT on_hand FROM stock_levels WHERE store_code = 'S001' AND sku = ?", sku
    )[0][0]

    # A cashier alone may not take a return.
    refused = _return(chain, sale["receipt_no"], 1)
    assert refused.status_code == 403, refused.text
    assert "supervisor" in refused.json()["fields"]

    answer = _return(chain, sale["receipt_no"], 1, supervisor=SUPERVISOR)
    assert answer.status_code == 201, answer.text
    back = answer.json()
    line = sale["lines"][0]
    assert back["refund"] == (line["amount"] + 1) // 3  # one unit's share, not its shelf price
    assert back["lines"][0]["unwound"][0]["name"] == "买二送一 Buy 2 get 1"
    by_method = {t["method"]: t["amount"] for t in back["refund_tenders"]}
    assert sum(by_method.values()) == back["refund"] == back["paid_out"]
    assert by_method["stored_value"] > 0 and by_method["cash"] > 0
    assert "RETURN" in back["receipt_text"] and sale["receipt_no"] in back["receipt_text"]

    wait_for(
        "the return at HQ",
        lambda: bool(
            chain.query("hq", "SELECT 1 FROM sale_returns WHERE doc_id = ?", back["doc_id"])
        ),
        timeout=30,
    )
    assert _card_state(chain, card)["balance"]["total"] == (
        balance_after_sale + by_method["stored_value"]
    )
    reversed_points = chain.query(
        "hq", "SELECT points FROM loyalty_points_reversals WHERE document = ?", back["doc_id"]
    )[0][0]
    assert 0 < reversed_points <= earned
    assert (
        chain.query(
            "hq", "SELECT on_hand FROM stock_levels WHERE store_code = 'S001' AND sku = ?", sku
        )[0][0]
        == stock_after_sale + 1
    )
    report = {
        row["store"]: row
        for row in chain.hq_get("/api/v1/reports/sales", business_day=sale["business_day"])[
            "stores"
        ]
    }
    assert report["S001"]["returns"] == 1
    assert report["S001"]["net"] == report["S001"]["total"] - back["refund"]

    # Three more units were never sold: refused, nothing journaled.
    too_many = _return(chain, sale["receipt_no"], 3, supervisor=SUPERVISOR)
    assert too_many.status_code == 422, too_many.text
    assert too_many.json()["fields"] == {"lines.0.qty": too_many.json()["fields"]["lines.0.qty"]}

    # Cut off from its store, the till takes back the rest of its own sale.
    chain.proxies["S001-T01"].cut()
    rest = _return(chain, sale["receipt_no"], 2, supervisor=SUPERVISOR)
    assert rest.status_code == 201, rest.text
    assert back["refund"] + rest.json()["refund"] == line["amount"]
    chain.proxies["S001-T01"].restore()
    wait_for(
        "both returns at HQ",
        lambda: (
            chain.query(
                "hq",
                "SELECT count(*), sum(refund) FROM sale_returns WHERE sale_doc_id = ?",
                sale["doc_id"],
            )[0]
            == (2, line["amount"])
        ),
        timeout=30,
    )
    state = _card_state(chain, card)
    assert state["balance"]["total"] == balance_after_sale + on_card
    # Everything came back: the sale no longer counts toward the member's tier.
    spend = chain.query(
        "hq",
        "SELECT sum(amount) FROM loyalty_spend WHERE document IN (?, ?, ?)",
        sale["doc_id"],
        back["doc_id"],
        rest.json()["doc_id"],
    )
    assert spend == [(0,)]
    assert (
        chain.query(
            "hq", "SELECT on_hand FROM stock_levels WHERE store_code = 'S001' AND sku = ?", sku
        )[0][0]
        == stock_after_sale + 3
    )
    assert (
        not chain.query("S001-T01", "SELECT 1 FROM sync_quarantine")
        if chain.query("S001-T01", "SELECT name FROM sqlite_master WHERE name = 'sync_quarantine'")
        else True
    )
