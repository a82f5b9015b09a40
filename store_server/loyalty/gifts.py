"""Gifts handed over at the store's tills: checked against the store's own record of the
redemption HQ made, and taken out of stock when the gift is a catalog product.

The points were exchanged online (the till asked `/points/gift` before it journaled the
`points_gift` document), so the store posts no points: it checks the document against
that answer, moves the goods and passes the document on to HQ.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from chainpos.sync.receiver import DocumentRejected
from retail.documents import Document, points_gift_document_id
from store_server import stock
from store_server.loyalty.models import AuthorisationRow
from store_server.loyalty.services import POINTS_GIFT


def keep_gift(session: Session, doc: Document, till: str) -> None:
    """Check a till's `points_gift` document and take its goods out of stock."""
    body = doc.body
    try:
        redemption_id, card = str(body["redemption_id"]), str(body["card"])
        code, quantity = str(body["gift"]["code"]), int(body["quantity"])
        lines = [
            {
                "line_no": int(x["line_no"]),
                "sku": str(x["sku"]),
                "stock_qty": int(x["stock_qty"]),
            }
            for x in body.get("lines") or []
        ]
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"malformed points_gift: {err!r}") from None
    if doc.id != points_gift_document_id(redemption_id):
        raise DocumentRejected(f"points_gift {doc.id} is not the document of {redemption_id}")
    row = session.get(AuthorisationRow, redemption_id)
    answer = json.loads(row.answer) if row is not None and row.operation == POINTS_GIFT else {}
    gift = answer.get("gift") or {}
    if (
        row is None
        or row.till != till
        or answer.get("card") != card
        or (gift.get("code"), answer.get("quantity")) != (code, quantity)
    ):
        raise DocumentRejected(
            f"this store redeemed no gift {redemption_id} of {quantity} x {code} for this till"
        )
    sku = gift.get("sku")
    expected = [(sku, quantity)] if sku else []
    if [(x["sku"], x["stock_qty"]) for x in lines] != expected:
        raise DocumentRejected(f"points_gift lines are not the gift's {expected}")
    if lines:
        stock.apply_gift(session, doc.id, lines)
