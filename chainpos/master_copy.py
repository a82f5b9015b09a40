"""The local copy of HQ's master data that a store and a till keep, fed by the change feed.

Written once for both tiers: the table mixins, applying a page of changes, serving a
paged snapshot to the tier below, and the lookups a sale needs offline.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from chainpos.db import UtcDateTime
from chainpos.sync.feed import ChangeItem, paged_snapshot
from chainpos.sync.models import map_mixin
from chainpos.upsert import upsert
from retail.catalog import PriceRecord
from retail.promotions.usage import CountedUses, UsageCounts

log = logging.getLogger(__name__)


class CopyProductMixin:
    __tablename__ = "catalog_products"

    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    category_code: Mapped[str] = mapped_column(String(32))
    category_name: Mapped[str] = mapped_column(String(100))
    brand_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    brand_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    unit: Mapped[str] = mapped_column(String(16))
    weighed: Mapped[bool] = mapped_column(Boolean)
    tax_rate_bp: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)


class CopyBarcodeMixin:
    __tablename__ = "catalog_barcodes"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), index=True)


class CopyPriceMixin:
    __tablename__ = "catalog_prices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sku: Mapped[str] = mapped_column(String(32))
    store_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    price: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[datetime] = mapped_column(UtcDateTime())

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (Index("ix_catalog_prices_sku", "sku", "effective_from"),)


class CopyStaffMixin:
    __tablename__ = "staff"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    pin_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    store_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean)


class CopyStoreMixin:
    __tablename__ = "stores"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    cash_rounding_step: Mapped[int] = mapped_column(Integer)
    region: Mapped[str | None] = mapped_column(String(32), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean)


class CopyTillMixin:
    __tablename__ = "tills"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    store_code: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean)


class CopyPromotionMixin:
    """A promotion definition in the engine's wire form, applied at this tier offline."""

    __tablename__ = "catalog_promotions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    definition: Mapped[str] = mapped_column(Text)
    #: Local change counter: (count, max) tells a cache that the promotions changed.
    revision: Mapped[int] = mapped_column(Integer)


class CopyPromotionUsageMixin:
    """How often HQ counted a promotion with a chain or store limit used, per store.

    Kept apart from `catalog_promotions` so a new count never makes a till rebuild its
    promotion index.
    """

    __tablename__ = "catalog_promotion_usage"

    promotion_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chain: Mapped[int] = mapped_column(BigInteger)
    stores: Mapped[str] = mapped_column(Text)  # JSON: store code -> times
    #: Local change counter, like `catalog_promotions.revision`.
    revision: Mapped[int] = mapped_column(Integer)


class CopyHotCardMixin:
    """A card HQ listed as lost, frozen, replaced or cancelled (`hot`), keyed by number."""

    __tablename__ = "loyalty_hot_cards"

    number: Mapped[str] = mapped_column(String(30), primary_key=True)
    card_id: Mapped[str] = mapped_column(String(36))
    uid: Mapped[str | None] = mapped_column(String(40), nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    hot: Mapped[bool] = mapped_column(Boolean)


class CopyCouponKeyMixin:
    """HQ's public key for coupon signatures: a store verifies codes offline with it."""

    __tablename__ = "loyalty_coupon_keys"

    key_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    algorithm: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean)


@dataclass(frozen=True)
class MasterTables:
    products: type[Any]
    barcodes: type[Any]
    prices: type[Any]
    staff: type[Any]
    stores: type[Any]
    tills: type[Any]
    promotions: type[Any]
    promotion_usage: type[Any]
    hot_cards: type[Any]
    coupon_keys: type[Any]


def declare_master_tables(base: type[Any]) -> MasterTables:
    def mapped(name: str, mixin: type[Any]) -> type[Any]:
        return map_mixin(base, name, mixin)

    return MasterTables(
        products=mapped("Product", CopyProductMixin),
        barcodes=mapped("Barcode", CopyBarcodeMixin),
        prices=mapped("Price", CopyPriceMixin),
        staff=mapped("Staff", CopyStaffMixin),
        stores=mapped("Store", CopyStoreMixin),
        tills=mapped("Till", CopyTillMixin),
        promotions=mapped("PromotionCopy", CopyPromotionMixin),
        promotion_usage=mapped("PromotionUsageCopy", CopyPromotionUsageMixin),
        hot_cards=mapped("HotCard", CopyHotCardMixin),
        coupon_keys=mapped("CouponKeyCopy", CopyCouponKeyMixin),
    )


_PRODUCT_FIELDS = (
    "sku",
    "name_zh",
    "name_en",
    "category_code",
    "category_name",
    "brand_code",
    "brand_name",
    "unit",
    "weighed",
    "tax_rate_bp",
    "active",
)


