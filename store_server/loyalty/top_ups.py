"""Top-ups taken at the store's tills: kept for the drawer count, passed on to HQ.

The credit itself was made online (the till asked `/sv/credit` before it journaled the
`sv_top_up` document), so the store only checks the document against its own record of
that credit and keeps the money taken: cash-up counts it as drawer money that is no sale.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainpos.sync.receiver import DocumentRejected
from retail.documents import Document
from store_server.loyalty.models import AuthorisationRow, TopUpRow

#: What a top-up can be paid with: money, never stored value, points or a coupon.
TOP_UP_METHODS = frozenset({"cash", "bank_card", "mobile_wallet"})


def keep_top_up(session: Session, doc: Document, till: str) -> None:
    """Check a till's `sv_top_up` document and record it; raises `DocumentRejected`."""
    body = doc.body
    try:
        top_up_id = str(body["top_up_id"])
        card, amount, bonus = str(body["card"]), int(body["amount"]), int(body.get("bonus", 0))
        change = int(body.get("change", 0))
        tenders = [
            {
                "method": str(t["method"]),
                "amount": int(t["amount"]),
                "reference": t.get("reference"),
            }
            for t in body["tenders"]
        ]
        cashier = str(body["cashier"])
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"malformed sv_top_up: {err!r}") from None
    if amount <= 0 or bonus < 0 or change < 0 or not tenders:
        raise DocumentRejected("sv_top_up needs a positive amount and its tenders")
    if any(t["method"] not in TOP_UP_METHODS or t["amount"] <= 0 for t in tenders):
        raise DocumentRejected("sv_top_up tenders must be positive cash, bank card or wallet")
    if sum(t["amount"] for t in tenders) - change != amount:
        raise DocumentRejected("sv_top_up tenders less change do not make its amount")
    credit = session.get(AuthorisationRow, top_up_id)
    if credit is None or credit.operation != "sv.top_up" or credit.amount != amount:
        raise DocumentRejected(f"this store credited no top-up {top_up_id} of {amount} fen")
    cash = sum(t["amount"] for t in tenders if t["method"] == "cash") - change
    session.add(
        TopUpRow(
            doc_id=doc.id,
            top_up_id=top_up_id,
            till=till,
            business_day=doc.business_day,
            cashier=cashier,
            card=card,
            amount=amount,
            bonus=bonus,
            cash=cash,
            tenders=json.dumps(tenders, ensure_ascii=False),
        )
    )
    session.flush()


def drawer_top_ups(session: Session, business_day: str) -> list[dict[str, Any]]:
    """Per till on a business day: top-ups taken, principal, bonus, and money by method.

    Cash is net of change (what the drawer holds); this is what cash-up adds to the sales.
    """
    rows = session.scalars(
        select(TopUpRow)
        .where(TopUpRow.business_day == business_day)
        .order_by(TopUpRow.till, TopUpRow.created_at)
    )
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        till = out.setdefault(
            row.till, {"till": row.till, "count": 0, "amount": 0, "bonus": 0, "by_method": {}}
        )
        till["count"] += 1
        till["amount"] += row.amount
        till["bonus"] += row.bonus
        by_method: dict[str, int] = till["by_method"]
        for tender in json.loads(row.tenders):
            if tender["method"] != "cash":
                by_method[tender["method"]] = by_method.get(tender["method"], 0) + tender["amount"]
        if row.cash:
            by_method["cash"] = by_method.get("cash", 0) + row.cash
    return list(out.values())
