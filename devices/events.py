"""Data events that devices deliver to the till (scans, cards)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ScanEvent:
    """A barcode was read. `source` names the scanner (or "wedge" for the browser)."""

    source: str
    data: str
    at: datetime = field(default_factory=_now)


class CardEventKind(enum.Enum):
    INSERTED = "inserted"
    REMOVED = "removed"
    READER_ADDED = "reader-added"
    READER_REMOVED = "reader-removed"


@dataclass(frozen=True, slots=True)
class MemberCard:
    """What a card told us: the chip UID (contactless) and/or the member id (contact)."""

    reader: str
    atr: str
    uid: str | None = None
    member_id: str | None = None


@dataclass(frozen=True, slots=True)
class CardEvent:
    kind: CardEventKind
    reader: str
    card: MemberCard | None = None
    at: datetime = field(default_factory=_now)
