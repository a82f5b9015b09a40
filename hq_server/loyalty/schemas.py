"""Request and response schemas of the loyalty API (marshmallow stays at the edge)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from chainpos.schemas import Fen

_key = validate.Length(min=8, max=100)
_doc = validate.Length(min=1, max=64)
_code = validate.Length(min=1, max=32)


class Idempotent(Schema):
    """Every mutating call carries a key; the same key retried returns the first answer."""

    idempotency_key = fields.String(required=True, validate=_key)


class Located(Idempotent):
    """Where and why: the source document, the store's business day, till and staff."""

    document = fields.String(required=True, validate=_doc)
    business_day = fields.Date(required=True)
    till = fields.String(load_default=None, allow_none=True, validate=_code)
    staff = fields.String(load_default=None, allow_none=True, validate=_code)


class CardRef(Schema):
    card = fields.String(load_default=None, validate=validate.Length(min=12, max=30))
    card_uid = fields.String(load_default=None, validate=validate.Length(min=8, max=40))

    @validates_schema
    def _one_card(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("card") is None) == (data.get("card_uid") is None):
            raise ValidationError("give exactly one of card and card_uid", "card")


class MemberInSchema(Idempotent):
    mobile = fields.String(required=True, validate=validate.Length(min=1, max=30))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    birthday = fields.Date(load_default=None, allow_none=True)
    gender = fields.String(
        load_default="unspecified",
        validate=validate.OneOf(["unspecified", "female", "male", "other"]),
    )
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    source_channel = fields.String(
        load_default="store",
        validate=validate.OneOf(["store", "portal", "app", "wechat", "referral", "import"]),
    )
    marketing_consent = fields.Boolean(load_default=False)
    referrer_id = fields.String(load_default=None, allow_none=True, validate=_doc)


class MemberOutSchema(Schema):
    member_id = fields.String()
    mobile = fields.String()
    name = fields.String()
    birthday = fields.String(allow_none=True)
    gender = fields.String()
    email = fields.String(allow_none=True)
    source_channel = fields.String()
    marketing_consent = fields.Boolean()
    tier = fields.String()
    status = fields.String()
    merged_into = fields.String(allow_none=True)
    enrolled_on = fields.String()
    qr = fields.String()
    possible_duplicates = fields.List(fields.Dict())


class MemberQuerySchema(Schema):
    mobile = fields.String(validate=validate.Length(min=1, max=30))
    card = fields.String(validate=validate.Length(min=12, max=30))
    card_uid = fields.String(validate=validate.Length(min=8, max=40))
    qr = fields.String(validate=validate.Length(min=3, max=60))

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if len(data) != 1:
            raise ValidationError("give exactly one of mobile, card, card_uid, qr", "query")


class MemberFoundSchema(Schema):
    member = fields.Nested(MemberOutSchema, allow_none=True)
    cards = fields.List(fields.Dict())
    promotion_uses = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "times the member used each member-limited promotion"},
    )


class MergeInSchema(Idempotent):
    absorbed = fields.String(required=True, validate=_doc)


class CardInSchema(Idempotent):
    medium = fields.String(required=True, validate=validate.OneOf(["ic", "printed", "virtual"]))
    member_id = fields.String(load_default=None, allow_none=True, validate=_doc)
    number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30))
    uid = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    parent_card = fields.String(load_default=None, allow_none=True, validate=_code)
    activate = fields.Boolean(load_default=False)


class CardOutSchema(Schema):
    card_id = fields.String()
    number = fields.String()
    uid = fields.String(allow_none=True)
    medium = fields.String()
    state = fields.String()
    member_id = fields.String(allow_none=True)
    account_id = fields.String()
    parent_card = fields.String(allow_none=True)
    replaced_by = fields.String(allow_none=True)
    balance = fields.Dict()
    pin = fields.Dict()


class ReplaceInSchema(Idempotent):
    medium = fields.String(load_default=None, validate=validate.OneOf(["ic", "printed", "virtual"]))
    number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30))
    uid = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class CancelInSchema(Idempotent):
    store = fields.String(load_default=None, allow_none=True, validate=_code)


class PinSetSchema(Idempotent):
    pin = fields.String(required=True, validate=validate.Length(max=20))


class PinChangeSchema(Idempotent):
    old_pin = fields.String(required=True, validate=validate.Length(max=20))
    new_pin = fields.String(required=True, validate=validate.Length(max=20))


class TransferInSchema(Idempotent):
    target = fields.String(required=True, validate=validate.Length(min=12, max=30))
    amount = Fen(required=True, positive=True)


class AdjustInSchema(Idempotent):
    points = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class DebitInSchema(Located, CardRef):
    amount = Fen(required=True, positive=True)
    pin = fields.String(load_default=None, validate=validate.Length(max=20))


class CreditInSchema(Located, CardRef):
    kind = fields.String(required=True, validate=validate.OneOf(["top_up", "refund"]))
    amount = Fen(required=True, positive=True)
    original_document = fields.String(load_default=None, validate=_doc)

    @validates_schema
    def _refund_names_spend(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("kind") == "refund" and not data.get("original_document"):
            raise ValidationError("a refund names the spend it returns", "original_document")


class SvAnswerSchema(Schema):
    card = fields.String()
    entries = fields.List(fields.Dict())
    balance = fields.Dict()


class EarnLineSchema(Schema):
    line_id = fields.String(required=True, validate=_doc)
    category = fields.String(required=True, validate=_code)
    amount = Fen(required=True, validate=validate.Range(min=0))


class EarnInSchema(Located, CardRef):
    lines = fields.List(
        fields.Nested(EarnLineSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class RedeemPointsInSchema(Located, CardRef):
    amount = Fen(required=True, positive=True)


class ReturnedLineSchema(Schema):
    line_id = fields.String(required=True, validate=_doc)
    amount = Fen(required=True, positive=True)


class ReverseInSchema(Located):
    sale_document = fields.String(required=True, validate=_doc)
    lines = fields.List(
        fields.Nested(ReturnedLineSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class CouponBatchInSchema(Idempotent):
    kind = fields.String(
        required=True, validate=validate.OneOf(["amount_off", "percent_off", "free_item"])
    )
    value = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    cap = Fen(load_default=0, validate=validate.Range(min=0))
    min_spend = Fen(load_default=0, validate=validate.Range(min=0))
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    count = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10_000))
    stores = fields.List(fields.String(validate=_code), load_default=list)
    member_id = fields.String(load_default=None, allow_none=True, validate=_doc)
    item_code = fields.String(load_default=None, allow_none=True, validate=_code)


class CouponBatchOutSchema(Schema):
    batch = fields.Integer()
    key_id = fields.Integer()
    codes = fields.List(fields.String())


class CouponRedeemInSchema(Located):
    code = fields.String(required=True, validate=validate.Length(min=3, max=400))
    member_id = fields.String(load_default=None, allow_none=True, validate=_doc)
    spend = Fen(load_default=None, allow_none=True, validate=validate.Range(min=0))
    item_price = Fen(load_default=0, validate=validate.Range(min=0))


class CouponRedeemedSchema(Schema):
    coupon = fields.String()
    kind = fields.String()
    value = fields.Integer()
    discount = fields.Integer()
    item_code = fields.String(allow_none=True)


class SettlementQuerySchema(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["end"] < data["start"]:
            raise ValidationError("end is before start", "end")


class StoreSettlementSchema(Schema):
    store = fields.String()
    issued = fields.Integer()
    redeemed = fields.Integer()
    net = fields.Integer()
    bonus_redeemed = fields.Integer()


class StatementQuerySchema(Schema):
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=2000))
