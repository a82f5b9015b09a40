"""HQ's tables: master data, organisation, consolidated sales and stock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chainpos.db import UtcDateTime, utcnow
from chainpos.sync.models import BigId, declare_sync_tables


class Base(DeclarativeBase):
    pass


SYNC = declare_sync_tables(Base)


class Category(Base):
    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    tax_rate_bp: Mapped[int] = mapped_column(Integer)


class Brand(Base):
    __tablename__ = "brands"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class Product(Base):
    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"), index=True)
    brand_code: Mapped[str | None] = mapped_column(ForeignKey("brands.code"), nullable=True)
    unit: Mapped[str] = mapped_column(String(16))
    weighed: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Barcode(Base):
    __tablename__ = "barcodes"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"), index=True)


class Price(Base):
    """A tax-inclusive price in fen from `effective_from`, chain-wide or for one store."""

    __tablename__ = "prices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    store_code: Mapped[str | None] = mapped_column(ForeignKey("stores.code"), nullable=True)
    price: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (Index("ix_prices_sku_effective", "sku", "effective_from"),)


class Store(Base):
    __tablename__ = "stores"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    cash_rounding_step: Mapped[int] = mapped_column(Integer, default=1)
    #: Promotions can target a region (a group of stores); None: no region.
    region: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: HMAC key the store signs with; HQ must hold it to check signatures.
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Till(Base):
    __tablename__ = "tills"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    store_code: Mapped[str] = mapped_column(ForeignKey("stores.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Staff(Base):
    __tablename__ = "staff"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))  # cashier | supervisor | admin
    pin_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    store_code: Mapped[str | None] = mapped_column(ForeignKey("stores.code"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Sale(Base):
    """A sale as received from a store: the consolidated record."""

    __tablename__ = "sales"

    doc_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    store_code: Mapped[str] = mapped_column(String(16))
    till_code: Mapped[str] = mapped_column(String(32))
    business_day: Mapped[str] = mapped_column(String(10))
    seq: Mapped[int] = mapped_column(Integer)
    receipt_no: Mapped[str] = mapped_column(String(40))
    total: Mapped[int] = mapped_column(Integer)
    rounding: Mapped[int] = mapped_column(Integer, default=0)
    cashier: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_sales_day_store", "business_day", "store_code"),)


class SaleLine(Base):
    __tablename__ = "sale_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(ForeignKey("sales.doc_id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(32))
    qty: Mapped[int] = mapped_column(Integer)
    weight_grams: Mapped[int | None] = mapped_column(Integer, nullable=True)
    amount: Mapped[int] = mapped_column(Integer)


class SaleReturn(Base):
    """A return as received from a store: goods of a sale back, money out."""

    __tablename__ = "sale_returns"

    doc_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sale_doc_id: Mapped[str] = mapped_column(String(36), index=True)
    store_code: Mapped[str] = mapped_column(String(16))
    till_code: Mapped[str] = mapped_column(String(32))
    business_day: Mapped[str] = mapped_column(String(10))
    receipt_no: Mapped[str] = mapped_column(String(40))
    refund: Mapped[int] = mapped_column(Integer)  # what the returned units paid
    paid_out: Mapped[int] = mapped_column(Integer)  # given back (a coupon's share is not)
    cashier: Mapped[str] = mapped_column(String(32))
    approved_by: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_sale_returns_day_store", "business_day", "store_code"),)


class SaleReturnLine(Base):
    __tablename__ = "sale_return_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(ForeignKey("sale_returns.doc_id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(32))
    qty: Mapped[int] = mapped_column(Integer)
    stock_qty: Mapped[int] = mapped_column(Integer)
    refund: Mapped[int] = mapped_column(Integer)


class StockLevel(Base):
    """Stock on hand per store as last reported by the store's documents."""

    __tablename__ = "stock_levels"

    store_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    staff_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)


# The loyalty ledgers live in their own subpackage; importing it here puts their tables on
# `Base.metadata`, which Alembic and the schema tests read from this module.
from hq_server.loyalty import models as _loyalty_models  # noqa: E402, F401
from hq_server.promotions import models as _promotion_models  # noqa: E402, F401
