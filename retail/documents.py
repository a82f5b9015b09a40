"""Journal documents: the immutable business events that flow up from till to HQ."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

DOCUMENT_TYPES = frozenset(
    {
        "sale",
        "sale_return",  # goods of a sale brought back at a till, with the refund given
        "stock_count",
        # A store's loyalty events for HQ's ledgers (store_server/loyalty, hq_server/loyalty):
        "sv_offline_debit",  # stored value spent under the offline policy, posted later
        "sv_release",  # a stored-value debit given back: its sale was not completed
        "points_earn",  # points for a member's sale, earned when HQ takes the document
        "coupon_offline_redeem",  # a coupon verified offline, redeemed at HQ later
        "points_offline_redeem",  # points spent under the offline policy, posted later
        # A till's top-up of a card: HQ credited it online; the drawer took the money.
        "sv_top_up",
        # A till handed over a gift exchanged online for points; with a sku, it is stock.
        "points_gift",
    }
)


class DocumentError(ValueError):
    """A document envelope is malformed; `field` names the part at fault."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True, slots=True)
class Document:
    """An immutable journal document with its origin and its per-origin sequence number."""

    id: str
    type: str
    origin_store: str
    origin_till: str | None
    business_day: str  # ISO date, store-local
    seq: int
    created_at: str  # ISO 8601 UTC
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        """The sequence space this document belongs to: its store and till."""
        return f"{self.origin_store}/{self.origin_till or '-'}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "origin_store": self.origin_store,
            "origin_till": self.origin_till,
            "business_day": self.business_day,
            "seq": self.seq,
            "created_at": self.created_at,
            "body": self.body,
        }

    @classmethod
    def from_dict(cls, raw: Any) -> Document:
        """Parse and check an envelope; raises `DocumentError` naming the bad field."""
        if not isinstance(raw, dict):
            raise DocumentError("document", "must be an object")

        def text(name: str, *, optional: bool = False) -> str | None:
            value = raw.get(name)
            if value is None and optional:
                return None
            if not isinstance(value, str) or not value:
                raise DocumentError(name, "must be a non-empty string")
            return value

        doc_type = text("type")
        if doc_type not in DOCUMENT_TYPES:
            raise DocumentError("type", f"unknown document type {doc_type!r}")
        seq = raw.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
            raise DocumentError("seq", "must be a positive integer")
        business_day = text("business_day")
        try:
            date.fromisoformat(business_day or "")
        except ValueError:
            raise DocumentError("business_day", "must be an ISO date YYYY-MM-DD") from None
        body = raw.get("body")
        if not isinstance(body, dict):
            raise DocumentError("body", "must be an object")
        doc_id = text("id") or ""
        if len(doc_id) != 36:
            raise DocumentError("id", "must be a UUID")
        return cls(
            id=doc_id,
            type=doc_type or "",
            origin_store=text("origin_store") or "",
            origin_till=text("origin_till", optional=True),
            business_day=business_day or "",
            seq=seq,
            created_at=text("created_at") or "",
            body=body,
        )


_POINTS_GIFT_IDS = uuid.UUID("6f1d3c2a-5b7e-4c19-9a0d-2e8f4b6c1a57")


def points_gift_document_id(redemption_id: str) -> str:
    """The id of the till's `points_gift` document for a redemption: one redemption can
    only ever be one document (a retry finds it; a second copy is a duplicate upstream)."""
    return str(uuid.uuid5(_POINTS_GIFT_IDS, redemption_id))


def receipt_number(store: str, till: str, business_day: date, seq: int) -> str:
    """The human receipt number: `S001-T02-261126-00042` (till code without its store)."""
    short_till = till.split("-")[-1]
    return f"{store}-{short_till}-{business_day:%y%m%d}-{seq:05d}"


def business_day_at(moment: datetime, timezone: str) -> date:
    """The store-local date of an aware UTC moment: the business day it belongs to."""
    return moment.astimezone(ZoneInfo(timezone)).date()
