"""Coupons at HQ: the Ed25519 key pair, signed batches, and redemption exactly once.

The private key is generated here and stays in `loyalty_coupon_keys`; its public half
goes down the change feed as entity `coupon_key`, so stores verify codes offline. The
coupon key (`B<batch>-<serial>`) is the primary key of the redemptions table: a second
redemption anywhere in the chain is refused by the database itself.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chainpos.sync.feed import ChangeItem, publish
from hq_server.loyalty.errors import CouponAlreadyRedeemed
from hq_server.loyalty.models import Counter, CouponBatch, CouponCode, CouponKey, CouponRedemption
from hq_server.loyalty.origin import Origin
from hq_server.models import SYNC
from loyalty.coupons import CouponKind, CouponSpec, coupon_discount, issue_batch, verify_coupon
from loyalty.errors import CouponMalformed

_TYPABLE = re.compile(r"^B\d+-\d+$")


def store_number(store_code: str | None) -> int:
    """A store's number for coupon scopes: the digits of its code (S001 → 1)."""
    digits = re.sub(r"\D", "", store_code or "")
    return int(digits) if digits else 0


def _public_hex(public: Ed25519PublicKey) -> str:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def active_key(session: Session) -> CouponKey:
    """HQ's signing key, made (and its public half published) on first use."""
    key = session.scalar(
        select(CouponKey).where(CouponKey.active.is_(True)).order_by(CouponKey.key_id.desc())
    )
    if key is not None:
        return key
    counter = session.get(Counter, "coupon_key", with_for_update=True)
    if counter is None:
        counter = Counter(name="coupon_key", value=0)
        session.add(counter)
    counter.value += 1
    private = Ed25519PrivateKey.generate()
    key = CouponKey(
        key_id=counter.value,
        private_key=private.private_bytes_raw().hex(),
        public_key=_public_hex(private.public_key()),
        active=True,
    )
    session.add(key)
    session.flush()
    publish(
        session,
        SYNC,
        [
            ChangeItem("coupon_key", str(key.key_id), coupon_key_payload(key)),
        ],
    )
    return key


def coupon_key_payload(key: CouponKey) -> dict[str, Any]:
    """The public half as it travels down the feed (the private half never does)."""
    return {
        "key_id": key.key_id,
        "algorithm": "ed25519",
        "public_key": key.public_key,
        "active": key.active,
    }


def public_keys(session: Session) -> dict[int, Ed25519PublicKey]:
    return {
        k.key_id: Ed25519PublicKey.from_public_bytes(bytes.fromhex(k.public_key))
        for k in session.scalars(select(CouponKey))
    }


def issue(
    session: Session,
    *,
    kind: str,
    value: int,
    valid_from: date,
    valid_until: date,
    count: int,
    cap: int = 0,
    min_spend: int = 0,
    stores: list[str] | None = None,
    member_id: str | None = None,
    item_code: str | None = None,
    staff: str | None = None,
) -> dict[str, Any]:
    """A batch of single-use codes signed with HQ's key; returns the batch number and codes."""
    key = active_key(session)
    counter = session.get(Counter, "coupon_batch", with_for_update=True)
    if counter is None:
        counter = Counter(name="coupon_batch", value=0)
        session.add(counter)
    counter.value += 1
    numbers = tuple(sorted({store_number(s) for s in stores or []}))
    template = CouponSpec(
        batch=counter.value,
        serial=1,
        kind=CouponKind[kind.upper()],
        value=value,
        valid_from=valid_from,
        valid_until=valid_until,
        cap=cap,
        min_spend=min_spend,
        stores=numbers,
        member_id=member_id,
        item_code=item_code,
        key_id=key.key_id,
    )
    private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(key.private_key))
    codes = issue_batch(private, template, 1, count)
    session.add(
        CouponBatch(
            id=counter.value,
            kind=kind,
            value=value,
            cap=cap,
            min_spend=min_spend,
            valid_from=valid_from,
            valid_until=valid_until,
            stores=json.dumps(numbers),
            member_id=member_id,
            item_code=item_code,
            count=count,
            key_id=key.key_id,
            created_by=staff,
        )
    )
    session.flush()
    session.execute(
        insert(CouponCode),
        [
            {"key": f"B{counter.value}-{n}", "batch_id": counter.value, "serial": n, "code": c}
            for n, c in enumerate(codes, start=1)
        ],
    )
    return {"batch": counter.value, "key_id": key.key_id, "codes": codes}


def redeem(
    session: Session,
    code: str,
    origin: Origin,
    *,
    member_id: str | None = None,
    spend: int | None = None,
    item_price: int = 0,
) -> dict[str, Any]:
    """Verify and redeem a code (or its typable key) once, chain-wide."""
    text = code.strip().upper()
    if _TYPABLE.match(text):
        stored = session.get(CouponCode, text)
        if stored is None:
            raise CouponMalformed(f"no coupon {text}")
        text = stored.code
    coupon = verify_coupon(
        public_keys(session),
        text,
        origin.business_day,
        store_number(origin.store),
        member_id,
        spend,
    )
    if session.get(CouponRedemption, coupon.key) is not None:
        raise CouponAlreadyRedeemed(
            f"coupon {coupon.key} was already redeemed", {"coupon": "already redeemed"}
        )
    discount = coupon_discount(coupon, spend or 0, item_price) if spend is not None else 0
    try:
        with session.begin_nested():
            session.add(
                CouponRedemption(
                    coupon_key=coupon.key,
                    batch_id=coupon.batch,
                    member_id=member_id,
                    discount=discount,
                    store_code=origin.store,
                    till_code=origin.till,
                    staff_code=origin.staff,
                    document=origin.document,
                    business_day=origin.business_day,
                )
            )
    except IntegrityError:
        raise CouponAlreadyRedeemed(
            f"coupon {coupon.key} was already redeemed", {"coupon": "already redeemed"}
        ) from None
    return {
        "coupon": coupon.key,
        "kind": coupon.kind.name.lower(),
        "value": coupon.value,
        "discount": discount,
        "item_code": coupon.item_code,
    }
