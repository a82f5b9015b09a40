"""Stored-value top-ups and balance checks at the till; HQ credits, the drawer takes the money.

The credit is online only (HQ holds the caps and the bonus schedule): the till asks its
store's `/sv/credit` with the top-up id as idempotency key, and only once HQ has credited
the card does it journal an `sv_top_up` document with the money taken, in the same
transaction as its own record of the top-up. The store counts that money in its drawer
(it is no sale) and passes the document to HQ, which finds its credit already posted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from chainpos.db import utcnow
from chainpos.errors import AppError, Conflict, UpstreamUnavailable
from pos_terminal import loyalty as till_loyalty
from pos_terminal.errors import SaleRefused
from pos_terminal.journal import journal, next_entry
from pos_terminal.models import TillTopUp
from pos_terminal.receipts import TENDER_LABELS, receipt_head
from retail.money import format_minor
from retail.receipt import Receipt, ReceiptLine, ReceiptTender
from retail.sale import SaleError, Tender, settle

#: Money a top-up can be paid with: never stored value, points or a coupon.
TOP_UP_METHODS = ("cash", "bank_card", "mobile_wallet")
CREDIT = "/api/v1/loyalty/sv/credit"
MEMBERS = "/api/v1/loyalty/members"


class TopUpIdReused(Conflict):
    code = "top_up_id_reused"


class TopUpRefused(AppError):
    """The store or HQ refused the credit; its status, code and fields are passed on."""

    status = 409
    code = "top_up_refused"


class HqNeeded(UpstreamUnavailable):
    """Top-ups and balance checks need HQ online (through the store)."""

    code = "hq_unreachable"


def top_up(
    session: Session,
    *,
    top_up_id: str,
    card: str,
    amount: int,
    tenders: Sequence[dict[str, Any]],
    cashier: str,
    store_client: till_loyalty.StoreClientFactory | None,
) -> dict[str, Any]:
    """Credit `amount` fen to `card` through the store, then journal the money taken.

    Idempotent by `top_up_id`: a retry gets the first answer and HQ credits once (the
    store replays its answer for the same key). A refusal journals nothing.
    """
    fingerprint = json.dumps(
        {"card": card, "amount": amount, "tenders": list(tenders)}, sort_keys=True
    )
    done = _already_done(session, top_up_id, fingerprint)
    if done is not None:
        return done
    for index, tender in enumerate(tenders):
        if tender["method"] not in TOP_UP_METHODS:
            field = f"tenders.{index}.method"
            message = "a top-up is paid with cash, bank card or wallet"
            raise SaleRefused(message, {field: message}, code="unknown_tender")
    try:
        settlement = settle(
            amount, [Tender(t["method"], t["amount"], t.get("reference")) for t in tenders]
        )
    except SaleError as err:
        raise SaleRefused(
            err.message, {err.field or "tenders": err.message}, code=err.code
        ) from None
    session.commit()  # nothing written yet: no lock held while the store asks HQ
    credited = _credit(store_client, top_up_id, card, amount, cashier)
    done = _already_done(session, top_up_id, fingerprint)
    if done is not None:  # made by a retry while HQ was asked
        return done
    now = utcnow()
    entry = next_entry(session, now)
    paid = [asdict(t) for t in settlement.tenders]
    cash = sum(t["amount"] for t in paid if t["method"] == "cash")
    body: dict[str, Any] = {
        "top_up_id": top_up_id,
        "receipt_no": entry.receipt_no(),
        "cashier": cashier,
        "card": credited.get("card") or card,
        "amount": amount,
        "bonus": int(credited.get("bonus") or 0),
        "reference": credited.get("reference"),
        "tenders": paid,
        "change": settlement.change,
        "cash_in": cash - settlement.change,
        "balance": credited.get("balances") or {"total": credited.get("balance")},
        "points": credited.get("points"),
    }
    result = journal(
        session,
        entry,
        "sv_top_up",
        body,
        lambda done: top_up_receipt(done, entry.store, entry.till),
    )
    session.add(
        TillTopUp(
            top_up_id=top_up_id,
            doc_id=result["doc_id"],
            receipt_no=body["receipt_no"],
            business_day=result["business_day"],
            cashier=cashier,
            card=body["card"],
            amount=amount,
            created_at=now,
            result=json.dumps({**result, "request_fingerprint": fingerprint}, ensure_ascii=False),
        )
    )
    return result


def _credit(
    store_client: till_loyalty.StoreClientFactory | None,
    top_up_id: str,
    card: str,
    amount: int,
    cashier: str,
) -> dict[str, Any]:
    """Ask the store to have HQ credit the card; refusals keep their status and code."""
    if store_client is None:
        raise till_loyalty.StoreUnreachable("this till has no store link", {"store": "none"})
    body = {
        "idempotency_key": top_up_id,
        "document": top_up_id,
        "staff": cashier,
        "card": card,
        "kind": "top_up",
        "amount": amount,
    }
    try:
        return till_loyalty.ask_store(store_client(), "POST", CREDIT, body)
    except till_loyalty.StoreUnreachable:
        raise HqNeeded(
            "top-ups need HQ online, and the store cannot be reached",
            {"store": "unreachable"},
            code="store_unreachable",
        ) from None
    except till_loyalty.TenderRefused as err:
        if err.code == "hq_unreachable":
            raise HqNeeded("top-ups need HQ online", {"hq": "unreachable"}) from None
        refusal = TopUpRefused(err.message, err.fields, code=err.code)
        refusal.status = err.status
        raise refusal from None


def _already_done(session: Session, top_up_id: str, fingerprint: str) -> dict[str, Any] | None:
    existing = session.get(TillTopUp, top_up_id)
    if existing is None:
        return None
    result: dict[str, Any] = json.loads(existing.result)
    if result.pop("request_fingerprint", None) != fingerprint:
        raise TopUpIdReused(
            f"top-up {top_up_id} was made with another card, amount or tenders",
            {"top_up_id": "already used for another top-up"},
        )
    return result


def top_up_receipt(result: dict[str, Any], store: Any, code: str) -> Receipt:
    """The customer's slip: what was paid, principal and bonus credited, the new balance."""
    extra = {
        "卡号 Card": f"****{result['card'][-4:]}",
        "本金 Principal": format_minor(result["amount"]),
        "赠送 Bonus": format_minor(result["bonus"]),
    }
    total = (result.get("balance") or {}).get("total")
    if total is not None:
        extra["余额 Balance"] = format_minor(int(total))
    return Receipt(
        **receipt_head(result, store, code),
        lines=(
            ReceiptLine("储值充值 Stored value top-up", "1", result["amount"], result["amount"]),
        ),
        total=result["amount"],
        tenders=tuple(
            ReceiptTender(
                TENDER_LABELS.get(t["method"], t["method"]), t["amount"], t.get("reference")
            )
            for t in result["tenders"]
        ),
        change=result["change"],
        kind="TOP-UP 充值",
        extra=extra,
    )


