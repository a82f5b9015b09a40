"""The promotions HQ has defined, as their wire definitions, and how often each was used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chainpos.db import UtcDateTime, utcnow
from hq_server.models import Base


class PromotionRecord(Base):
    """One promotion; `definition` is the engine's wire form (retail.promotions.to_dict)."""

    __tablename__ = "promotions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


class PromotionUsage(Base):
    """Times a promotion applied in one store's sales, as the sales arrived (never given back)."""

    __tablename__ = "promotion_usage"

    promotion_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    store_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    times: Mapped[int] = mapped_column(BigInteger)


class PromotionMemberUsage(Base):
    """Times a member used a promotion with a per-member limit; keyed for lookup by member."""

    __tablename__ = "promotion_member_usage"

    member_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    promotion_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    times: Mapped[int] = mapped_column(BigInteger)
