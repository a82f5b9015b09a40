"""Turning a completed sale into the receipt the customer takes away."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from retail.receipt import (
    Receipt,
    ReceiptLine,
    ReceiptMember,
    ReceiptSaving,
    ReceiptTax,
    ReceiptTender,
)

TENDER_LABELS = {
    "cash": "Cash 现金",
    "bank_card": "Card 银行卡",
    "mobile_wallet": "Wallet 移动支付",
    "stored_value": "Stored value 储值卡",
    "points": "Points 积分抵现",
    "coupon": "Coupon 优惠券",
}


def receipt_head(done: dict[str, Any], store: Any, till_code: str) -> dict[str, Any]:
    """The header every slip of this till prints: store, till, number, day, time, cashier."""
    timezone = store.timezone if store is not None else "Asia/Shanghai"
    local = datetime.fromisoformat(done["created_at"]).astimezone(ZoneInfo(timezone))
    return {
        "store_name": store.name if store is not None else till_code.split("-")[0],
        "store_code": till_code.split("-")[0],
        "till_code": till_code,
        "receipt_no": done["receipt_no"],
        "business_day": done["business_day"],
        "printed_at": f"{local:%Y-%m-%d %H:%M}",
        "cashier": done["cashier"],
    }


def build_receipt(sale: dict[str, Any], store: Any, till_code: str, copy_no: int = 0) -> Receipt:
    return Receipt(
        **receipt_head(sale, store, till_code),
        lines=tuple(
            ReceiptLine(
                savings=tuple(
                    ReceiptSaving(s["name"], s["amount"]) for s in line.get("savings", ())
                ),
                name=line["name"],
                qty_text=line["qty_text"],
                unit_price=line["unit_price"],
                amount=line["amount"],
            )
            for line in sale["lines"]
        ),
        total=sale["total"],
        tenders=tuple(
            ReceiptTender(
                TENDER_LABELS.get(t["method"], t["method"]), t["amount"], t.get("reference")
            )
            for t in sale["tenders"]
        ),
        change=sale["change"],
        rounding=sale["rounding"],
        taxes=tuple(ReceiptTax(_rate_label(t["rate_bp"]), t["tax"]) for t in sale["taxes"]),
        member=_member(sale.get("member")),
        copy_no=copy_no,
    )


def _member(member: dict[str, Any] | None) -> ReceiptMember | None:
    """The member block: masked mobile, card tail, points and stored-value balance."""
    if not member:
        return None
    card = member.get("card")
    return ReceiptMember(
        masked_mobile=member.get("masked_mobile") or "",
        card_no=f"****{card[-4:]}" if card else None,
        points_balance=member.get("points"),
        stored_value_balance=member.get("balance"),
    )


def _rate_label(rate_bp: int) -> str:
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}%"
