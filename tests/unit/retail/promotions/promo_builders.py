"""Builders for promotion tests: lines, contexts and definitions through the wire format."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from retail.promotions import (
    MemberInfo,
    PricingContext,
    PricingLine,
    Promotion,
    Usage,
    from_dict,
)

SHANGHAI = timezone(timedelta(hours=8))
#: A Thursday morning in the store's local time.
THURSDAY_10AM = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)


def line(
    no: int,
    product: str,
    qty: int = 1,
    price: int = 1000,
    *,
    category: str | None = "drinks",
    brand: str | None = "acme",
    member_price: int | None = None,
    weighed: bool = False,
) -> PricingLine:
    return PricingLine(
        line_no=no,
        product_id=product,
        qty=qty,
        unit_price=price,
        category_id=category,
        brand_id=brand,
        member_price=member_price,
        weighed=weighed,
    )


def member(tier: str = "gold", birthday: date | None = None) -> MemberInfo:
    return MemberInfo(member_id="M1", tier=tier, birthday=birthday)


def context(
    *,
    store: str = "S001",
    region: str | None = "east",
    at: datetime = THURSDAY_10AM,
    member: MemberInfo | None = None,
    coupons: tuple[str, ...] = (),
    usage: Usage | None = None,
) -> PricingContext:
    return PricingContext(
        store_id=store,
        region_id=region,
        at=at,
        member=member,
        coupon_codes=frozenset(coupons),
        usage=usage or Usage(),
    )


def definition(
    promo_id: str,
    kind: str,
    rule: dict[str, Any],
    target: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {"id": promo_id, "name": f"Promo {promo_id}", "kind": kind, "rule": rule}
    if target is not None:
        data["target"] = target
    data.update(extra)
    return data


def promo(
    promo_id: str,
    kind: str,
    rule: dict[str, Any],
    target: dict[str, Any] | None = None,
    **extra: Any,
) -> Promotion:
    return from_dict(definition(promo_id, kind, rule, target, **extra))


def products(*ids: str) -> dict[str, Any]:
    return {"product_ids": list(ids)}


EVERYTHING: dict[str, Any] = {"all": True}
