"""Consolidated views: sales per store and business day, stock on hand per store."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hq_server.loyalty.ingestion import POINTS_OVERDRAFT_LOT
from hq_server.loyalty.models import Card, PointsEntryRow, SvEntryRow
from hq_server.models import SYNC, Barcode, Sale, SaleReturn, StockLevel, Store


def sales_by_store(session: Session, business_day: str) -> list[dict[str, Any]]:
    """Per store: sales, returns taken that day, and the net the store took in."""
    totals = {
        code: (int(count), int(total))
        for code, count, total in session.execute(
            select(Sale.store_code, func.count(), func.coalesce(func.sum(Sale.total), 0))
            .where(Sale.business_day == business_day)
            .group_by(Sale.store_code)
        )
    }
    refunds = {
        code: (int(count), int(refund))
        for code, count, refund in session.execute(
            select(
                SaleReturn.store_code, func.count(), func.coalesce(func.sum(SaleReturn.refund), 0)
            )
            .where(SaleReturn.business_day == business_day)
            .group_by(SaleReturn.store_code)
        )
    }
    stores = sorted(set(session.scalars(select(Store.code))) | set(totals) | set(refunds))
    out = []
    for code in stores:
        sales, total = totals.get(code, (0, 0))
        returns, refunded = refunds.get(code, (0, 0))
        out.append(
            {
                "store": code,
                "sales": sales,
                "total": total,
                "returns": returns,
                "refunded": refunded,
                "net": total - refunded,
            }
        )
    return out


def stock_by_barcode(session: Session, barcode: str) -> dict[str, Any] | None:
    sku = session.scalar(select(Barcode.sku).where(Barcode.code == barcode))
    if sku is None:
        return None
    levels = session.execute(
        select(StockLevel.store_code, StockLevel.on_hand)
        .where(StockLevel.sku == sku)
        .order_by(StockLevel.store_code)
    )
    return {
        "sku": sku,
        "barcode": barcode,
        "stores": [{"store": code, "on_hand": on_hand} for code, on_hand in levels],
    }


def top_ups_by_store(session: Session, business_day: str) -> list[dict[str, Any]]:
    """Per store: top-ups its tills took (drawer money that is no sale), by tender method.

    From the tills' `sv_top_up` documents as received; cash is net of change.
    """
    received = SYNC.received
    out: dict[str, dict[str, Any]] = {}
    for (payload,) in session.execute(
        select(received.payload)
        .where(received.doc_type == "sv_top_up", received.business_day == business_day)
        .order_by(received.doc_id)
    ):
        doc = json.loads(payload)
        body = doc["body"]
        row = out.setdefault(
            doc["origin_store"],
            {"store": doc["origin_store"], "count": 0, "amount": 0, "bonus": 0, "by_method": {}},
        )
        row["count"] += 1
        row["amount"] += int(body["amount"])
        row["bonus"] += int(body.get("bonus", 0))
        by_method: dict[str, int] = row["by_method"]
        for tender in body["tenders"]:
            change = int(body.get("change", 0)) if tender["method"] == "cash" else 0
            taken = int(tender["amount"]) - change
            by_method[tender["method"]] = by_method.get(tender["method"], 0) + taken
    return [out[code] for code in sorted(out)]


def loyalty_overdrafts(session: Session, start: str, end: str) -> list[dict[str, Any]]:
    """Offline spending HQ posted beyond what the card held (business days start..end):
    stored value (fen, the entry's `overdraft`) and points (entries on the overdraft lot)."""
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    sv = session.execute(
        select(SvEntryRow, Card.number)
        .join(Card, Card.id == SvEntryRow.card_id)
        .where(
            SvEntryRow.overdraft > 0,
            SvEntryRow.business_day >= first,
            SvEntryRow.business_day <= last,
        )
        .order_by(SvEntryRow.id)
    )
    points = session.scalars(
        select(PointsEntryRow)
        .where(
            PointsEntryRow.lot_id == POINTS_OVERDRAFT_LOT,
            PointsEntryRow.business_day >= first,
            PointsEntryRow.business_day <= last,
        )
        .order_by(PointsEntryRow.id)
    )
    return [
        {
            "kind": "stored_value",
            "card": number,
            "account_id": entry.account_id,
            "overdraft": entry.overdraft,
            "store": entry.store_code,
            "document": entry.document,
            "business_day": entry.business_day.isoformat(),
        }
        for entry, number in sv
    ] + [
        {
            "kind": "points",
            "card": None,
            "account_id": entry.account_id,
            "overdraft": -entry.points,
            "store": entry.store_code,
            "document": entry.document,
            "business_day": entry.business_day.isoformat(),
        }
        for entry in points
    ]
