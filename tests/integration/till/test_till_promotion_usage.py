"""Quantity limits across sales at the till: HQ's counts from the feed plus its own sales.

The till prices with the counts the feed last brought (chain-wide and for its store),
the member's counts from HQ's lookup, and its own sales still waiting in the outbox.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, sessionmaker

from chainpos import master_copy
from chainpos.master_copy import apply_changes
from chainpos.sync.outbox import originate
from pos_terminal import selling
from pos_terminal.loyalty import MemberOnSale
from pos_terminal.models import MASTER, SYNC
from pos_terminal.pricing import promotion_book
from retail.promotions.definitions import from_dict, to_dict
from tests.factories import CHIPS_EAN, COLA_EAN, TILL_CODE

COLA_20 = 70  # 20 % off one cola (350 fen)
COLAS = [{"barcode": COLA_EAN, "qty": 2}]


def promotion(promo_id: str, limits: dict[str, int], **overrides: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "id": promo_id,
        "name": promo_id,
        "kind": "item_discount",
        "limits": limits,
        "target": {"product_ids": ["A1"]},
        "rule": {"mode": "percent", "percent": "20"},
        **overrides,
    }
    return {"entity": "promotion", "key": promo_id, "payload": to_dict(from_dict(definition))}


def usage(promo_id: str, stores: dict[str, int]) -> dict[str, Any]:
    """A `promotion_usage` change as HQ publishes it."""
    return {
        "entity": "promotion_usage",
        "key": promo_id,
        "payload": {"promotion_id": promo_id, "chain": sum(stores.values()), "stores": stores},
    }


def give(app: Flask, *changes: dict[str, Any]) -> None:
    factory: sessionmaker[Session] = app.extensions["chainpos.sessions"]
    with factory.begin() as session:
        apply_changes(session, MASTER, list(changes))


def saving(till: Any, lines: list[dict[str, Any]] = COLAS, member: Any = None) -> int:
    factory: sessionmaker[Session] = till.app.extensions["chainpos.sessions"]
    with factory() as session:
        return selling.quote(session, lines, member=member).saving


def sell(till: Any, lines: list[dict[str, Any]] = COLAS) -> dict[str, Any]:
    answer = till.sell({"lines": lines, "tenders": [{"method": "cash", "amount": 10_000}]})
    assert answer.status_code == 201, answer.get_json()
    sale: dict[str, Any] = answer.get_json()
    return sale


def deliver_all(till: Any) -> None:
    """As if the store had acknowledged every document the till sent."""
    factory: sessionmaker[Session] = till.app.extensions["chainpos.sessions"]
    with factory.begin() as session:
        session.execute(update(SYNC.outbox).values(status="delivered"))


def outbox_bodies(till: Any) -> list[dict[str, Any]]:
    with till.sessions() as session:
        return [
            json.loads(payload)["body"]
            for payload in session.scalars(select(SYNC.outbox.payload).order_by(SYNC.outbox.id))
        ]


def test_the_sale_document_records_how_many_times_each_promotion_applied(till: Any) -> None:
    give(
        till.app,
        promotion("P-COLA", {}),
        promotion("P-CHIPS", {"chain": 100}, target={"product_ids": ["B1"]}),
    )
    sale = sell(till, [{"barcode": COLA_EAN, "qty": 3}, {"barcode": CHIPS_EAN, "qty": 1}])
    # An item discount counts units: three colas are three uses.
    assert sale["promotion_uses"] == {"P-COLA": 3, "P-CHIPS": 1}
    assert outbox_bodies(till)[-1]["promotion_uses"] == {"P-COLA": 3, "P-CHIPS": 1}


def test_a_sale_without_promotions_records_no_uses(till: Any) -> None:
    assert sell(till)["promotion_uses"] == {}


def test_a_chain_limit_counted_at_hq_stops_the_promotion_once_used_up(till: Any) -> None:
    give(till.app, promotion("P-CHAIN", {"chain": 5}))
    assert saving(till) == 2 * COLA_20
    give(till.app, usage("P-CHAIN", {"S002": 4}))  # another store's sales count chain-wide
    assert saving(till) == COLA_20  # one use left: one cola
    give(till.app, usage("P-CHAIN", {"S001": 1, "S002": 4}))
    assert saving(till) == 0


def test_a_store_limit_counts_only_this_stores_uses(till: Any) -> None:
    give(till.app, promotion("P-STORE", {"store": 2}), usage("P-STORE", {"S002": 50}))
    assert saving(till) == 2 * COLA_20
    give(till.app, usage("P-STORE", {"S001": 1, "S002": 50}))
    assert saving(till) == COLA_20
    give(till.app, usage("P-STORE", {"S001": 2, "S002": 50}))
    assert saving(till) == 0


def test_the_tills_own_sales_count_until_delivered_then_hqs_count_takes_over(till: Any) -> None:
    give(till.app, promotion("P-THREE", {"chain": 3}))
    assert sell(till)["promotion_uses"] == {"P-THREE": 2}
    assert saving(till) == COLA_20  # the sale still in the outbox counts: one use left
    assert sell(till)["promotion_uses"] == {"P-THREE": 1}
    assert saving(till) == 0
    # Delivered to the store, not yet counted at HQ: the window where a limit can overshoot.
    deliver_all(till)
    assert saving(till) == 2 * COLA_20
    give(till.app, usage("P-THREE", {"S001": 3}))  # HQ's count comes back down the feed
    assert saving(till) == 0


def test_a_members_uses_from_hq_and_their_undelivered_sales_count_for_a_member_limit(
    till: Any,
) -> None:
    give(till.app, promotion("P-ONCE", {"member": 2}))
    fresh = MemberOnSale(card="C1", member_id="M1", tier="normal", found=True)
    used_once = MemberOnSale(
        card="C1", member_id="M1", tier="normal", found=True, promotion_uses={"P-ONCE": 1}
    )
    used_up = MemberOnSale(
        card="C1", member_id="M1", tier="normal", found=True, promotion_uses={"P-ONCE": 2}
    )
    assert saving(till, member=fresh) == 2 * COLA_20
    assert saving(till, member=used_once) == COLA_20
    assert saving(till, member=used_up) == 0
    assert saving(till) == 0  # a per-member limit needs a known member
    # A sale for M1 still in the outbox counts for M1, not for anyone else.
    with till.sessions.begin() as session:
        originate(
            session,
            SYNC,
            "sale",
            origin_store="S001",
            origin_till=TILL_CODE,
            business_day="2026-11-26",
            body={"promotion_uses": {"P-ONCE": 1}, "member": {"member_id": "M1"}},
        )
    assert saving(till, member=fresh) == COLA_20
    assert saving(till, member=used_once) == 0
    other = MemberOnSale(card="C2", member_id="M2", tier="normal", found=True)
    assert saving(till, member=other) == 2 * COLA_20


def test_new_counts_do_not_make_the_till_rebuild_its_promotion_index(till: Any) -> None:
    give(till.app, promotion("P-CHAIN", {"chain": 5}))
    with till.sessions() as session:
        revision = master_copy.promotions_revision(session, MASTER)
        book = promotion_book(session)
    give(till.app, usage("P-CHAIN", {"S001": 5}))
    with till.sessions() as session:
        assert master_copy.promotions_revision(session, MASTER) == revision
        assert promotion_book(session) is book
    assert saving(till) == 0


def test_without_limited_promotions_a_quote_never_reads_the_outbox(till: Any) -> None:
    give(till.app, promotion("P-COLA", {"basket": 1}))  # a basket limit counts no other sale
    sell(till)
    statements: list[str] = []
    engine = till.app.extensions["chainpos.engine"]

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert saving(till) == COLA_20
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements and not [s for s in statements if "sync_outbox" in s]
    assert not [s for s in statements if "catalog_promotion_usage" in s]


def test_an_unreadable_count_is_skipped_and_the_rest_of_the_page_applies(till: Any) -> None:
    give(till.app, promotion("P-CHAIN", {"chain": 1}))
    bad = {"entity": "promotion_usage", "key": "P-X", "payload": {"stores": "many"}}
    give(till.app, bad, usage("P-CHAIN", {"S002": 1}))
    assert saving(till) == 0


def test_the_copy_serves_the_counts_to_the_tier_below_in_its_snapshot(till: Any) -> None:
    # The store serves its tills from the same copy tables and code.
    give(till.app, usage("P-A", {"S001": 2}), usage("P-B", {"S002": 1}))
    with till.sessions() as session:
        first, after = master_copy.snapshot_page(session, MASTER, "promotion:", 1)
        second, _ = master_copy.snapshot_page(session, MASTER, after, 1)
    assert [(i.entity, i.key, i.payload) for i in first + second] == [
        ("promotion_usage", "P-A", {"promotion_id": "P-A", "chain": 2, "stores": {"S001": 2}}),
        ("promotion_usage", "P-B", {"promotion_id": "P-B", "chain": 1, "stores": {"S002": 1}}),
    ]