def balance_check(
    store_client: till_loyalty.StoreClientFactory | None, query: dict[str, str]
) -> dict[str, Any]:
    """The member (mobile masked), tier, and each card's state, balance and points (HQ online)."""
    if store_client is None:
        raise till_loyalty.StoreUnreachable("this till has no store link", {"store": "none"})
    try:
        found = till_loyalty.ask_store(store_client(), "GET", MEMBERS, query)
    except till_loyalty.TenderRefused as err:
        if err.code == "hq_unreachable":
            raise HqNeeded("a balance check needs HQ online", {"hq": "unreachable"}) from None
        raise
    member = found.get("member")
    return {
        "member": None
        if not member
        else {
            "member_id": member.get("member_id"),
            "masked_mobile": member.get("mobile"),
            "name": member.get("name"),
            "tier": member.get("tier"),
            "status": member.get("status"),
        },
        "cards": [_card_balances(card) for card in found.get("cards") or []],
    }


def _card_balances(card: dict[str, Any]) -> dict[str, Any]:
    balance = card.get("balance") or {}
    return {
        "number": card.get("number"),
        "medium": card.get("medium"),
        "state": card.get("state"),
        "parent_card": card.get("parent_card"),
        "balance": {k: balance.get(k) for k in ("principal", "bonus", "total")},
        "points": balance.get("points"),
    }
