"""Applying the documents stores send up: sales and stock counts, each exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from chainpos.sync.receiver import DocumentRejected
from chainpos.upsert import upsert
from hq_server.loyalty.enrolment import apply_member_sales
from hq_server.loyalty.gifts import apply_gift_document
from hq_server.loyalty.ingestion import LOYALTY_DOCUMENTS, apply_loyalty_document
from hq_server.models import Sale, SaleLine, StockLevel, Till
from hq_server.promotions.usage import SaleUses, count_sales
from hq_server.returns import apply_return
from hq_server.stock import move_stock
from retail.documents import Document
from retail.promotions.usage import member_of_sale, uses_in_sale


def apply_document(session: Session, doc: Document, sender: str) -> None:
    """Apply one document from store `sender`; raises `DocumentRejected` to refuse it."""
    _check_origin(session, doc, sender, {})
    if doc.type == "sale":
        _write_sales(session, [_sale_rows(doc)])
        apply_member_sales(session, [doc])
    elif doc.type == "sale_return":
        apply_return(session, doc)
    elif doc.type == "stock_count":
        _apply_stock_count(session, doc)
    elif doc.type in LOYALTY_DOCUMENTS:
        apply_loyalty_document(session, doc)
    elif doc.type == "points_gift":  # points posted online; the goods leave stock here
        apply_gift_document(session, doc)
    else:
        raise DocumentRejected(f"HQ does not take {doc.type} documents")


def apply_sales(session: Session, docs: Sequence[Document], sender: str) -> None:
    """Apply a batch of sales with one statement per table (the receiver's fast path).

    Raises `DocumentRejected` if any document would be refused; the receiver then
    applies the batch one document at a time to find out which.
    """
    tills: dict[str, str | None] = {}
    prepared = []
    for doc in docs:
        _check_origin(session, doc, sender, tills)
        if doc.type != "sale":
            raise DocumentRejected(f"{doc.type} documents are applied one by one")
        prepared.append(_sale_rows(doc))
    _write_sales(session, prepared)
    apply_member_sales(session, docs)


def _check_origin(
    session: Session, doc: Document, sender: str, tills: dict[str, str | None]
) -> None:
    if doc.origin_store != sender:
        raise DocumentRejected(f"document of store {doc.origin_store} sent by store {sender}")
    if doc.origin_till is not None:
        if doc.origin_till not in tills:
            tills[doc.origin_till] = session.scalar(
                select(Till.store_code).where(Till.code == doc.origin_till)
            )
        if tills[doc.origin_till] != sender:
            raise DocumentRejected(f"unknown till {doc.origin_till} for store {sender}")


@dataclass
class _SaleRows:
    sale: dict[str, Any]
    lines: list[dict[str, Any]]
    stock: dict[tuple[str, str], int] = field(default_factory=dict)
    uses: SaleUses | None = None  # promotion uses, for quantity limits


def _sale_rows(doc: Document) -> _SaleRows:
    """Check a sale document and turn it into rows; raises `DocumentRejected`."""
    body = doc.body
    try:
        created_at = datetime.fromisoformat(doc.created_at)
        if created_at.tzinfo is None:
            raise ValueError("created_at has no UTC offset")
        lines: list[dict[str, Any]] = body["lines"]
        sale = {
            "doc_id": doc.id,
            "store_code": doc.origin_store,
            "till_code": doc.origin_till or "-",
            "business_day": doc.business_day,
            "seq": doc.seq,
            "receipt_no": str(body["receipt_no"]),
            "total": int(body["total"]),
            "rounding": int(body.get("rounding", 0)),
            "cashier": str(body["cashier"]),
            "created_at": created_at,
        }
        rows = _SaleRows(
            sale,
            [
                {
                    "doc_id": doc.id,
                    "line_no": int(line["line_no"]),
                    "sku": str(line["sku"]),
                    "qty": int(line["qty"]),
                    "weight_grams": line.get("weight_grams"),
                    "amount": int(line["amount"]),
                }
                for line in lines
            ],
        )
        for line in lines:
            key = (doc.origin_store, str(line["sku"]))
            rows.stock[key] = rows.stock.get(key, 0) - int(line["stock_qty"])
        rows.uses = SaleUses(doc.origin_store, member_of_sale(body), uses_in_sale(body))
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"malformed sale body: {err!r}") from None
    if not rows.lines:
        raise DocumentRejected("sale has no lines")
    if sum(row["amount"] for row in rows.lines) != sale["total"]:
        raise DocumentRejected("sale lines do not add up to its total")
    return rows


def _write_sales(session: Session, prepared: Sequence[_SaleRows]) -> None:
    session.execute(insert(Sale), [p.sale for p in prepared])
    session.execute(insert(SaleLine), [line for p in prepared for line in p.lines])
    move_stock(
        session,
        ((store, sku, delta) for p in prepared for (store, sku), delta in p.stock.items()),
    )
    count_sales(session, [p.uses for p in prepared if p.uses is not None])


def _apply_stock_count(session: Session, doc: Document) -> None:
    try:
        rows = [
            {"store_code": doc.origin_store, "sku": line["sku"], "on_hand": int(line["on_hand"])}
            for line in doc.body["lines"]
        ]
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"malformed stock count: {err!r}") from None
    upsert(session, StockLevel, rows, ["store_code", "sku"])