def _price_row(sku: str, price: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": price["id"],
        "sku": sku,
        "store_code": price.get("store"),
        "price": int(price["price"]),
        "effective_from": datetime.fromisoformat(price["effective_from"]),
    }


def apply_changes(
    session: Session, tables: MasterTables, changes: Sequence[dict[str, Any]]
) -> None:
    """Apply a page of master-data changes (full states, so re-applying is harmless)."""
    products: dict[str, dict[str, Any]] = {}
    barcodes: dict[str, list[str]] = {}
    prices: list[dict[str, Any]] = []
    usage: dict[str, UsageCounts] = {}
    others: list[dict[str, Any]] = []
    for change in changes:
        entity, payload = change["entity"], change["payload"]
        if entity == "product":
            products[payload["sku"]] = {f: payload.get(f) for f in _PRODUCT_FIELDS}
            if "barcodes" in payload:
                barcodes[payload["sku"]] = list(payload["barcodes"])
            prices += [_price_row(payload["sku"], p) for p in payload.get("prices", [])]
        elif entity == "price":
            prices.append(_price_row(payload["sku"], payload))
        elif entity == USAGE:
            try:
                counts = UsageCounts.from_dict(payload)
            except ValueError as err:
                # A count this tier cannot read must not stop the feed (or the lane).
                log.error("promotion usage %s ignored: %s", change.get("key"), err)
                continue
            usage[counts.promotion_id] = counts
        else:
            others.append(change)
    # Order matters only within a page: apply rows of one kind in bulk.
    upsert(session, tables.products, list(products.values()), ["sku"])
    if barcodes:
        skus = list(barcodes)
        for start in range(0, len(skus), 500):
            session.execute(
                delete(tables.barcodes).where(tables.barcodes.sku.in_(skus[start : start + 500]))
            )
        rows = [{"code": code, "sku": sku} for sku, codes in barcodes.items() for code in codes]
        upsert(session, tables.barcodes, rows, ["code"])
    upsert(session, tables.prices, prices, ["id"])
    _apply_usage(session, tables, list(usage.values()))
    for change in others:
        _apply_other(session, tables, change["entity"], change["payload"])


def _apply_usage(session: Session, tables: MasterTables, counts: Sequence[UsageCounts]) -> None:
    if not counts:
        return
    table = tables.promotion_usage
    revision = int(session.scalar(select(func.coalesce(func.max(table.revision), 0))) or 0)
    rows = [
        {
            "promotion_id": c.promotion_id,
            "chain": c.chain,
            "stores": json.dumps(c.to_dict()["stores"], separators=(",", ":")),
            "revision": revision + offset,
        }
        for offset, c in enumerate(counts, start=1)
    ]
    upsert(session, table, rows, ["promotion_id"])


def _apply_other(session: Session, tables: MasterTables, entity: str, p: dict[str, Any]) -> None:
    if entity == "store":
        row = {
            "code": p["code"],
            "name": p["name"],
            "timezone": p["timezone"],
            "cash_rounding_step": int(p.get("cash_rounding_step", 1)),
            "region": p.get("region"),
            "active": bool(p.get("active", True)),
        }
        upsert(session, tables.stores, [row], ["code"])
    elif entity == "till":
        row = {"code": p["code"], "store_code": p["store"], "active": bool(p.get("active", True))}
        upsert(session, tables.tills, [row], ["code"])
    elif entity == "staff":
        row = {
            "code": p["code"],
            "name": p["name"],
            "role": p["role"],
            "pin_hash": p.get("pin_hash"),
            "store_code": p.get("store"),
            "active": bool(p.get("active", True)),
        }
        upsert(session, tables.staff, [row], ["code"])
    elif entity == "promotion":
        revision = session.scalar(select(func.coalesce(func.max(tables.promotions.revision), 0)))
        row = {
            "id": p["id"],
            "status": p.get("status", "active"),
            "revision": int(revision or 0) + 1,
            "definition": json.dumps(p, ensure_ascii=False, separators=(",", ":")),
        }
        upsert(session, tables.promotions, [row], ["id"])
    elif entity == "hot_card":
        row = {
            "number": p["number"],
            "card_id": p["card_id"],
            "uid": p.get("uid"),
            "state": p.get("state", "frozen"),
            "hot": bool(p.get("hot", True)),
        }
        upsert(session, tables.hot_cards, [row], ["number"])
    elif entity == "coupon_key":
        row = {
            "key_id": int(p["key_id"]),
            "algorithm": p.get("algorithm", "ed25519"),
            "public_key": p["public_key"],
            "active": bool(p.get("active", True)),
        }
        upsert(session, tables.coupon_keys, [row], ["key_id"])
    # Entities this tier does not keep (e.g. promotions before they land) are ignored.


