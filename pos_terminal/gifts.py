"""Catalog gifts for points at the till: HQ takes the points, the till hands the goods over.

Online only, like top-ups: the till asks its store's `/points/gift` with the redemption id
as idempotency key (the store asks HQ, which consumes the soonest-expiring lots), and once
HQ has taken the points it journals a `points_gift` document. That document's id is made
from the redemption id (`retail.documents.points_gift_document_id`), so the journal itself
is the till's record of the redemption: a retry finds it and gets the first answer, and a
redemption can never become two documents. With a product sku the document carries the
goods as a stock line, which the store and HQ take out of stock.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainpos.db import utcnow
from chainpos.errors import AppError, Conflict, ValidationFailed
from loyalty.cards import normalise_card_number
from loyalty.errors import InvalidCardNumber
from pos_terminal import loyalty as till_loyalty
from pos_terminal.journal import answer, journal, next_entry, store_of
from pos_terminal.models import SYNC
from pos_terminal.receipts import receipt_head
from pos_terminal.top_ups import HqNeeded
from retail.documents import Document, points_gift_document_id
from retail.receipt import Receipt, ReceiptLine

REDEEM = "/api/v1/loyalty/points/gift"
GIFTS = "/api/v1/loyalty/gifts"
RECEIPT_KIND = "GIFT 积分兑换"


class RedemptionIdReused(Conflict):
    code = "redemption_id_reused"


class GiftRefused(AppError):
    """The store or HQ refused the gift; its status, code and fields are passed on."""

    status = 409
    code = "gift_refused"


class BadCardNumber(ValidationFailed):
    code = "invalid_card_number"


def card_number(raw: str) -> str:
    """The printed card number, normalised here so a retry is recognised however typed."""
    try:
        return normalise_card_number(raw)
    except InvalidCardNumber as err:
        raise BadCardNumber(err.message, {"card": err.message}) from None


def redeem_gift(
    session: Session,
    *,
    redemption_id: str,
    card: str,
    gift: str,
    quantity: int,
    cashier: str,
    store_client: till_loyalty.StoreClientFactory | None,
) -> dict[str, Any]:
    """Exchange the card's points for `quantity` of `gift` through the store, then journal it.

    Idempotent by `redemption_id`: a retry gets the first answer and HQ takes the points
    once (the store replays its answer for the same key). A refusal journals nothing.
    """
    number = card_number(card)
    doc_id = points_gift_document_id(redemption_id)
    done = _already_done(session, doc_id, number, gift, quantity)
    if done is not None:
        return done
    session.commit()  # nothing written yet: no lock held while the store asks HQ
    redeemed = _ask_store(store_client, redemption_id, number, gift, quantity, cashier)
    done = _already_done(session, doc_id, number, gift, quantity)
    if done is not None:  # made by a retry while HQ was asked
        return done
    now = utcnow()
    entry = next_entry(session, now)
    given: dict[str, Any] = redeemed.get("gift") or {}
    sku = given.get("sku")
    body: dict[str, Any] = {
        "redemption_id": redemption_id,
        "receipt_no": entry.receipt_no(),
        "cashier": cashier,
        "card": redeemed.get("card") or number,
        "gift": {k: given.get(k) for k in ("code", "name_zh", "name_en", "sku", "points")},
        "quantity": quantity,
        "points": int(redeemed["points_used"]),
        "points_balance": redeemed.get("points"),
        "reference": redeemed.get("reference"),
        "lines": [{"line_no": 1, "sku": sku, "qty": quantity, "stock_qty": quantity}]
        if sku
        else [],
    }
    return journal(
        session,
        entry,
        "points_gift",
        body,
        lambda done: gift_receipt(done, entry.store, entry.till),
        doc_id=doc_id,
    )


def _ask_store(
    store_client: till_loyalty.StoreClientFactory | None,
    redemption_id: str,
    card: str,
    gift: str,
    quantity: int,
    cashier: str,
) -> dict[str, Any]:
    """Ask the store to have HQ take the points; refusals keep their status and code."""
    if store_client is None:
        raise till_loyalty.StoreUnreachable("this till has no store link", {"store": "none"})
    body = {
        "idempotency_key": redemption_id,
        "document": redemption_id,
        "staff": cashier,
        "card": card,
        "gift": gift,
        "quantity": quantity,
    }
    try:
        return till_loyalty.ask_store(store_client(), "POST", REDEEM, body)
    except till_loyalty.StoreUnreachable:
        raise HqNeeded(
            "gifts need HQ online, and the store cannot be reached",
            {"store": "unreachable"},
            code="store_unreachable",
        ) from None
    except till_loyalty.TenderRefused as err:
        if err.code == "hq_unreachable":
            raise HqNeeded("gifts need HQ online", {"hq": "unreachable"}) from None
        refusal = GiftRefused(err.message, err.fields, code=err.code)
        refusal.status = err.status
        raise refusal from None


def _already_done(
    session: Session, doc_id: str, card: str, gift: str, quantity: int
) -> dict[str, Any] | None:
    row = session.scalar(select(SYNC.outbox).where(SYNC.outbox.doc_id == doc_id))
    if row is None:
        return None
    document = Document.from_dict(json.loads(row.payload))
    body = document.body
    if (body["card"], body["gift"]["code"], body["quantity"]) != (card, gift, quantity):
        raise RedemptionIdReused(
            f"redemption {body['redemption_id']} was made for another card, gift or quantity",
            {"redemption_id": "already used for another redemption"},
        )
    store = store_of(session)
    return answer(document, lambda done: gift_receipt(done, store, document.origin_till or ""))


def gift_receipt(result: dict[str, Any], store: Any, code: str) -> Receipt:
    """The member's slip: the gift handed over, the points it took, the points left."""
    gift = result["gift"]
    extra = {
        "卡号 Card": f"****{result['card'][-4:]}",
        "积分 Points used": str(result["points"]),
    }
    if result.get("points_balance") is not None:
        extra["积分余额 Points left"] = str(result["points_balance"])
    name = f"{gift.get('name_zh') or ''} {gift.get('name_en') or gift.get('code')}".strip()
    return Receipt(
        **receipt_head(result, store, code),
        # Paid with points, not money: the line and the total are 0.00 yuan.
        lines=(
            ReceiptLine(f"{name} ({gift.get('points')} 积分/pt)", str(result["quantity"]), 0, 0),
        ),
        total=0,
        tenders=(),
        kind=RECEIPT_KIND,
        extra=extra,
    )


def gift_list(store_client: till_loyalty.StoreClientFactory | None) -> dict[str, Any]:
    """The gifts members can take today, from HQ through the store (online only)."""
    if store_client is None:
        raise till_loyalty.StoreUnreachable("this till has no store link", {"store": "none"})
    try:
        found = till_loyalty.ask_store(store_client(), "GET", GIFTS, {})
    except till_loyalty.TenderRefused as err:
        if err.code == "hq_unreachable":
            raise HqNeeded("the gift list needs HQ online", {"hq": "unreachable"}) from None
        raise
    return {"gifts": list(found.get("gifts") or [])}
