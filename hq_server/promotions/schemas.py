"""Request and response schemas of the promotions API.

A definition itself is checked by the shared engine (`retail.promotions.from_dict`),
which names the offending field; these schemas describe it for the OpenAPI document.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from chainpos.schemas import AwareDateTime


class PromotionSchema(Schema):
    """A promotion definition (see docs/promotions.md for every kind's `rule`)."""

    format = fields.Integer(load_default=1)
    id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(metadata={"enum": ["active", "paused", "ended"]})
    stacking = fields.String(metadata={"enum": ["exclusive", "stackable"]})
    priority = fields.Integer()
    schedule = fields.Dict()
    audience = fields.Dict()
    limits = fields.Dict()
    target = fields.Dict()
    rule = fields.Dict(required=True)


class PromotionListQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(["active", "paused", "ended"]))


class PreviewLineSchema(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=32))
    qty = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100_000))


class PreviewRequestSchema(Schema):
    promotion = fields.Dict(required=True)
    lines = fields.List(
        fields.Nested(PreviewLineSchema), required=True, validate=validate.Length(min=1, max=500)
    )
    store = fields.String(required=True, validate=validate.Length(min=1, max=16))
    at = AwareDateTime(load_default=None)


class PreviewLineOutSchema(Schema):
    line_no = fields.Integer()
    sku = fields.String()
    regular_amount = fields.Integer()
    amount = fields.Integer()
    savings = fields.List(fields.Dict())


class PreviewSchema(Schema):
    lines = fields.List(fields.Nested(PreviewLineOutSchema))
    gifts = fields.List(fields.Dict())
    regular_total = fields.Integer()
    total = fields.Integer()
    saving = fields.Integer()