#: The change feed's entity for promotion usage counts (key: promotion id).
USAGE = "promotion_usage"

_SNAPSHOT_ORDER = (
    "store",
    "till",
    "staff",
    "product",
    "promotion",
    USAGE,
    "hot_card",
    "coupon_key",
)


def snapshot_page(
    session: Session, tables: MasterTables, after: str | None, limit: int
) -> tuple[list[ChangeItem], str | None]:
    """One page of the current master data, as change items, for the tier below."""
    return paged_snapshot(
        _SNAPSHOT_ORDER,
        lambda entity, key, n: _snapshot_entity(session, tables, entity, key, n),
        after,
        limit,
    )


def _snapshot_entity(
    session: Session, tables: MasterTables, entity: str, after_key: str, limit: int
) -> list[ChangeItem]:
    if entity == "store":
        stores = session.scalars(
            select(tables.stores)
            .where(tables.stores.code > after_key)
            .order_by(tables.stores.code)
            .limit(limit)
        )
        return [ChangeItem("store", s.code, store_payload(s)) for s in stores]
    if entity == "till":
        tills = session.scalars(
            select(tables.tills)
            .where(tables.tills.code > after_key)
            .order_by(tables.tills.code)
            .limit(limit)
        )
        return [
            ChangeItem("till", t.code, {"code": t.code, "store": t.store_code, "active": t.active})
            for t in tills
        ]
    if entity == "staff":
        staff = session.scalars(
            select(tables.staff)
            .where(tables.staff.code > after_key)
            .order_by(tables.staff.code)
            .limit(limit)
        )
        return [
            ChangeItem(
                "staff",
                s.code,
                {
                    "code": s.code,
                    "name": s.name,
                    "role": s.role,
                    "pin_hash": s.pin_hash,
                    "store": s.store_code,
                    "active": s.active,
                },
            )
            for s in staff
        ]
    if entity == "hot_card":
        hot = session.scalars(
            select(tables.hot_cards)
            .where(tables.hot_cards.number > after_key)
            .order_by(tables.hot_cards.number)
            .limit(limit)
        )
        return [
            ChangeItem(
                "hot_card",
                h.number,
                {
                    "number": h.number,
                    "card_id": h.card_id,
                    "uid": h.uid,
                    "state": h.state,
                    "hot": h.hot,
                },
            )
            for h in hot
        ]
    if entity == "coupon_key":
        if after_key:
            return []  # a handful of keys: always served whole, on the page they start
        keys = session.scalars(select(tables.coupon_keys).order_by(tables.coupon_keys.key_id))
        return [
            ChangeItem(
                "coupon_key",
                str(k.key_id),
                {
                    "key_id": k.key_id,
                    "algorithm": k.algorithm,
                    "public_key": k.public_key,
                    "active": k.active,
                },
            )
            for k in keys
        ]
    if entity == USAGE:
        usage = session.scalars(
            select(tables.promotion_usage)
            .where(tables.promotion_usage.promotion_id > after_key)
            .order_by(tables.promotion_usage.promotion_id)
            .limit(limit)
        )
        return [
            ChangeItem(
                USAGE,
                u.promotion_id,
                UsageCounts(u.promotion_id, json.loads(u.stores)).to_dict(),
            )
            for u in usage
        ]
    if entity == "promotion":
        promotions = session.scalars(
            select(tables.promotions)
            .where(tables.promotions.id > after_key)
            .order_by(tables.promotions.id)
            .limit(limit)
        )
        return [ChangeItem("promotion", p.id, json.loads(p.definition)) for p in promotions]
    products = list(
        session.scalars(
            select(tables.products)
            .where(tables.products.sku > after_key)
            .order_by(tables.products.sku)
            .limit(limit)
        )
    )
    if not products:
        return []
    skus = [p.sku for p in products]
    codes: dict[str, list[str]] = {}
    for code, sku in session.execute(
        select(tables.barcodes.code, tables.barcodes.sku).where(tables.barcodes.sku.in_(skus))
    ):
        codes.setdefault(sku, []).append(code)
    prices: dict[str, list[dict[str, Any]]] = {}
    for price in session.scalars(select(tables.prices).where(tables.prices.sku.in_(skus))):
        prices.setdefault(price.sku, []).append(price_payload(price))
    return [
        ChangeItem(
            "product",
            p.sku,
            {
                **{f: getattr(p, f) for f in _PRODUCT_FIELDS},
                "barcodes": sorted(codes.get(p.sku, [])),
                "prices": prices.get(p.sku, []),
            },
        )
        for p in products
    ]


