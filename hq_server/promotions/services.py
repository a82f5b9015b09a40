"""Promotion use cases at HQ: define, pause, resume, end and preview."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainpos.db import utcnow
from chainpos.errors import AppError, Conflict, NotFound
from chainpos.sync.feed import ChangeItem, publish
from hq_server.models import SYNC, Category, Price, Product, Store
from hq_server.promotions.models import PromotionRecord
from retail.catalog import PriceRecord, resolve_price
from retail.promotions.basket import PricedBasket, PricingContext, PricingLine
from retail.promotions.definitions import Promotion, Status, from_dict, to_dict
from retail.promotions.preview import preview_promotion
from retail.promotions.validation import PromotionDefinitionError

#: Status changes HQ staff may make: where each one may come from.
TRANSITIONS = {
    "pause": (Status.ACTIVE, Status.PAUSED),
    "resume": (Status.PAUSED, Status.ACTIVE),
    "end": (None, Status.ENDED),
}


class InvalidPromotion(AppError):
    status = 422
    code = "invalid_promotion"


class UnknownPromotion(NotFound):
    code = "unknown_promotion"


def parse(session: Session, data: Any) -> Promotion:
    """Check a definition with the shared engine's rules and HQ's catalog."""
    if not isinstance(data, dict):
        raise InvalidPromotion("a promotion definition is a JSON object", {"_schema": "object"})

    def product_exists(sku: str) -> bool:
        return session.get(Product, sku) is not None

    try:
        promotion = from_dict(data, product_exists)
    except PromotionDefinitionError as err:
        raise InvalidPromotion(err.message, {err.field: err.message}, code=err.code) from None
    for field_name, known, ids in (
        ("target.category_ids", Category, promotion.target.category_ids),
        ("audience.store_ids", Store, promotion.audience.store_ids),
    ):
        for code in sorted(ids):
            if session.get(known, code) is None:
                raise InvalidPromotion(
                    f"unknown {field_name.split('.')[-1][:-4]} {code!r}",
                    {field_name: f"unknown {code}"},
                    code="unknown_reference",
                )
    return promotion


def define(session: Session, data: Any, staff: str | None) -> Promotion:
    """Save a new promotion and send it down the feed, in one transaction."""
    promotion = parse(session, data)
    if session.get(PromotionRecord, promotion.id) is not None:
        raise Conflict(
            f"promotion {promotion.id} exists", {"id": "already exists"}, code="duplicate_id"
        )
    now = utcnow()
    session.add(
        PromotionRecord(
            id=promotion.id,
            name=promotion.name,
            kind=promotion.kind.value,
            status=promotion.status.value,
            definition=json.dumps(to_dict(promotion), ensure_ascii=False),
            created_at=now,
            updated_at=now,
            updated_by=staff,
        )
    )
    session.flush()
    _publish(session, promotion)
    return promotion


def change_status(session: Session, promotion_id: str, action: str, staff: str | None) -> Promotion:
    record = session.get(PromotionRecord, promotion_id, with_for_update=True)
    if record is None:
        raise UnknownPromotion(f"unknown promotion {promotion_id}", {"id": "unknown"})
    source, target = TRANSITIONS[action]
    current = Status(record.status)
    if current is Status.ENDED or (source is not None and current is not source):
        raise Conflict(
            f"cannot {action} a promotion that is {current.value}",
            {"status": current.value},
            code="invalid_transition",
        )
    definition = json.loads(record.definition)
    definition["status"] = target.value
    promotion = from_dict(definition)
    record.status = target.value
    record.definition = json.dumps(to_dict(promotion), ensure_ascii=False)
    record.updated_at = utcnow()
    record.updated_by = staff
    _publish(session, promotion)
    return promotion


def _publish(session: Session, promotion: Promotion) -> None:
    publish(session, SYNC, [ChangeItem("promotion", promotion.id, to_dict(promotion))])


def get(session: Session, promotion_id: str) -> dict[str, Any]:
    record = session.get(PromotionRecord, promotion_id)
    if record is None:
        raise UnknownPromotion(f"unknown promotion {promotion_id}", {"id": "unknown"})
    definition: dict[str, Any] = json.loads(record.definition)
    return definition


def list_all(session: Session, status: str | None = None) -> list[dict[str, Any]]:
    query = select(PromotionRecord).order_by(PromotionRecord.id)
    if status:
        query = query.where(PromotionRecord.status == status)
    return [json.loads(r.definition) for r in session.scalars(query)]


def preview(
    session: Session, data: Any, lines: Sequence[dict[str, Any]], store: str, at: datetime
) -> PricedBasket:
    """What the promotion would do to a sample basket at a store, before it goes live."""
    promotion = parse(session, data)
    if session.get(Store, store) is None:
        raise NotFound(f"unknown store {store}", {"store": "unknown"}, code="unknown_store")
    pricing: list[PricingLine] = []
    for number, line in enumerate(lines, start=1):
        product = session.get(Product, line["sku"])
        if product is None:
            raise NotFound(
                f"unknown product {line['sku']}",
                {f"lines.{number - 1}.sku": "unknown"},
                code="unknown_product",
            )
        records = [
            PriceRecord(p.id, p.sku, p.price, p.effective_from, p.store_code)
            for p in session.scalars(select(Price).where(Price.sku == product.sku))
        ]
        price = resolve_price(records, store, at)
        if price is None:
            raise AppError(
                f"{product.sku} has no price at {store}",
                {f"lines.{number - 1}.sku": "no price"},
                code="no_price",
            )
        pricing.append(
            PricingLine(
                line_no=number,
                product_id=product.sku,
                qty=line["qty"],
                unit_price=price.price,
                category_id=product.category_code,
                brand_id=product.brand_code,
                weighed=product.weighed,
            )
        )
    shop = session.get(Store, store)
    assert shop is not None
    local = at.astimezone(ZoneInfo(shop.timezone))
    return preview_promotion(promotion, pricing, PricingContext(store, shop.region, local))
