"""The store's tables: the master-data copy, stock, and the sync tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chainpos.db import UtcDateTime, utcnow
from chainpos.master_copy import declare_master_tables
from chainpos.sync.models import BigId, declare_sync_tables


class Base(DeclarativeBase):
    pass


SYNC = declare_sync_tables(Base)
MASTER = declare_master_tables(Base)


class StockOnHand(Base):
    """On hand per product: pieces, or grams for weighed items. Sum of its movements."""

    __tablename__ = "stock_on_hand"

    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    on_hand: Mapped[int] = mapped_column(BigInteger, default=0)


class StockMovement(Base):
    """One change to stock with the document that caused it."""

    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sku: Mapped[str] = mapped_column(String(32), index=True)
    delta: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))  # sale | return | count
    doc_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    line_no: Mapped[int] = mapped_column(Integer, default=0)


class StoreSale(Base):
    """A sale of one of this store's tills, kept so any lane can take a return of it."""

    __tablename__ = "store_sales"

    doc_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sale_id: Mapped[str] = mapped_column(String(36), unique=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    till: Mapped[str] = mapped_column(String(32))
    business_day: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    document: Mapped[str] = mapped_column(Text)  # JSON of the sale document


class StoreReturn(Base):
    """A return taken at one of this store's tills (a `sale_return` document)."""

    __tablename__ = "store_returns"

    doc_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sale_doc_id: Mapped[str] = mapped_column(String(36), index=True)
    till: Mapped[str] = mapped_column(String(32))
    business_day: Mapped[str] = mapped_column(String(10), index=True)
    refund: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: JSON: the return's lines and refund tenders, as the till journaled them.
    detail: Mapped[str] = mapped_column(Text)


# The loyalty relay's tables live on the same Base: import them so Alembic sees them.
from store_server.loyalty import models as _loyalty_models  # noqa: E402, F401  (registration)
