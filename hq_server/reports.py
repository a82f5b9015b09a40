"""Consolidated views: sales per store and business day, stock on hand per store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hq_server.models import Barcode, Sale, StockLevel, Store


def sales_by_store(session: Session, business_day: str) -> list[dict[str, Any]]:
    totals = {
        code: (count, total)
        for code, count, total in session.execute(
            select(Sale.store_code, func.count(), func.coalesce(func.sum(Sale.total), 0))
            .where(Sale.business_day == business_day)
            .group_by(Sale.store_code)
        )
    }
    stores = sorted(set(session.scalars(select(Store.code))) | set(totals))
    return [
        {
            "store": code,
            "sales": int(totals.get(code, (0, 0))[0]),
            "total": int(totals.get(code, (0, 0))[1]),
        }
        for code in stores
    ]


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
