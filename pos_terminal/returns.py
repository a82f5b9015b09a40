"""Returns at the till: goods of an earlier sale come back, the refund goes out.

The sale is found in this till's journal or, for a sale rung up on another lane, in the
store's (`GET /api/v1/sales?ref=` on the store). What earlier returns took back comes
from the store too, plus this till's own returns the store may not have yet. The refund
is exactly what the returned units paid (promotion savings unwound in proportion,
`retail.sale_returns`), sent back through the sale's tenders. The `sale_return`
document carries it all up: the store puts the goods back into stock, HQ reports the
return and, for a member's sale, takes back the points the lines earned and refunds
stored value and points to the card — so a return never needs HQ online.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chainpos.db import utcnow
from chainpos.errors import AppError, Conflict, NotFound
from pos_terminal import loyalty as till_loyalty
from pos_terminal.journal import journal, next_entry
from pos_terminal.models import TillReturn, TillSale
from pos_terminal.receipts import TENDER_LABELS, receipt_head
from retail.promotions.returns import ReturnRefused, ReturnRequest
from retail.receipt import (
    Receipt,
    ReceiptLine,
    ReceiptSaving,
    ReceiptTender,
)
from retail.sale_returns import (
    refund_for,
    refunded_per_tender,
    returned_per_line,
    split_refund,
)

#: A coupon's share of a refund is not given back; its line on the slip says so.
_REFUND_LABELS = {**TENDER_LABELS, "coupon": "Coupon, forfeited 券(不退)"}


class ReturnNotAllowed(AppError):
    status = 422
    code = "return_refused"


class SaleNotFound(NotFound):
    code = "sale_not_found"


class ReturnIdReused(Conflict):
    code = "return_id_reused"


def make_return(
    session: Session,
    *,
    return_id: str,
    sale_ref: str,
    lines: Sequence[dict[str, int]],
    reason: str,
    cashier: str,
    approved_by: str,
    store_client: till_loyalty.StoreClientFactory | None,
) -> dict[str, Any]:
    """Journal a return of `lines` of the sale `sale_ref`; idempotent by return id."""
    fingerprint = json.dumps(
        {"sale": sale_ref, "lines": list(lines), "reason": reason}, sort_keys=True
    )
    done = _already_made(session, return_id, fingerprint)
    if done is not None:
        return done
    local = _local_sale(session, sale_ref)
    session.commit()  # nothing written yet: no lock held while the store is asked
    sale, earlier = _sale_and_returns(session, store_client, sale_ref, local)
    requests = [ReturnRequest(int(line["line_no"]), int(line["qty"])) for line in lines]
    try:
        refund = refund_for(sale["body"], requests, returned_per_line(earlier))
    except ReturnRefused as err:
        raise ReturnNotAllowed(
            err.message, {_field(err.field, lines): err.message}, code=err.code
        ) from None
    body_lines = _returned_lines(sale["body"], refund)
    tenders = split_refund(
        sale["body"], refund.total, refunded_per_tender(earlier, len(sale["body"]["tenders"]))
    )
    done = _already_made(session, return_id, fingerprint)
    if done is not None:  # made by a retry while the store was asked
        return done
    now = utcnow()
    entry = next_entry(session, now)
    body: dict[str, Any] = {
        "return_id": return_id,
        "receipt_no": entry.receipt_no("R"),
        "sale_doc_id": sale["id"],
        "sale_id": sale["body"].get("sale_id"),
        "sale_receipt_no": sale["body"].get("receipt_no"),
        "sale_business_day": sale["business_day"],
        "cashier": cashier,
        "approved_by": approved_by,
        "reason": reason,
        "lines": body_lines,
        "refund": refund.total,
        "refund_tenders": [t.to_dict() for t in tenders],
        "paid_out": sum(t.amount for t in tenders if t.to_customer),
    }
    member = sale["body"].get("member")
    if isinstance(member, dict) and member.get("card"):
        body["member"] = {"card": member["card"], "member_id": member.get("member_id")}
    result = journal(
        session, entry, "sale_return", body, lambda done: _receipt(done, entry.store, entry.till)
    )
    session.add(
        TillReturn(
            return_id=return_id,
            doc_id=result["doc_id"],
            sale_doc_id=sale["id"],
            receipt_no=body["receipt_no"],
            business_day=result["business_day"],
            cashier=cashier,
            refund=refund.total,
            created_at=now,
            result=json.dumps({**result, "request_fingerprint": fingerprint}, ensure_ascii=False),
        )
    )
    return result


def _field(field: str, lines: Sequence[dict[str, int]]) -> str:
    """`line 3.qty` (the sale's line number) as the request's field `lines.<i>.qty`."""
    head, _, tail = field.partition(".")
    line_no = head.removeprefix("line ").strip()
    for index, line in enumerate(lines):
        if str(line["line_no"]) == line_no:
            return f"lines.{index}.{tail or 'line_no'}"
    return "lines"


def _already_made(session: Session, return_id: str, fingerprint: str) -> dict[str, Any] | None:
    existing = session.get(TillReturn, return_id)
    if existing is None:
        return None
    result: dict[str, Any] = json.loads(existing.result)
    if result.pop("request_fingerprint", None) != fingerprint:
        raise ReturnIdReused(
            f"return {return_id} was made with other lines",
            {"return_id": "already used for another return"},
        )
    return result


def _local_sale(session: Session, ref: str) -> dict[str, Any] | None:
    row = session.scalar(
        select(TillSale).where(
            or_(TillSale.sale_id == ref, TillSale.receipt_no == ref, TillSale.doc_id == ref)
        )
    )
    if row is None:
        return None
    return {"id": row.doc_id, "business_day": row.business_day, "body": json.loads(row.result)}


def _sale_and_returns(
    session: Session,
    store_client: till_loyalty.StoreClientFactory | None,
    ref: str,
    local: dict[str, Any] | None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The sale and every earlier return of it this till can know of."""
    found: dict[str, Any] | None = None
    if store_client is not None:
        try:
            found = till_loyalty.ask_store(store_client(), "GET", "/api/v1/sales", {"ref": ref})
        except till_loyalty.StoreUnreachable:
            found = None
        except till_loyalty.TenderRefused as err:
            if err.status != 404:
                raise
            found = None
    if found is not None:
        document = found["document"]
        sale = {
            "id": document["id"],
            "business_day": document["business_day"],
            "body": document["body"],
        }
        earlier = list(found.get("returns") or [])
    elif local is not None:
        sale, earlier = local, []
    else:
        raise SaleNotFound(
            f"no sale {ref} on this till, and the store "
            + ("does not know it" if store_client is not None else "cannot be asked"),
            {"sale": "unknown"},
        )
    # This till's own returns the store has not received yet count too.
    known = {r.get("doc_id") for r in earlier}
    for row in session.scalars(
        select(TillReturn.result).where(TillReturn.sale_doc_id == sale["id"])
    ):
        mine = json.loads(row)
        if mine["doc_id"] not in known:
            earlier.append(mine)
    session.commit()
    return sale, earlier


def _returned_lines(sale: dict[str, Any], refund: Any) -> list[dict[str, Any]]:
    by_no = {int(line["line_no"]): line for line in sale["lines"]}
    out = []
    for part in refund.lines:
        line = by_no[part.line_no]
        weight = line.get("weight_grams")
        out.append(
            {
                "line_no": part.line_no,
                "sku": line["sku"],
                "name": line["name"],
                "qty": part.qty,
                "unit_price": line["unit_price"],
                "weight_grams": weight,
                "stock_qty": part.qty * weight if weight is not None else part.qty,
                "refund": part.refund,
                "regular_amount": part.regular_amount,
                "unwound": [
                    {"promotion_id": s.promotion_id, "name": s.name, "amount": s.amount}
                    for s in part.unwound
                ],
            }
        )
    return out


def _receipt(result: dict[str, Any], store: Any, code: str) -> Receipt:
    return Receipt(
        **receipt_head(result, store, code),
        lines=tuple(
            ReceiptLine(
                name=line["name"],
                qty_text=str(line["qty"]),
                unit_price=line["unit_price"],
                amount=line["refund"],
                savings=tuple(ReceiptSaving(s["name"], s["amount"]) for s in line["unwound"]),
            )
            for line in result["lines"]
        ),
        total=result["refund"],
        tenders=tuple(
            ReceiptTender(_REFUND_LABELS.get(t["method"], t["method"]), t["amount"], t["reference"])
            for t in result["refund_tenders"]
        ),
        kind="RETURN 退货",
        extra={
            "原单 Sale": str(result["sale_receipt_no"]),
            "原因 Reason": result["reason"],
            "批准 Approved by": result["approved_by"],
        },
    )
