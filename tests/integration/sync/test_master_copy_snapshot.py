"""A tier's snapshot for the tier below carries everything it keeps, hot cards included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chainpos.db import make_engine, make_session_factory, migrate, unit_of_work
from chainpos.master_copy import apply_changes, snapshot_page
from pos_terminal.models import MASTER as TILL
from store_server.models import MASTER as STORE


def _changes() -> list[dict[str, Any]]:
    return [
        {
            "entity": "store",
            "key": "S001",
            "payload": {
                "code": "S001",
                "name": "Store",
                "timezone": "Asia/Shanghai",
                "cash_rounding_step": 10,
                "region": "east",
                "active": True,
            },
        },
        {
            "entity": "hot_card",
            "key": "8800000000012",
            "payload": {
                "number": "8800000000012",
                "card_id": "c-1",
                "uid": "04A1B2C3",
                "state": "frozen",
                "hot": True,
            },
        },
        {
            "entity": "coupon_key",
            "key": "1",
            "payload": {
                "key_id": 1,
                "algorithm": "ed25519",
                "public_key": "MCowBQYDK2VwAyEA" + "A" * 44,
                "active": True,
            },
        },
        {
            "entity": "promotion",
            "key": "P1",
            "payload": {"id": "P1", "status": "active", "name": "x"},
        },
    ]


def test_a_till_loading_its_stores_snapshot_learns_the_hot_list_and_coupon_keys(
    tmp_path: Path,
) -> None:
    store_url, till_url = f"sqlite:///{tmp_path}/store.db", f"sqlite:///{tmp_path}/till.db"
    migrate(store_url, "store", quiet=True)
    migrate(till_url, "till", quiet=True)
    store = make_session_factory(make_engine(store_url))
    till = make_session_factory(make_engine(till_url))
    with unit_of_work(store) as session:
        apply_changes(session, STORE, _changes())
    pages, after = [], None
    while True:
        with unit_of_work(store) as session:
            items, after = snapshot_page(session, STORE, after, 2)  # small pages on purpose
        pages.append(items)
        if after is None:
            break
    with unit_of_work(till) as session:
        apply_changes(session, TILL, [i.to_dict() for page in pages for i in page])
    with unit_of_work(till) as session:
        hot = session.get(TILL.hot_cards, "8800000000012")
        key = session.get(TILL.coupon_keys, 1)
        shop = session.get(TILL.stores, "S001")
        assert hot is not None and hot.hot and hot.state == "frozen"
        assert key is not None and key.active
        assert shop is not None and shop.region == "east"
    entities = [i.entity for page in pages for i in page]
    assert sorted(entities) == ["coupon_key", "hot_card", "promotion", "store"]
