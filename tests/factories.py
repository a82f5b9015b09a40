"""Test data builders shared by the integration tests: master data, documents, signing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from chainpos.ids import new_id
from chainpos.signing import Credentials, sign
from retail.barcodes import with_check_digit

STORE_CODE = "S001"
OTHER_STORE = "S002"
TILL_CODE = "S001-T01"
CASHIER = "C001"
CASHIER_PIN = "1234"
ADMIN = "admin"
ADMIN_PASSWORD = "correct horse battery"

#: EAN-13s with valid check digits.
COLA_EAN = with_check_digit("690123456789")
CHIPS_EAN = with_check_digit("690123456790")
MILK_EAN = with_check_digit("690123456791")
#: The catalog key of a weighed item with PLU 00001 under weight (21) and price (22) labels.
APPLES_WEIGHT_PLU = "2100001"
APPLES_PRICE_PLU = "2200001"


def utc(days: float = 0) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


def iso(moment: datetime) -> str:
    return moment.isoformat()


# --- the change feed as a till or store copy receives it -----------------------------


def store_change(
    code: str = STORE_CODE, *, cash_rounding_step: int = 1, timezone: str = "Asia/Shanghai"
) -> dict[str, Any]:
    return {
        "entity": "store",
        "key": code,
        "payload": {
            "code": code,
            "name": f"Store {code}",
            "timezone": timezone,
            "cash_rounding_step": cash_rounding_step,
            "active": True,
        },
    }


def till_change(code: str = TILL_CODE, store: str = STORE_CODE) -> dict[str, Any]:
    return {
        "entity": "till",
        "key": code,
        "payload": {"code": code, "store": store, "active": True},
    }


def staff_change(
    pin_hash: str,
    code: str = CASHIER,
    *,
    role: str = "cashier",
    store: str | None = STORE_CODE,
    active: bool = True,
) -> dict[str, Any]:
    return {
        "entity": "staff",
        "key": code,
        "payload": {
            "code": code,
            "name": f"Staff {code}",
            "role": role,
            "pin_hash": pin_hash,
            "store": store,
            "active": active,
        },
    }


def price_payload(
    sku: str,
    price: int,
    *,
    store: str | None = None,
    effective_from: datetime | None = None,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "sku": sku,
        "price": price,
        "store": store,
        "effective_from": iso(effective_from or utc(-1)),
    }


def product_change(
    sku: str,
    barcodes: list[str],
    price: int | None,
    *,
    name_zh: str | None = None,
    name_en: str | None = None,
    tax_rate_bp: int = 1300,
    weighed: bool = False,
    unit: str = "件",
    prices: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A product as the feed carries it: full state with barcodes and prices."""
    all_prices = list(prices or [])
    if price is not None:
        all_prices.insert(0, price_payload(sku, price))
    return {
        "entity": "product",
        "key": sku,
        "payload": {
            "sku": sku,
            "name_zh": name_zh or f"商品{sku}",
            "name_en": name_en or f"Product {sku}",
            "category_code": "GROC",
            "category_name": "Grocery",
            "brand_code": None,
            "brand_name": None,
            "unit": unit,
            "weighed": weighed,
            "tax_rate_bp": tax_rate_bp,
            "active": True,
            "barcodes": barcodes,
            "prices": all_prices,
        },
    }


# --- HQ's staff API ---------------------------------------------------------------------


def category_in(code: str = "GROC", tax_rate_bp: int = 1300) -> dict[str, Any]:
    return {"code": code, "name_zh": "食品", "name_en": "Grocery", "tax_rate_bp": tax_rate_bp}


def product_in(
    sku: str, barcodes: list[str], price: int, *, name_en: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "sku": sku,
        "name_zh": f"商品{sku}",
        "name_en": name_en or f"Product {sku}",
        "category_code": "GROC",
        "barcodes": barcodes,
        "price": price,
        **extra,
    }


def gtin(n: int) -> str:
    """A distinct valid EAN-13 for each `n`."""
    return with_check_digit(f"69{n:010d}")


# --- journal documents ------------------------------------------------------------------


def sale_document(
    *,
    store: str = STORE_CODE,
    till: str | None = TILL_CODE,
    seq: int = 1,
    business_day: str = "2026-11-26",
    lines: list[tuple[str, int, int]] | None = None,
    doc_id: str | None = None,
) -> dict[str, Any]:
    """A sale document envelope; `lines` are (sku, stock_qty, amount)."""
    lines = lines if lines is not None else [("A1", 2, 700)]
    total = sum(amount for _, _, amount in lines)
    till_short = (till or "T00").split("-")[-1]
    return {
        "id": doc_id or new_id(),
        "type": "sale",
        "origin_store": store,
        "origin_till": till,
        "business_day": business_day,
        "seq": seq,
        "created_at": iso(utc()),
        "body": {
            "sale_id": new_id(),
            "cashier": CASHIER,
            "receipt_no": f"{store}-{till_short}-{business_day[2:].replace('-', '')}-{seq:05d}",
            "total": total,
            "rounding": 0,
            "lines": [
                {
                    "line_no": i,
                    "sku": sku,
                    "qty": qty,
                    "stock_qty": qty,
                    "amount": amount,
                    "weight_grams": None,
                }
                for i, (sku, qty, amount) in enumerate(lines, start=1)
            ],
        },
    }


# --- signed requests --------------------------------------------------------------------


def signed_request(
    credentials: Credentials,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    body: Any = None,
    now: float | None = None,
) -> tuple[str, bytes, dict[str, str]]:
    """The target, body bytes and headers exactly as `chainpos.sync.client` would send them."""
    target = path + ("?" + urlencode(params) if params else "")
    data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    headers = sign(credentials, method, target, data, now=now)
    if body is not None:
        headers["Content-Type"] = "application/json"
    return target, data, headers
