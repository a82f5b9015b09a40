"""The till's request and response schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from chainpos.schemas import Fen
from retail.sale import MAX_QTY, TENDER_METHODS


class SignInSchema(Schema):
    staff_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    pin = fields.String(required=True, validate=validate.Regexp(r"^\d{4,8}$"))


class TokenSchema(Schema):
    token = fields.String()
    staff_code = fields.String()
    name = fields.String()
    role = fields.String()


class LineInSchema(Schema):
    barcode = fields.String(required=True, validate=validate.Length(min=1, max=32))
    qty = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=MAX_QTY, error=f"must be 1..{MAX_QTY}"),
    )


class DiscountInSchema(Schema):
    """A supervisor's onsite discount: a line (by its index) or the order, % or fen."""

    scope = fields.String(required=True, validate=validate.OneOf(["line", "order"]))
    line = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=0))
    percent = fields.Raw(load_default=None, metadata={"description": 'e.g. 10 or "12.5"'})
    amount = Fen(load_default=None, positive=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class SupervisorSchema(Schema):
    staff_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    pin = fields.String(required=True, validate=validate.Regexp(r"^\d{4,8}$"))


class MemberInSchema(Schema):
    """The member on a sale: a card number (typed, swiped or from the QR) or a mobile."""

    card = fields.String(validate=validate.Length(min=12, max=30))
    mobile = fields.String(validate=validate.Length(min=1, max=30))

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if len(data) != 1:
            raise ValidationError("give exactly one of card and mobile", "member")


class QuoteInSchema(Schema):
    member = fields.Nested(MemberInSchema, load_default=None, allow_none=True)
    coupon_codes = fields.List(
        fields.String(validate=validate.Length(min=1, max=400)),
        load_default=list,
        validate=validate.Length(max=10),
    )
    discounts = fields.List(
        fields.Nested(DiscountInSchema), load_default=list, validate=validate.Length(max=20)
    )
    supervisor = fields.Nested(SupervisorSchema, load_default=None)
    lines = fields.List(
        fields.Nested(LineInSchema), required=True, validate=validate.Length(min=1, max=500)
    )


#: No tender at a checkout lane exceeds 1,000,000 yuan; a larger figure is a typing slip.
MAX_TENDER = 100_000_000


class TenderInSchema(Schema):
    method = fields.String(required=True, validate=validate.OneOf(TENDER_METHODS))
    amount = Fen(
        required=True,
        validate=validate.Range(min=1, max=MAX_TENDER, error=f"must be 1..{MAX_TENDER} fen"),
    )
    reference = fields.String(load_default=None, validate=validate.Length(max=64))
    #: The tender's id, the idempotency key of its authorisation (default: from the sale id).
    tender_id = fields.UUID(load_default=None)
    #: Stored value and points: the card paying (default: the sale's member card).
    card = fields.String(load_default=None, validate=validate.Length(min=12, max=30))
    code = fields.String(load_default=None, validate=validate.Length(min=3, max=400))
    pin = fields.String(load_default=None, validate=validate.Regexp(r"^\d{4,12}$"))

    @validates_schema
    def _loyalty_needs(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("method") == "coupon" and not data.get("code"):
            raise ValidationError("a coupon tender needs the coupon code", "code")


class SaleInSchema(Schema):
    sale_id = fields.UUID(load_default=None)
    member = fields.Nested(MemberInSchema, load_default=None, allow_none=True)
    discounts = fields.List(
        fields.Nested(DiscountInSchema), load_default=list, validate=validate.Length(max=20)
    )
    supervisor = fields.Nested(SupervisorSchema, load_default=None)
    lines = fields.List(
        fields.Nested(LineInSchema), required=True, validate=validate.Length(min=1, max=500)
    )
    tenders = fields.List(
        fields.Nested(TenderInSchema), required=True, validate=validate.Length(min=1, max=10)
    )

    @validates_schema
    def _card_for_account_tenders(self, data: dict[str, Any], **_: Any) -> None:
        for i, tender in enumerate(data.get("tenders") or []):
            account = tender.get("method") in ("stored_value", "points")
            if account and not tender.get("card") and not data.get("member"):
                raise ValidationError(
                    {f"tenders.{i}.card": ["a card is needed: on the tender or the member"]}
                )


class SaleLineOutSchema(Schema):
    line_no = fields.Integer()
    sku = fields.String()
    name = fields.String()
    barcode = fields.String()
    qty = fields.Integer()
    qty_text = fields.String()
    weight_grams = fields.Integer(allow_none=True)
    unit_price = fields.Integer()
    amount = fields.Integer()
    tax_rate_bp = fields.Integer()


class TaxOutSchema(Schema):
    rate_bp = fields.Integer()
    tax = fields.Integer()


class QuoteOutSchema(Schema):
    lines = fields.List(fields.Nested(SaleLineOutSchema))
    total = fields.Integer()
    taxes = fields.List(fields.Nested(TaxOutSchema))


class SaleOutSchema(QuoteOutSchema):
    sale_id = fields.String()
    receipt_no = fields.String()
    business_day = fields.String()
    change = fields.Integer()
    rounding = fields.Integer()
    amount_due = fields.Integer()
    tenders = fields.List(fields.Dict())
    receipt = fields.Dict()
    receipt_text = fields.String()


class ProductQuerySchema(Schema):
    barcode = fields.String(validate=validate.Length(min=1, max=32))
    q = fields.String(validate=validate.Length(min=1, max=100))


class ProductOutSchema(Schema):
    sku = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    unit = fields.String()
    weighed = fields.Boolean()
    price = fields.Integer(allow_none=True)
    tax_rate_bp = fields.Integer()


class ReturnLineInSchema(Schema):
    line_no = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    qty = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=MAX_QTY, error=f"must be 1..{MAX_QTY}"),
        metadata={"description": "units (labels, for a weighed line) to bring back"},
    )


class ReturnInSchema(Schema):
    """Goods of an earlier sale brought back; a cashier needs a supervisor's code and PIN."""

    return_id = fields.UUID(load_default=None)
    sale = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "the sale's receipt number (or sale id)"},
    )
    lines = fields.List(
        fields.Nested(ReturnLineInSchema), required=True, validate=validate.Length(min=1, max=500)
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))
    supervisor = fields.Nested(SupervisorSchema, load_default=None)


class RefundTenderOutSchema(Schema):
    index = fields.Integer()
    method = fields.String()
    amount = fields.Integer()
    reference = fields.String(allow_none=True)
    card = fields.String(allow_none=True)


class ReturnOutSchema(Schema):
    return_id = fields.String()
    receipt_no = fields.String()
    sale_doc_id = fields.String()
    sale_receipt_no = fields.String()
    refund = fields.Integer(metadata={"description": "fen the returned units paid"})
    paid_out = fields.Integer(metadata={"description": "fen given back (refund less coupon)"})
    refund_tenders = fields.List(fields.Nested(RefundTenderOutSchema))
    lines = fields.List(fields.Dict())
    reason = fields.String()
    approved_by = fields.String()
    business_day = fields.String()
    doc_id = fields.String()
    receipt_text = fields.String()
