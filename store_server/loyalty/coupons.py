"""Coupons at the store: verified offline with HQ's public key from the feed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from chainpos import master_copy
from chainpos.db import utcnow
from loyalty.coupons import Coupon, coupon_discount, verify_coupon
from loyalty.errors import LoyaltyError
from retail.documents import business_day_at
from store_server import services as store
from store_server.loyalty.errors import CouponRefused
from store_server.models import MASTER

_TYPABLE = re.compile(r"^B\d+-\d+$")


@dataclass(frozen=True, slots=True)
class Verified:
    coupon: Coupon
    discount: int


def store_number(code: str) -> int:
    """A store's number in coupon scopes: the digits of its code (`S001` -> 1), as at HQ."""
    digits = "".join(ch for ch in code if ch.isdigit())
    return int(digits) if digits else 0


def verify(session: Session, request: Mapping[str, Any]) -> Verified | None:
    """Check the code offline; None when the store holds no key (or the code is a typable
    key, which only HQ can resolve). Raises `CouponRefused` for a bad or foreign code."""
    keys = master_copy.coupon_public_keys(session, MASTER)
    code = str(request["code"]).strip()
    if not keys or _TYPABLE.match(code.upper()):
        return None
    here = store.store_code(session)
    day: date = business_day_at(utcnow(), store.store_timezone(session))
    try:
        coupon = verify_coupon(
            {k: Ed25519PublicKey.from_public_bytes(bytes.fromhex(v)) for k, v in keys.items()},
            code,
            day,
            store_number(here),
            request.get("member_id"),
            request.get("spend"),
        )
    except LoyaltyError as err:
        raise CouponRefused(err.message, {"code": err.message}, code=err.code) from None
    spend = request.get("spend")
    discount = coupon_discount(coupon, spend or 0, request.get("item_price") or 0)
    check_amount(request, discount)
    return Verified(coupon, discount)


def check_amount(request: Mapping[str, Any], discount: int) -> None:
    """A coupon tender may not exceed what the coupon takes off."""
    amount = request.get("tender_amount")
    if amount is not None and amount > discount:
        raise CouponRefused(
            f"the coupon is worth {discount} fen, not {amount}",
            {"amount": f"at most {discount}"},
            code="coupon_value_exceeded",
        )


def answer(mode: str, request: Mapping[str, Any], key: str, discount: int) -> dict[str, Any]:
    amount = request.get("tender_amount")
    return {
        "mode": mode,
        "reference": f"CP:{key}",
        "coupon": key,
        "discount": discount,
        "amount": amount if amount is not None else discount,
    }
