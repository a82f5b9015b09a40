"""Stock on hand at the store: a movement ledger and the figure it sums to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from chainpos.db import utcnow
from chainpos.upsert import add_to, upsert
from store_server.models import StockMovement, StockOnHand


def apply_sale(session: Session, doc_id: str, lines: Sequence[dict[str, Any]]) -> None:
    """Take a sale's lines out of stock, one movement per line."""
    _move(session, doc_id, "sale", -1, lines)


def apply_return(session: Session, doc_id: str, lines: Sequence[dict[str, Any]]) -> None:
    """Put returned goods back into stock, one movement per returned line."""
    _move(session, doc_id, "return", 1, lines)


def apply_gift(session: Session, doc_id: str, lines: Sequence[dict[str, Any]]) -> None:
    """Take goods handed over as a points gift out of stock, one movement per line."""
    _move(session, doc_id, "gift", -1, lines)


def _move(
    session: Session, doc_id: str, kind: str, sign: int, lines: Sequence[dict[str, Any]]
) -> None:
    now = utcnow()
    movements = [
        {
            "sku": line["sku"],
            "delta": sign * int(line["stock_qty"]),
            "kind": kind,
            "doc_id": doc_id,
            "at": now,
            "line_no": int(line["line_no"]),
        }
        for line in lines
    ]
    session.execute(insert(StockMovement), movements)
    totals: dict[str, int] = {}
    for movement in movements:
        totals[movement["sku"]] = totals.get(movement["sku"], 0) + movement["delta"]
    add_to(
        session,
        StockOnHand,
        [{"sku": sku, "on_hand": delta} for sku, delta in sorted(totals.items())],
        ["sku"],
        "on_hand",
    )


def apply_count(session: Session, doc_id: str, counted: Sequence[dict[str, Any]]) -> None:
    """Set stock to counted figures; the movement records the difference."""
    skus = [c["sku"] for c in counted]
    current: dict[str, int] = {}
    for start in range(0, len(skus), 1000):
        rows = session.execute(
            select(StockOnHand.sku, StockOnHand.on_hand).where(
                StockOnHand.sku.in_(skus[start : start + 1000])
            )
        )
        current.update((sku, qty) for sku, qty in rows)
    now = utcnow()
    movements = [
        {
            "sku": c["sku"],
            "delta": int(c["on_hand"]) - current.get(c["sku"], 0),
            "kind": "count",
            "doc_id": doc_id,
            "at": now,
            "line_no": i,
        }
        for i, c in enumerate(counted, start=1)
    ]
    session.execute(insert(StockMovement), movements)
    upsert(
        session,
        StockOnHand,
        [{"sku": c["sku"], "on_hand": int(c["on_hand"])} for c in counted],
        ["sku"],
    )


def on_hand(session: Session, sku: str) -> int:
    return int(session.scalar(select(StockOnHand.on_hand).where(StockOnHand.sku == sku)) or 0)
