"""Returns from stores: the goods go back into the store's stock, the money into reports.

A `sale_return` document comes from the till that took the return, through its store.
HQ records it against its sale (`sale_returns`), adds the goods back to the store's
stock, and settles the member side in the same transaction (hq_server/loyalty/returns.py):
the points the returned lines earned are taken back, stored value and points the sale
was paid with go back to the card.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from chainpos.sync.receiver import DocumentRejected
from hq_server.loyalty.returns import settle_member_return
from hq_server.loyalty.settings import LoyaltySettings
from hq_server.models import SaleReturn, SaleReturnLine
from hq_server.stock import move_stock
from retail.documents import Document


def apply_return(session: Session, doc: Document, settings: LoyaltySettings | None = None) -> None:
    """Apply one `sale_return`; raises `DocumentRejected` naming what is malformed."""
    body = doc.body
    try:
        created_at = datetime.fromisoformat(doc.created_at)
        record: dict[str, Any] = {
            "doc_id": doc.id,
            "sale_doc_id": str(body["sale_doc_id"]),
            "store_code": doc.origin_store,
            "till_code": doc.origin_till or "-",
            "business_day": doc.business_day,
            "receipt_no": str(body["receipt_no"]),
            "refund": int(body["refund"]),
            "paid_out": int(body["paid_out"]),
            "cashier": str(body["cashier"]),
            "approved_by": str(body["approved_by"]),
            "reason": str(body["reason"])[:200],
            "created_at": created_at,
        }
        lines: list[dict[str, Any]] = [
            {
                "doc_id": doc.id,
                "line_no": int(line["line_no"]),
                "sku": str(line["sku"]),
                "qty": int(line["qty"]),
                "stock_qty": int(line["stock_qty"]),
                "refund": int(line["refund"]),
            }
            for line in body["lines"]
        ]
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"malformed sale_return body: {err!r}") from None
    if not lines:
        raise DocumentRejected("sale_return has no lines")
    if sum(line["refund"] for line in lines) != record["refund"]:
        raise DocumentRejected("sale_return lines do not add up to its refund")
    try:
        through_tenders = sum(int(part["amount"]) for part in body.get("refund_tenders") or ())
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"malformed sale_return refund_tenders: {err!r}") from None
    if through_tenders > record["refund"] or record["paid_out"] > through_tenders:
        raise DocumentRejected("sale_return gives back more than its refund")
    session.execute(insert(SaleReturn), [record])
    session.execute(insert(SaleReturnLine), lines)
    move_stock(session, ((doc.origin_store, line["sku"], line["stock_qty"]) for line in lines))
    settle_member_return(session, doc, settings or LoyaltySettings.from_env())
