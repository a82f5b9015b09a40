"""The store's tables: the master-data copy, stock, and the sync tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
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
    kind: Mapped[str] = mapped_column(String(16))  # sale | count
    doc_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    line_no: Mapped[int] = mapped_column(Integer, default=0)


# The loyalty relay's tables live on the same Base: import them so Alembic sees them.
from store_server.loyalty import models as _loyalty_models  # noqa: E402, F401  (registration)
