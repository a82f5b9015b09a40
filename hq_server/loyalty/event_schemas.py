"""Schemas of the enrolment, referral and tier-review endpoints (marshmallow at the edge)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from chainpos.schemas import Fen
from hq_server.loyalty.schemas import CardInSchema

_doc = validate.Length(min=1, max=64)


class EnrolledCardInSchema(CardInSchema):
    """A card; with `purchase_document` and `fee_paid`, a first card under enrolment rules."""

    purchase_document = fields.String(load_default=None, allow_none=True, validate=_doc)
    fee_paid = Fen(load_default=None, allow_none=True, validate=validate.Range(min=0))

    @validates_schema
    def _both(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("purchase_document") is None) != (data.get("fee_paid") is None):
            raise ValidationError(
                "give purchase_document and fee_paid together (fee_paid 0 when none)",
                "fee_paid" if data.get("fee_paid") is None else "purchase_document",
            )
        if data.get("purchase_document") is not None and data.get("parent_card") is not None:
            raise ValidationError("a child card is not an enrolment", "parent_card")


class EnrolmentOutSchema(Schema):
    member_id = fields.String()
    card_id = fields.String()
    rule = fields.String()
    threshold = fields.Integer()
    fee = fields.Integer()
    spend = fields.Integer()
    document = fields.String()
    referrer_id = fields.String(allow_none=True)
    store = fields.String(allow_none=True)
    business_day = fields.String()


class TierReviewInSchema(Schema):
    """The period to review, by its last day; the period is the idempotency key."""

    period_end = fields.Date(required=True)


class TierReviewOutSchema(Schema):
    period = fields.String()
    policy = fields.String()
    reviewed = fields.Integer()
    changed = fields.Integer()
    finished = fields.Boolean()
    already_done = fields.Boolean()


class TierMoveSchema(Schema):
    from_ = fields.String(data_key="from")
    to = fields.String()
    reason = fields.String()
    period = fields.String(allow_none=True)
    rolling_spend = fields.Integer()
    document = fields.String(allow_none=True)
    at = fields.String()


class TierHistoryOutSchema(Schema):
    member_id = fields.String()
    tier = fields.String()
    history = fields.List(fields.Nested(TierMoveSchema))


class ReferralRewardSchema(Schema):
    key = fields.String()
    rule_id = fields.String()
    trigger = fields.String()
    referrer_id = fields.String()
    referred_id = fields.String()
    points = fields.Integer()
    bonus = fields.Integer()
    status = fields.String()
    card_id = fields.String(allow_none=True)
    document = fields.String()
    store = fields.String(allow_none=True)
    business_day = fields.String()


class ReferralRewardsOutSchema(Schema):
    member_id = fields.String()
    earned = fields.List(fields.Nested(ReferralRewardSchema))
    paid_for = fields.List(fields.Nested(ReferralRewardSchema))
