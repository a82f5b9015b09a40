"""Where a ledger movement happened: store, till, staff, source document and business day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Origin:
    """Recorded on every ledger entry, so settlement and statements are queries."""

    document: str
    business_day: date
    store: str | None = None
    till: str | None = None
    staff: str | None = None
