"""The till's tables: its journal of sales, the master-data copy and the sync tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chainpos.db import UtcDateTime
from chainpos.master_copy import declare_master_tables
from chainpos.sync.models import declare_sync_tables


class Base(DeclarativeBase):
    pass


SYNC = declare_sync_tables(Base)
MASTER = declare_master_tables(Base)


class TillSale(Base):
    """A completed sale in the till's journal, with the exact answer the cashier got."""

    __tablename__ = "till_sales"

    sale_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(36), unique=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    business_day: Mapped[str] = mapped_column(String(10), index=True)
    cashier: Mapped[str] = mapped_column(String(32))
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    result: Mapped[str] = mapped_column(Text)  # JSON of the completed sale
    reprints: Mapped[int] = mapped_column(Integer, default=0)


class TillReturn(Base):
    """A return made at this till, with the exact answer the cashier got."""

    __tablename__ = "till_returns"

    return_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(36), unique=True)
    #: The sale the goods came from: its document id (the same at every tier).
    sale_doc_id: Mapped[str] = mapped_column(String(36), index=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    business_day: Mapped[str] = mapped_column(String(10), index=True)
    cashier: Mapped[str] = mapped_column(String(32))
    refund: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    result: Mapped[str] = mapped_column(Text)  # JSON of the completed return


class TillTopUp(Base):
    """A stored-value top-up taken at this till, with the exact answer the cashier got."""

    __tablename__ = "till_top_ups"

    top_up_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(36), unique=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    business_day: Mapped[str] = mapped_column(String(10), index=True)
    cashier: Mapped[str] = mapped_column(String(32))
    card: Mapped[str] = mapped_column(String(30))
    amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    result: Mapped[str] = mapped_column(Text)  # JSON of the completed top-up
