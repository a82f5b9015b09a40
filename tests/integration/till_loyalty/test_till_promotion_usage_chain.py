"""Quantity limits across sales through the real tiers in-process: till -> store -> HQ.

A sale's promotion uses travel up with the sale; HQ counts them, publishes the counts of
chain- and store-limited promotions, the store republishes them and the till pulls them;
a member's count comes back with the member lookup.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from chainpos.master_copy import apply_changes
from chainpos.sync.feed import FeedPuller
from chainpos.sync.forwarder import Forwarder
from pos_terminal.models import MASTER as TILL_MASTER
from pos_terminal.models import SYNC as TILL_SYNC
from store_server.models import MASTER as STORE_MASTER
from store_server.models import SYNC as STORE_SYNC
from tests.factories import CHIPS_EAN, COLA_EAN
from tests.integration.till_loyalty.conftest import LoyalTill

COLA_20 = 70  # 20 % off a 3.50 cola
CHIPS_20 = 260  # 20 % off 12.99 chips, rounded half up


def define(till: LoyalTill, promotion_id: str, sku: str, limits: dict[str, int]) -> None:
    hq = till.store.loyalty.hq
    answer = hq.post(
        "/api/v1/promotions",
        {
            "id": promotion_id,
            "name": promotion_id,
            "kind": "item_discount",
            "limits": limits,
            "target": {"product_ids": [sku]},
            "rule": {"mode": "percent", "percent": "20"},
        },
    )
    assert answer.status_code == 201, answer.get_json()


def sync_down(till: LoyalTill) -> None:
    """The store pulls HQ's feed; the till pulls the store's, as their pullers would."""
    till.store.pull_feed()
    FeedPuller(
        till.sessions,
        TILL_SYNC,
        till.link,  # type: ignore[arg-type]
        lambda session, changes: apply_changes(session, TILL_MASTER, changes),
    ).pull_once()


def sync_up(till: LoyalTill) -> None:
    """The till delivers its sales to the store, and the store its documents to HQ."""
    Forwarder(till.sessions, TILL_SYNC, till.link).push_once()  # type: ignore[arg-type]
    till.store.push()


def quote(till: LoyalTill, barcode: str, member: dict[str, str] | None = None) -> int:
    body: dict[str, Any] = {"lines": [{"barcode": barcode, "qty": 1}]}
    if member:
        body["member"] = member
    answer = till.client.post("/api/v1/sales/quote", json=body, headers=till.auth())
    assert answer.status_code == 200, answer.get_json()
    saving: int = answer.get_json()["saving"]
    return saving


def sell(till: LoyalTill, barcode: str, member: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "lines": [{"barcode": barcode, "qty": 1}],
        "tenders": [{"method": "cash", "amount": 2_000}],
    }
    if member:
        body["member"] = member
    answer = till.sell(body)
    assert answer.status_code == 201, answer.get_json()
    sale: dict[str, Any] = answer.get_json()
    return sale


def setup_catalog(till: LoyalTill) -> None:
    hq = till.store.loyalty.hq
    hq.add_category()
    hq.add_product("A1", [COLA_EAN], 350)
    hq.add_product("B1", [CHIPS_EAN], 1299)


def test_a_chain_limit_used_up_stops_the_promotion_once_hqs_count_reaches_the_till(
    loyal_till: LoyalTill,
) -> None:
    setup_catalog(loyal_till)
    define(loyal_till, "P-CHIPS-1", "B1", {"chain": 1})
    sync_down(loyal_till)
    assert quote(loyal_till, CHIPS_EAN) == CHIPS_20
    assert sell(loyal_till, CHIPS_EAN)["promotion_uses"] == {"P-CHIPS-1": 1}
    assert quote(loyal_till, CHIPS_EAN) == 0  # its own sale, not yet delivered, counts
    sync_up(loyal_till)
    with loyal_till.store.sessions() as session:
        # The store passed the sale on; HQ counted it.
        assert session.scalars(select(STORE_SYNC.outbox.status)).all() == ["delivered"]
    # Delivered but HQ's count not yet down here: the documented overshoot window.
    assert quote(loyal_till, CHIPS_EAN) == CHIPS_20
    sync_down(loyal_till)
    with loyal_till.store.sessions() as session:
        copy = session.get(STORE_MASTER.promotion_usage, "P-CHIPS-1")
        assert copy is not None and (copy.chain, copy.stores) == (1, '{"S001":1}')
        republished = session.scalars(
            select(STORE_SYNC.changes.entity).where(STORE_SYNC.changes.key == "P-CHIPS-1")
        ).all()
        assert "promotion_usage" in republished
    assert quote(loyal_till, CHIPS_EAN) == 0


def test_a_member_limit_counts_the_members_sales_through_hqs_lookup(
    loyal_till: LoyalTill,
) -> None:
    setup_catalog(loyal_till)
    define(loyal_till, "P-COLA-ONCE", "A1", {"member": 1})
    sync_down(loyal_till)
    member = {"card": loyal_till.store.member_card()}
    other = {"card": loyal_till.store.member_card(mobile="13900139000")}
    assert quote(loyal_till, COLA_EAN, member) == COLA_20
    assert quote(loyal_till, COLA_EAN) == 0  # a per-member limit needs a member
    sale = sell(loyal_till, COLA_EAN, member)
    assert sale["promotion_uses"] == {"P-COLA-ONCE": 1}
    assert quote(loyal_till, COLA_EAN, member) == 0  # the undelivered sale counts for them
    assert quote(loyal_till, COLA_EAN, other) == COLA_20
    sync_up(loyal_till)
    # Delivered: now HQ's member lookup says the member used it.
    with loyal_till.sessions() as session:
        assert session.scalars(select(TILL_SYNC.outbox.status)).all() == ["delivered"]
    found = loyal_till.store.get("/members", card=member["card"]).get_json()
    assert found["promotion_uses"] == {"P-COLA-ONCE": 1}
    assert quote(loyal_till, COLA_EAN, member) == 0
    assert quote(loyal_till, COLA_EAN, other) == COLA_20
