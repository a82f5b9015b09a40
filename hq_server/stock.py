"""HQ's consolidated stock per store: what each store's documents moved."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from chainpos.upsert import add_to
from hq_server.models import StockLevel


def move_stock(session: Session, moves: Iterable[tuple[str, str, int]]) -> None:
    """Add each `(store, sku, delta)` to the store's figure, one statement for all of them.

    Moves of the same store and sku are summed first; rows are written in key order so
    concurrent batches lock them in the same order.
    """
    totals: dict[tuple[str, str], int] = {}
    for store, sku, delta in moves:
        totals[(store, sku)] = totals.get((store, sku), 0) + delta
    add_to(
        session,
        StockLevel,
        [
            {"store_code": store, "sku": sku, "on_hand": delta}
            for (store, sku), delta in sorted(totals.items())
        ],
        ["store_code", "sku"],
        "on_hand",
    )
