"""Request schemas of the store's loyalty relay (tills call it, signed)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from chainpos.schemas import Fen

_key = validate.Length(min=8, max=100)
_doc = validate.Length(min=1, max=64)
_code = validate.Length(min=1, max=32)
_card = validate.Length(min=12, max=30)


class MemberQuerySchema(Schema):
    mobile = fields.String(validate=validate.Length(min=1, max=30))
    card = fields.String(validate=_card)
    card_uid = fields.String(validate=validate.Length(min=8, max=40))
    qr = fields.String(validate=validate.Length(min=3, max=60))

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if len(data) != 1:
            raise ValidationError("give exactly one of mobile, card, card_uid, qr", "query")


class Call(Schema):
    """Every mutating call: its key (the tender id), the source document, the cashier."""

    idempotency_key = fields.String(required=True, validate=_key)
    document = fields.String(load_default=None, allow_none=True, validate=_doc)
    staff = fields.String(load_default=None, allow_none=True, validate=_code)


class DebitSchema(Call):
    card = fields.String(required=True, validate=_card)
    amount = Fen(required=True, positive=True)
    pin = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))


class CreditSchema(Call):
    card = fields.String(required=True, validate=_card)
    kind = fields.String(load_default="top_up", validate=validate.OneOf(["top_up", "refund"]))
    amount = Fen(required=True, positive=True)
    original_document = fields.String(load_default=None, allow_none=True, validate=_doc)


class RedeemPointsSchema(Call):
    card = fields.String(required=True, validate=_card)
    amount = Fen(required=True, positive=True)


class CouponSchema(Call):
    code = fields.String(required=True, validate=validate.Length(min=3, max=400))
    member_id = fields.String(load_default=None, allow_none=True, validate=_doc)
    spend = Fen(load_default=None, allow_none=True, validate=validate.Range(min=0))
    item_price = Fen(load_default=0, validate=validate.Range(min=0))
    tender_amount = Fen(load_default=None, allow_none=True, positive=True)


class ReleaseSchema(Schema):
    idempotency_key = fields.String(required=True, validate=_key)


class EarnLineSchema(Schema):
    line_id = fields.String(required=True, validate=_doc)
    category = fields.String(required=True, validate=_code)
    amount = Fen(required=True, validate=validate.Range(min=0))


class EarnSchema(Call):
    card = fields.String(required=True, validate=_card)
    lines = fields.List(
        fields.Nested(EarnLineSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class GiftSchema(Call):
    """Points for a catalog gift; the key is the till's redemption id."""

    card = fields.String(required=True, validate=_card)
    gift = fields.String(required=True, validate=validate.Length(min=1, max=32))
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))


class AuthorisedSchema(Schema):
    mode = fields.String(metadata={"enum": ["online", "offline", "queued"]})
    reference = fields.String()
    card = fields.String()
    amount = fields.Integer()
    balance = fields.Integer(allow_none=True)
    points = fields.Integer(allow_none=True)
    points_used = fields.Integer(metadata={"description": "points redemption only"})
    principal = fields.Integer(metadata={"description": "top-up only: principal credited"})
    bonus = fields.Integer(metadata={"description": "top-up only: bonus credited"})
    gift = fields.Dict(metadata={"description": "gift only: code, names, sku, points per unit"})
    quantity = fields.Integer(metadata={"description": "gift only: units handed over"})
