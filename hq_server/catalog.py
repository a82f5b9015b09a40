"""Catalog use cases at HQ: categories, brands, products, barcodes and prices.

Every change is written with its change-feed entry in the same transaction, so a
store never sees a product without its feed entry or the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from chainpos.db import utcnow
from chainpos.ids import new_id
from chainpos.sync.feed import ChangeItem, publish
from hq_server.errors import (
    AlreadyExists,
    DuplicateBarcode,
    UnknownCategory,
    UnknownProduct,
    UnknownStore,
)
from hq_server.models import SYNC, Barcode, Brand, Category, Price, Product, Store


def add_category(session: Session, code: str, name_zh: str, name_en: str, tax_rate_bp: int) -> None:
    if session.get(Category, code) is not None:
        raise AlreadyExists(f"category {code} exists", {"code": "already exists"})
    session.add(Category(code=code, name_zh=name_zh, name_en=name_en, tax_rate_bp=tax_rate_bp))


def add_brand(session: Session, code: str, name_zh: str, name_en: str) -> None:
    if session.get(Brand, code) is not None:
        raise AlreadyExists(f"brand {code} exists", {"code": "already exists"})
    session.add(Brand(code=code, name_zh=name_zh, name_en=name_en))


def product_payload(
    session: Session,
    product: Product,
    *,
    prices: Iterable[Price] | None = None,
    categories: dict[str, Category] | None = None,
    brands: dict[str, Brand] | None = None,
    barcodes: list[str] | None = None,
) -> dict[str, Any]:
    """The product's full state as it travels down the feed."""
    category = (categories or {}).get(product.category_code) or session.get(
        Category, product.category_code
    )
    brand = None
    if product.brand_code:
        brand = (brands or {}).get(product.brand_code) or session.get(Brand, product.brand_code)
    if barcodes is None:
        barcodes = sorted(session.scalars(select(Barcode.code).where(Barcode.sku == product.sku)))
    assert category is not None
    payload: dict[str, Any] = {
        "sku": product.sku,
        "name_zh": product.name_zh,
        "name_en": product.name_en,
        "category_code": product.category_code,
        "category_name": category.name_en,
        "brand_code": product.brand_code,
        "brand_name": brand.name_en if brand else None,
        "unit": product.unit,
        "weighed": product.weighed,
        "tax_rate_bp": category.tax_rate_bp,
        "active": product.active,
        "barcodes": barcodes,
    }
    if prices is not None:
        payload["prices"] = [price_payload(p) for p in prices]
    return payload


def price_payload(price: Price) -> dict[str, Any]:
    return {
        "id": price.id,
        "sku": price.sku,
        "price": price.price,
        "store": price.store_code,
        "effective_from": price.effective_from.isoformat(),
    }


def add_products(
    session: Session, products: list[dict[str, Any]], *, staff: str | None = None
) -> list[str]:
    """Create products with their barcodes and chain price; refuses the whole batch on any error."""
    categories = {c.code: c for c in session.scalars(select(Category))}
    brands = {b.code: b for b in session.scalars(select(Brand))}
    skus = [p["sku"] for p in products]
    all_codes = [code for p in products for code in p["barcodes"]]
    if len(set(skus)) != len(skus):
        raise AlreadyExists("the batch repeats a sku", {"sku": "repeated in the batch"})
    if len(set(all_codes)) != len(all_codes):
        raise DuplicateBarcode("the batch repeats a barcode", {"barcodes": "repeated"})
    for start in range(0, len(skus), 1000):
        existing = session.scalar(
            select(Product.sku).where(Product.sku.in_(skus[start : start + 1000])).limit(1)
        )
        if existing:
            raise AlreadyExists(f"product {existing} exists", {"sku": f"{existing} exists"})
    for start in range(0, len(all_codes), 1000):
        taken = session.scalar(
            select(Barcode.code).where(Barcode.code.in_(all_codes[start : start + 1000])).limit(1)
        )
        if taken:
            raise DuplicateBarcode(f"barcode {taken} is already used", {"barcodes": taken})
    now = utcnow()
    changes: list[ChangeItem] = []
    product_rows: list[dict[str, Any]] = []
    barcode_rows: list[dict[str, Any]] = []
    price_rows: list[Price] = []
    for data in products:
        if data["category_code"] not in categories:
            raise UnknownCategory(
                f"unknown category {data['category_code']}", {"category_code": "unknown"}
            )
        if data.get("brand_code") and data["brand_code"] not in brands:
            raise UnknownCategory(f"unknown brand {data['brand_code']}", {"brand_code": "unknown"})
        product = Product(
            sku=data["sku"],
            name_zh=data["name_zh"],
            name_en=data["name_en"],
            category_code=data["category_code"],
            brand_code=data.get("brand_code"),
            unit=data.get("unit", "件"),
            weighed=bool(data.get("weighed", False)),
            active=True,
            updated_at=now,
        )
        price = Price(
            id=new_id(),
            sku=product.sku,
            store_code=None,
            price=data["price"],
            effective_from=data.get("effective_from") or now,
            created_at=now,
            created_by=staff,
        )
        product_rows.append({c.key: getattr(product, c.key) for c in Product.__table__.columns})
        barcode_rows += [{"code": code, "sku": product.sku} for code in data["barcodes"]]
        price_rows.append(price)
        changes.append(
            ChangeItem(
                "product",
                product.sku,
                product_payload(
                    session,
                    product,
                    prices=[price],
                    categories=categories,
                    brands=brands,
                    barcodes=sorted(data["barcodes"]),
                ),
            )
        )
    session.execute(insert(Product), product_rows)
    if barcode_rows:
        session.execute(insert(Barcode), barcode_rows)
    session.add_all(price_rows)
    publish(session, SYNC, changes)
    return skus


