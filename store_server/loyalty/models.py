"""The store's loyalty tables: what it knows of cards offline, every authorisation, top-ups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chainpos.db import UtcDateTime, utcnow
from store_server.models import Base


class CardOfflineRow(Base):
    """One card's stored-value state since it last touched HQ (`loyalty.offline`)."""

    __tablename__ = "loyalty_card_states"

    number: Mapped[str] = mapped_column(String(30), primary_key=True)
    #: The last balance HQ gave, minus the offline debits authorised since.
    known_balance: Mapped[int] = mapped_column(BigInteger)
    offline_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    offline_count: Mapped[int] = mapped_column(Integer, default=0)
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AuthorisationRow(Base):
    """A loyalty call a till made, by its idempotency key (the tender id): one answer each."""

    __tablename__ = "loyalty_authorisations"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    operation: Mapped[str] = mapped_column(String(32))
    till: Mapped[str | None] = mapped_column(String(32), nullable=True)
    card: Mapped[str | None] = mapped_column(String(30), nullable=True, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    #: Points a points redemption used (its `amount` is in fen); None for other operations.
    points: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    #: online: HQ answered; offline: the store authorised under the offline policy.
    mode: Mapped[str] = mapped_column(String(8))
    #: The offline authorisation's journal document (its outbox row tells if HQ has it).
    doc_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CardPointsRow(Base):
    """One card's points as the store knows them since it last touched HQ (`loyalty.offline`)."""

    __tablename__ = "loyalty_card_points"

    number: Mapped[str] = mapped_column(String(30), primary_key=True)
    #: The last points HQ showed, minus the offline redemptions authorised since.
    known_points: Mapped[int] = mapped_column(BigInteger)
    offline_points: Mapped[int] = mapped_column(BigInteger, default=0)
    offline_count: Mapped[int] = mapped_column(Integer, default=0)
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TopUpRow(Base):
    """A top-up taken at one of this store's tills (`sv_top_up`): drawer money that is no sale."""

    __tablename__ = "loyalty_top_ups"

    doc_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    top_up_id: Mapped[str] = mapped_column(String(36), unique=True)
    till: Mapped[str] = mapped_column(String(32))
    business_day: Mapped[str] = mapped_column(String(10), index=True)
    cashier: Mapped[str] = mapped_column(String(32))
    card: Mapped[str] = mapped_column(String(30))
    #: Principal credited (what the customer paid); the bonus is the chain's gift.
    amount: Mapped[int] = mapped_column(BigInteger)
    bonus: Mapped[int] = mapped_column(BigInteger)
    #: Cash that stayed in the drawer: cash tendered minus change.
    cash: Mapped[int] = mapped_column(BigInteger)
    tenders: Mapped[str] = mapped_column(Text)  # JSON [{method, amount, reference}]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
