"""Applying the documents stores send up: sales and stock counts, each exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from chainpos.sync.receiver import DocumentRejected
from chainpos.upsert import add_to, upsert
from hq_server.loyalty.ingestion import LOYALTY_DOCUMENTS, apply_loyalty_document
from hq_server.models import Sale, SaleLine, StockLevel, Till
from retail.documents import Document


def apply_document(session: Session, doc: Document, sender: str) -> None:
    """Apply one document from store `sender`; raises `DocumentRejected` to refuse it."""
    if doc.origin_store != sender:
        raise DocumentRejected(f"document of store {doc.origin_store} sent by store {sender}")
    if doc.origin_till is not None:
        till = session.get(Till, doc.origin_till)
        if till is None or till.store_code != sender:
            raise DocumentRejected(f"unknown till {doc.origin_till} for store {sender}")
    if doc.type == "sale":
        _apply_sale(session, doc)
    elif doc.type == "stock_count":
        _apply_stock_count(session, doc)
    elif doc.type in LOYALTY_DOCUMENTS:
        apply_loyalty_document(session, doc)
    else:
        raise DocumentRejected(f"HQ does not take {doc.type} documents")


def _apply_sale(session: Session, doc: Document) -> None:
    body = doc.body
    try:
        created_at = datetime.fromisoformat(doc.created_at)
        if created_at.tzinfo is None:
            raise ValueError("created_at has no UTC offset")
        lines: list[dict[str, Any]] = body["lines"]
        sale = Sale(
            doc_id=doc.id,
            store_code=doc.origin_store,
            till_code=doc.origin_till or "-",
            business_day=doc.business_day,
            seq=doc.seq,
            receipt_no=body["receipt_no"],
            total=int(body["total"]),
            rounding=int(body.get("rounding", 0)),
            cashier=str(body["cashier"]),
            created_at=created_at,
        )
        line_rows = [
            {
                "doc_id": doc.id,
                "line_no": int(line["line_no"]),
                "sku": line["sku"],
                "qty": int(line["qty"]),
                "weight_grams": line.get("weight_grams"),
                "amount": int(line["amount"]),
            }
            for line in lines
        ]
        stock: dict[str, int] = {}
        for line in lines:
            stock[line["sku"]] = stock.get(line["sku"], 0) - int(line["stock_qty"])
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"malformed sale body: {err!r}") from None
    if not line_rows:
        raise DocumentRejected("sale has no lines")
    if sum(row["amount"] for row in line_rows) != sale.total:
        raise DocumentRejected("sale lines do not add up to its total")
    session.add(sale)
    session.flush()
    session.execute(insert(SaleLine), line_rows)
    add_to(
        session,
        StockLevel,
        [
            {"store_code": doc.origin_store, "sku": sku, "on_hand": delta}
            for sku, delta in sorted(stock.items())
        ],
        ["store_code", "sku"],
        "on_hand",
    )


def _apply_stock_count(session: Session, doc: Document) -> None:
    try:
        rows = [
            {"store_code": doc.origin_store, "sku": line["sku"], "on_hand": int(line["on_hand"])}
            for line in doc.body["lines"]
        ]
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"malformed stock count: {err!r}") from None
    upsert(session, StockLevel, rows, ["store_code", "sku"])