def update_product(session: Session, sku: str, changes: dict[str, Any]) -> Product:
    product = session.get(Product, sku, with_for_update=True)
    if product is None:
        raise UnknownProduct(f"unknown product {sku}", {"sku": "unknown"})
    if "category_code" in changes and session.get(Category, changes["category_code"]) is None:
        raise UnknownCategory("unknown category", {"category_code": "unknown"})
    if changes.get("brand_code") and session.get(Brand, changes["brand_code"]) is None:
        raise UnknownCategory(f"unknown brand {changes['brand_code']}", {"brand_code": "unknown"})
    for name in ("name_zh", "name_en", "category_code", "brand_code", "unit", "active"):
        if name in changes:
            setattr(product, name, changes[name])
    if "barcodes" in changes:
        codes = list(changes["barcodes"])
        if len(set(codes)) != len(codes):
            raise DuplicateBarcode("the barcodes repeat a code", {"barcodes": "repeated"})
        taken = session.scalar(
            select(Barcode.code).where(Barcode.code.in_(codes), Barcode.sku != sku).limit(1)
        )
        if taken:
            raise DuplicateBarcode(f"barcode {taken} is already used", {"barcodes": taken})
        for old in session.scalars(select(Barcode).where(Barcode.sku == sku)):
            session.delete(old)
        session.flush()
        session.add_all(Barcode(code=code, sku=sku) for code in codes)
    product.updated_at = utcnow()
    session.flush()
    publish(session, SYNC, [ChangeItem("product", sku, product_payload(session, product))])
    return product


def set_price(
    session: Session,
    sku: str,
    price: int,
    *,
    store: str | None = None,
    effective_from: datetime | None = None,
    staff: str | None = None,
) -> Price:
    """Record a price, now or from a future time, chain-wide or for one store."""
    if session.get(Product, sku) is None:
        raise UnknownProduct(f"unknown product {sku}", {"sku": "unknown"})
    if store is not None and session.get(Store, store) is None:
        raise UnknownStore(f"unknown store {store}", {"store": "unknown"})
    now = utcnow()
    record = Price(
        id=new_id(),
        sku=sku,
        store_code=store,
        price=price,
        effective_from=effective_from or now,
        created_at=now,
        created_by=staff,
    )
    session.add(record)
    session.flush()
    publish(session, SYNC, [ChangeItem("price", record.id, price_payload(record), scope=store)])
    return record


def find_products(
    session: Session, *, barcode: str | None = None, q: str | None = None, limit: int = 50
) -> list[Product]:
    if barcode:
        sku = session.scalar(select(Barcode.sku).where(Barcode.code == barcode))
        product = session.get(Product, sku) if sku else None
        return [product] if product else []
    query = select(Product).order_by(Product.sku).limit(limit)
    if q:
        like = f"%{q}%"
        query = query.where(
            Product.name_zh.like(like) | Product.name_en.ilike(like) | (Product.sku == q)
        )
    return list(session.scalars(query))
