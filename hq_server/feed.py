"""What HQ serves down to a store: its slice of the change feed and the initial snapshot."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chainpos.sync.feed import ChangeItem, paged_snapshot
from hq_server.catalog import product_payload
from hq_server.loyalty.feed import SNAPSHOT_ENTITIES, snapshot_items
from hq_server.models import Barcode, Brand, Category, Price, Product, Staff, Store, Till
from hq_server.organisation import staff_payload, store_payload
from hq_server.promotions import usage
from hq_server.promotions.models import PromotionRecord

_ORDER = ("store", "till", "staff", "product", "promotion", usage.ENTITY, *SNAPSHOT_ENTITIES)


def snapshot_page(
    session: Session, store_code: str, after: str | None, limit: int
) -> tuple[list[ChangeItem], str | None]:
    """One page of the master data a store needs, as change items."""
    return paged_snapshot(
        _ORDER, lambda entity, key, n: _page(session, store_code, entity, key, n), after, limit
    )


def _page(session: Session, store: str, entity: str, after: str, limit: int) -> list[ChangeItem]:
    if entity == "store":
        rows = session.scalars(select(Store).where(Store.code == store, Store.code > after))
        return [ChangeItem("store", s.code, store_payload(s)) for s in rows]
    if entity == "till":
        tills = session.scalars(
            select(Till)
            .where(Till.store_code == store, Till.code > after)
            .order_by(Till.code)
            .limit(limit)
        )
        return [
            ChangeItem("till", t.code, {"code": t.code, "store": t.store_code, "active": t.active})
            for t in tills
        ]
    if entity == "staff":
        staff = session.scalars(
            select(Staff)
            .where(or_(Staff.store_code.is_(None), Staff.store_code == store), Staff.code > after)
            .order_by(Staff.code)
            .limit(limit)
        )
        return [ChangeItem("staff", s.code, staff_payload(s)) for s in staff]
    if entity == "promotion":
        records = session.scalars(
            select(PromotionRecord)
            .where(PromotionRecord.id > after)
            .order_by(PromotionRecord.id)
            .limit(limit)
        )
        return [ChangeItem("promotion", r.id, json.loads(r.definition)) for r in records]
    if entity == usage.ENTITY:
        return usage.snapshot_items(session, after, limit)
    if entity in SNAPSHOT_ENTITIES:
        return snapshot_items(session, entity, after, limit)
    products = list(
        session.scalars(
            select(Product).where(Product.sku > after).order_by(Product.sku).limit(limit)
        )
    )
    if not products:
        return []
    skus = [p.sku for p in products]
    categories = {c.code: c for c in session.scalars(select(Category))}
    brands = {b.code: b for b in session.scalars(select(Brand))}
    codes: dict[str, list[str]] = {}
    for code, sku in session.execute(
        select(Barcode.code, Barcode.sku).where(Barcode.sku.in_(skus))
    ):
        codes.setdefault(sku, []).append(code)
    prices: dict[str, list[Price]] = {}
    for price in session.scalars(
        select(Price).where(
            Price.sku.in_(skus), or_(Price.store_code.is_(None), Price.store_code == store)
        )
    ):
        prices.setdefault(price.sku, []).append(price)
    out: list[ChangeItem] = []
    for product in products:
        payload: dict[str, Any] = product_payload(
            session,
            product,
            prices=prices.get(product.sku, []),
            categories=categories,
            brands=brands,
            barcodes=sorted(codes.get(product.sku, [])),
        )
        out.append(ChangeItem("product", product.sku, payload))
    return out
