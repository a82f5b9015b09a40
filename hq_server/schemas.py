"""HQ's request and response schemas (marshmallow lives at the edge only)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from chainpos.schemas import AwareDateTime, Fen, check_barcode, check_timezone
from hq_server.organisation import ROLES

_code = validate.Length(min=1, max=32)
_name = validate.Length(min=1, max=200)


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=_code)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(Schema):
    token = fields.String()
    role = fields.String()


class CategorySchema(Schema):
    code = fields.String(required=True, validate=_code)
    name_zh = fields.String(required=True, validate=_name)
    name_en = fields.String(required=True, validate=_name)
    tax_rate_bp = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=10_000)
    )


class BrandSchema(Schema):
    code = fields.String(required=True, validate=_code)
    name_zh = fields.String(required=True, validate=_name)
    name_en = fields.String(required=True, validate=_name)


class ProductInSchema(Schema):
    sku = fields.String(required=True, validate=_code)
    name_zh = fields.String(required=True, validate=_name)
    name_en = fields.String(required=True, validate=_name)
    category_code = fields.String(required=True, validate=_code)
    brand_code = fields.String(load_default=None, allow_none=True, validate=_code)
    unit = fields.String(load_default="件", validate=validate.Length(min=1, max=16))
    weighed = fields.Boolean(load_default=False)
    barcodes = fields.List(
        fields.String(validate=check_barcode),
        required=True,
        validate=validate.Length(min=1, max=20),
    )
    price = Fen(required=True, positive=True)
    effective_from = AwareDateTime(load_default=None)


class ProductBatchSchema(Schema):
    products = fields.List(
        fields.Nested(ProductInSchema), required=True, validate=validate.Length(min=1, max=10_000)
    )


class ProductPatchSchema(Schema):
    name_zh = fields.String(validate=_name)
    name_en = fields.String(validate=_name)
    category_code = fields.String(validate=_code)
    brand_code = fields.String(allow_none=True, validate=_code)
    unit = fields.String(validate=validate.Length(min=1, max=16))
    active = fields.Boolean()
    barcodes = fields.List(
        fields.String(validate=check_barcode), validate=validate.Length(min=1, max=20)
    )


class ProductOutSchema(Schema):
    sku = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    category_code = fields.String()
    brand_code = fields.String(allow_none=True)
    unit = fields.String()
    weighed = fields.Boolean()
    active = fields.Boolean()
    barcodes = fields.List(fields.String())
    prices = fields.List(fields.Dict())


class ProductQuerySchema(Schema):
    barcode = fields.String(validate=validate.Length(min=1, max=32))
    q = fields.String(validate=validate.Length(min=1, max=100))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class PriceInSchema(Schema):
    sku = fields.String(required=True, validate=_code)
    price = Fen(required=True, positive=True)
    store = fields.String(load_default=None, allow_none=True, validate=_code)
    effective_from = AwareDateTime(load_default=None)


class PriceOutSchema(Schema):
    id = fields.String()
    sku = fields.String()
    price = fields.Integer()
    store = fields.String(allow_none=True)
    effective_from = fields.String()


class StoreInSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9]{2,16}$"))
    name = fields.String(required=True, validate=_name)
    timezone = fields.String(load_default="Asia/Shanghai", validate=check_timezone)
    region = fields.String(load_default=None, allow_none=True, validate=_code)
    cash_rounding_step = fields.Integer(
        load_default=1, strict=True, validate=validate.OneOf([1, 10, 50, 100])
    )


class CredentialsSchema(Schema):
    key_id = fields.String()
    secret = fields.String()


class TillInSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9]{2,16}-[A-Z0-9]{2,8}$"))


class StaffInSchema(Schema):
    code = fields.String(required=True, validate=_code)
    name = fields.String(required=True, validate=_name)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    pin = fields.String(load_default=None, validate=validate.Regexp(r"^\d{4,8}$"))
    password = fields.String(load_default=None, validate=validate.Length(min=8, max=200))
    store = fields.String(load_default=None, allow_none=True, validate=_code)


class SalesReportQuerySchema(Schema):
    business_day = fields.Date(required=True)


class StoreSalesSchema(Schema):
    store = fields.String()
    sales = fields.Integer()
    total = fields.Integer(metadata={"description": "fen, sales of the day"})
    returns = fields.Integer()
    refunded = fields.Integer(metadata={"description": "fen, returns taken that day"})
    net = fields.Integer(metadata={"description": "fen, total less refunded"})


class StockQuerySchema(Schema):
    barcode = fields.String(required=True, validate=validate.Length(min=1, max=32))