def store_payload(store: Any) -> dict[str, Any]:
    return {
        "code": store.code,
        "name": store.name,
        "timezone": store.timezone,
        "cash_rounding_step": store.cash_rounding_step,
        "region": store.region,
        "active": store.active,
    }


def price_payload(price: Any) -> dict[str, Any]:
    return {
        "id": price.id,
        "sku": price.sku,
        "price": price.price,
        "store": price.store_code,
        "effective_from": price.effective_from.isoformat(),
    }


def find_by_barcode(session: Session, tables: MasterTables, code: str) -> Any | None:
    """The active product a barcode belongs to, from the local copy."""
    sku = session.scalar(select(tables.barcodes.sku).where(tables.barcodes.code == code))
    if sku is None:
        return None
    product = session.get(tables.products, sku)
    return product if product is not None and product.active else None


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """What a sale needs of a product: its facts and every price record for it."""

    sku: str
    name_zh: str
    name_en: str
    unit: str
    weighed: bool
    tax_rate_bp: int
    category_code: str
    brand_code: str | None
    prices: tuple[PriceRecord, ...]


def lookup_barcodes(
    session: Session, tables: MasterTables, codes: Sequence[str]
) -> dict[str, CatalogItem]:
    """Active products by barcode with their prices, in two queries whatever the count."""
    products, barcodes = tables.products, tables.barcodes
    rows = session.execute(
        select(
            barcodes.code,
            products.sku,
            products.name_zh,
            products.name_en,
            products.unit,
            products.weighed,
            products.tax_rate_bp,
            products.category_code,
            products.brand_code,
        )
        .join(products, products.sku == barcodes.sku)
        .where(barcodes.code.in_(set(codes)), products.active)
    ).all()
    skus = {row.sku for row in rows}
    prices: dict[str, list[PriceRecord]] = {}
    if skus:
        p = tables.prices
        for pid, sku, store, price, effective in session.execute(
            select(p.id, p.sku, p.store_code, p.price, p.effective_from).where(p.sku.in_(skus))
        ):
            effective = effective if effective.tzinfo else effective.replace(tzinfo=UTC)
            prices.setdefault(sku, []).append(
                PriceRecord(id=pid, sku=sku, price=price, effective_from=effective, store=store)
            )
    return {
        row.code: CatalogItem(
            row.sku,
            row.name_zh,
            row.name_en,
            row.unit,
            row.weighed,
            row.tax_rate_bp,
            row.category_code,
            row.brand_code,
            tuple(prices.get(row.sku, ())),
        )
        for row in rows
    }


def price_records(session: Session, tables: MasterTables, sku: str) -> list[PriceRecord]:
    return [
        PriceRecord(
            id=p.id, sku=p.sku, price=p.price, effective_from=p.effective_from, store=p.store_code
        )
        for p in session.scalars(select(tables.prices).where(tables.prices.sku == sku))
    ]


def promotion_definitions(session: Session, tables: MasterTables) -> list[dict[str, Any]]:
    """Every promotion this tier holds, in the engine's wire form (the engine filters)."""
    return [
        json.loads(definition)
        for (definition,) in session.execute(
            select(tables.promotions.definition).order_by(tables.promotions.id)
        )
    ]


def promotions_revision(session: Session, tables: MasterTables) -> tuple[int, int]:
    """(count, highest revision) of the promotions held: changes whenever one does."""
    count, highest = session.execute(
        select(func.count(), func.coalesce(func.max(tables.promotions.revision), 0))
    ).one()
    return int(count), int(highest)


def is_hot(session: Session, tables: MasterTables, number: str) -> bool:
    """Whether HQ's feed lists the card as hot (lost, frozen, replaced or cancelled)."""
    row = session.get(tables.hot_cards, number)
    return bool(row is not None and row.hot)


def coupon_public_keys(session: Session, tables: MasterTables) -> dict[int, str]:
    """Key id -> HQ's coupon public key (hex), for verifying codes offline."""
    return {
        key.key_id: key.public_key
        for key in session.scalars(select(tables.coupon_keys).where(tables.coupon_keys.active))
    }


def counted_uses(session: Session, tables: MasterTables, store_code: str) -> CountedUses:
    """HQ's counts as last received: per promotion, chain-wide and in `store_code`."""
    chain: dict[str, int] = {}
    store: dict[str, int] = {}
    table = tables.promotion_usage
    for promotion_id, total, stores in session.execute(
        select(table.promotion_id, table.chain, table.stores)
    ):
        chain[promotion_id] = int(total)
        here = json.loads(stores).get(store_code, 0)
        if here:
            store[promotion_id] = int(here)
    return CountedUses(chain=chain, store=store)
