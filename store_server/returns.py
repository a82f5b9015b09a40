"""Sales and returns at the store: the journal any lane reads to take a return.

Every sale a till sends up is kept here (`store_sales`), so a customer can bring goods
back to any lane of the store. A `sale_return` document puts its goods back into stock
and is recorded against its sale (`store_returns`): the store is where the lanes learn
what earlier returns of a sale already took back.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, current_app, jsonify
from marshmallow import Schema, fields, validate
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from chainpos.auth import SignedRequests
from chainpos.db import unit_of_work
from chainpos.errors import NotFound
from chainpos.sync.receiver import DocumentRejected
from chainpos.upsert import upsert
from chainpos.web import doc, load_query
from retail.documents import Document
from store_server import stock
from store_server.models import StoreReturn, StoreSale

log = logging.getLogger(__name__)


def keep_sale(session: Session, doc: Document, till: str) -> None:
    """Keep a till's sale for later returns (a re-sent document changes nothing)."""
    upsert(
        session,
        StoreSale,
        [
            {
                "doc_id": doc.id,
                "sale_id": str(doc.body.get("sale_id") or doc.id),
                "receipt_no": str(doc.body.get("receipt_no") or doc.id),
                "till": till,
                "business_day": doc.business_day,
                "document": json.dumps(doc.to_dict(), ensure_ascii=False),
            }
        ],
        ["doc_id"],
    )


def apply_return(session: Session, doc: Document, till: str) -> None:
    """Put a return's goods back into stock and record it against its sale.

    A return is money already handed back at the lane: it is never refused for want of
    its sale here (a sale journaled before this store kept sales), only logged.
    """
    body = doc.body
    lines = body.get("lines")
    sale_doc_id = body.get("sale_doc_id")
    if not isinstance(lines, list) or not lines or not isinstance(sale_doc_id, str):
        raise DocumentRejected("a sale_return needs its sale_doc_id and lines")
    try:
        movements = [
            {
                "sku": str(line["sku"]),
                "stock_qty": int(line["stock_qty"]),
                "line_no": line["line_no"],
            }
            for line in lines
        ]
        refund = int(body["refund"])
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"malformed sale_return: {err!r}") from None
    if session.get(StoreSale, sale_doc_id) is None:
        log.warning("return %s of sale %s not in this store's journal", doc.id, sale_doc_id)
    stock.apply_return(session, doc.id, movements)
    session.add(
        StoreReturn(
            doc_id=doc.id,
            sale_doc_id=sale_doc_id,
            till=till,
            business_day=doc.business_day,
            refund=refund,
            detail=json.dumps(
                {
                    "doc_id": doc.id,
                    "lines": lines,
                    "refund_tenders": body.get("refund_tenders") or [],
                },
                ensure_ascii=False,
            ),
        )
    )


def find_sale(session: Session, ref: str) -> dict[str, Any]:
    """A sale by receipt number, sale id or document id, with the returns already taken."""
    sale = session.scalar(
        select(StoreSale).where(
            or_(StoreSale.receipt_no == ref, StoreSale.sale_id == ref, StoreSale.doc_id == ref)
        )
    )
    if sale is None:
        raise NotFound(f"no sale {ref} in this store's journal", {"sale": "unknown"})
    returns = session.scalars(
        select(StoreReturn.detail)
        .where(StoreReturn.sale_doc_id == sale.doc_id)
        .order_by(StoreReturn.created_at)
    )
    return {"document": json.loads(sale.document), "returns": [json.loads(r) for r in returns]}


class SaleQuerySchema(Schema):
    ref = fields.String(required=True, validate=validate.Length(min=1, max=40))


def returns_blueprint(signed: SignedRequests) -> Blueprint:
    """`GET /api/v1/sales?ref=`: a lane fetches the sale a customer brings goods back from."""
    bp = Blueprint("store_returns", __name__, url_prefix="/api/v1")

    @bp.get("/sales")
    @doc(
        "A sale of this store by receipt number or sale id, with its returns so far",
        query=SaleQuerySchema,
        security="signed",
    )
    @signed.required
    def sale_for_return() -> Any:
        query = load_query(SaleQuerySchema())
        factory: sessionmaker[Session] = current_app.extensions["chainpos.sessions"]
        with unit_of_work(factory) as session:
            return jsonify(find_sale(session, query["ref"]))

    return bp
