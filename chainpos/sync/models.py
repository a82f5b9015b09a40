"""Table mixins of the sync engine; each tier maps them on its own declarative base."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from chainpos.db import UtcDateTime, utcnow

#: An integer primary key that is 64-bit on PostgreSQL and a rowid alias on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class OutboxMixin:
    """A document waiting to be delivered upstream, in the same transaction as its effect."""

    __tablename__ = "sync_outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(String(36), unique=True)
    doc_type: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: pending -> delivered (applied or duplicate upstream) | quarantined (rejected)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (Index("ix_sync_outbox_status_id", "status", "id"),)


class ReceivedDocumentMixin:
    """A document applied here; its unique id turns a re-delivery into a duplicate."""

    __tablename__ = "sync_received"

    doc_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger)
    business_day: Mapped[str] = mapped_column(String(10))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    payload: Mapped[str] = mapped_column(Text)


class OriginProgressMixin:
    """Per origin: the highest contiguous sequence number received, and any seen ahead."""

    __tablename__ = "sync_origins"

    origin: Mapped[str] = mapped_column(String(64), primary_key=True)
    contiguous_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    max_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    ahead: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of seqs > contiguous
    last_received_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ChangeMixin:
    """One entry of the versioned change feed this tier serves downward."""

    __tablename__ = "sync_changes"

    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entity: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str | None] = mapped_column(String(32), nullable=True)  # None: everyone
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class FeedHeadMixin:
    """The feed's newest version; its row lock orders writers so versions commit in order."""

    __tablename__ = "sync_feed_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class FeedCursorMixin:
    """How far this tier has applied its upstream's feed, committed with the changes."""

    __tablename__ = "sync_cursor"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    snapshot_done: Mapped[bool] = mapped_column(Boolean, default=False)
    snapshot_after: Mapped[str | None] = mapped_column(Text, nullable=True)
    snapshot_version: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class NonceMixin:
    """Nonces of signed requests already accepted, kept while their timestamp is valid."""

    __tablename__ = "sync_nonces"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    timestamp: Mapped[int] = mapped_column(BigInteger, index=True)


class SyncStateMixin:
    """Small named facts about sync: last successful push and pull, last error."""

    __tablename__ = "sync_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class EnrolmentMixin:
    """Who this tier is and how it reaches the tier above (one row)."""

    __tablename__ = "sync_enrolment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    upstream_url: Mapped[str] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(100))
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: The next sequence number for documents this tier originates.
    next_seq: Mapped[int] = mapped_column(BigInteger, default=1)


@dataclass(frozen=True)
class SyncTables:
    """The concrete sync tables of one tier's database."""

    outbox: type[Any]
    received: type[Any]
    origins: type[Any]
    changes: type[Any]
    feed_head: type[Any]
    cursor: type[Any]
    nonces: type[Any]
    state: type[Any]
    enrolment: type[Any]


def map_mixin(base: type[Any], name: str, mixin: type[Any]) -> type[Any]:
    """A mapped class `name` for a table mixin on a tier's declarative base."""
    return type(name, (mixin, base), {})


def declare_sync_tables(base: type[Any]) -> SyncTables:
    """Map every sync table on `base` (a tier's declarative base) and bundle them."""

    def mapped(name: str, mixin: type[Any]) -> type[Any]:
        return map_mixin(base, name, mixin)

    return SyncTables(
        outbox=mapped("OutboxEntry", OutboxMixin),
        received=mapped("ReceivedDocument", ReceivedDocumentMixin),
        origins=mapped("OriginProgress", OriginProgressMixin),
        changes=mapped("Change", ChangeMixin),
        feed_head=mapped("FeedHead", FeedHeadMixin),
        cursor=mapped("FeedCursor", FeedCursorMixin),
        nonces=mapped("SeenNonce", NonceMixin),
        state=mapped("SyncState", SyncStateMixin),
        enrolment=mapped("Enrolment", EnrolmentMixin),
    )
