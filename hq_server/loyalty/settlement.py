"""Cross-store settlement of stored value: a query over entries, because each records its store.

Per store and period (business days, inclusive): `issued` is principal taken in by
top-ups at the store (cash the store holds for the chain), `redeemed` is principal spent
at the store net of refunds to card (goods the store gave against prepaid value),
`net = issued − redeemed` (positive: the store owes the chain). Bonus is the chain's gift,
not money that changed hands, so it is reported apart and not settled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hq_server.loyalty.models import SvEntryRow
from loyalty.stored_value import SvEntryKind


@dataclass(frozen=True, slots=True)
class Period:
    """Business days from `start` to `end`, both inclusive."""

    start: date
    end: date


def settlement(session: Session, period: Period) -> list[dict[str, Any]]:
    """Per store: issued, redeemed, net (fen of principal) and bonus redeemed."""
    e = SvEntryRow
    top_up = e.kind == SvEntryKind.TOP_UP.value
    used = e.kind.in_([SvEntryKind.SPEND.value, SvEntryKind.REFUND.value])
    issued = func.sum(case((top_up, e.principal), else_=0))
    redeemed = func.sum(case((used, -e.principal), else_=0))
    bonus = func.sum(case((used, -e.bonus), else_=0))
    rows = session.execute(
        select(e.store_code, issued, redeemed, bonus)
        .where(
            e.business_day >= period.start,
            e.business_day <= period.end,
            e.store_code.is_not(None),
        )
        .group_by(e.store_code)
        .order_by(e.store_code)
    )
    return [
        {
            "store": store,
            "issued": int(i or 0),
            "redeemed": int(r or 0),
            "net": int(i or 0) - int(r or 0),
            "bonus_redeemed": int(b or 0),
        }
        for store, i, r, b in rows
    ]
