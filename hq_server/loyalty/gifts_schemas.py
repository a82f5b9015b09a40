"""Schemas of the gift catalog and gift redemption endpoints (marshmallow at the edge)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hq_server.loyalty.schemas import CardRef, Idempotent, Located

_gift_code = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$", error="1-32 letters, digits, '_', '.' or '-'"
)
_name = validate.Length(min=1, max=100)
_sku = validate.Length(min=1, max=32)
#: Points per unit: positive, and small enough that quantity x points stays exact anywhere.
_points = validate.Range(min=1, max=10_000_000, error="must be 1..10000000 points")
MAX_QUANTITY = 100
_quantity = validate.Range(min=1, max=MAX_QUANTITY, error=f"must be 1..{MAX_QUANTITY}")


def _check_window(data: dict[str, Any]) -> None:
    start, end = data.get("valid_from"), data.get("valid_until")
    if start is not None and end is not None and end < start:
        raise ValidationError("ends before valid_from", "valid_until")


class GiftInSchema(Idempotent):
    code = fields.String(required=True, validate=_gift_code)
    name_zh = fields.String(required=True, validate=_name)
    name_en = fields.String(required=True, validate=_name)
    points = fields.Integer(required=True, strict=True, validate=_points)
    sku = fields.String(load_default=None, allow_none=True, validate=_sku)
    active = fields.Boolean(load_default=True)
    valid_from = fields.Date(load_default=None, allow_none=True)
    valid_until = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _window(self, data: dict[str, Any], **_: Any) -> None:
        _check_window(data)


class GiftPatchSchema(Idempotent):
    """Only the fields given change; `sku`, `valid_from`, `valid_until` clear with null."""

    name_zh = fields.String(validate=_name)
    name_en = fields.String(validate=_name)
    points = fields.Integer(strict=True, validate=_points)
    sku = fields.String(allow_none=True, validate=_sku)
    active = fields.Boolean()
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)

    @validates_schema
    def _window(self, data: dict[str, Any], **_: Any) -> None:
        _check_window(data)


class GiftOutSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    points = fields.Integer(metadata={"description": "points per unit"})
    sku = fields.String(allow_none=True, metadata={"description": "goods from stock, if any"})
    active = fields.Boolean()
    valid_from = fields.String(allow_none=True)
    valid_until = fields.String(allow_none=True)


class GiftListSchema(Schema):
    gifts = fields.List(fields.Nested(GiftOutSchema))


class GiftQuerySchema(Schema):
    active = fields.Boolean(load_default=None)
    available_on = fields.Date(
        load_default=None, metadata={"description": "only gifts redeemable that day"}
    )


class StoreGiftQuerySchema(Schema):
    business_day = fields.Date(
        load_default=None, metadata={"description": "the store's business day (default: today)"}
    )


class GiftRedeemInSchema(Idempotent, CardRef):
    """A service-desk redemption by staff; `store` where the member took the gift."""

    gift = fields.String(required=True, validate=_gift_code)
    quantity = fields.Integer(load_default=1, strict=True, validate=_quantity)
    store = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))


class StoreGiftRedeemInSchema(Located, CardRef):
    gift = fields.String(required=True, validate=_gift_code)
    quantity = fields.Integer(required=True, strict=True, validate=_quantity)


class GiftRedeemedSchema(Schema):
    card = fields.String()
    gift = fields.Nested(GiftOutSchema)
    quantity = fields.Integer()
    points = fields.Integer(metadata={"description": "points used, all units together"})
    document = fields.String()
    lots = fields.List(fields.Dict(), metadata={"description": "[{lot_id, points}] consumed"})
    balance = fields.Dict()
