"""The till's loyalty endpoints: top-ups, balance checks, gifts for points (via the store)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema
from sqlalchemy.orm import Session, sessionmaker

from chainpos.auth import require_staff
from chainpos.db import unit_of_work
from chainpos.schemas import Fen
from chainpos.web import doc, load, load_query
from pos_terminal import gifts, top_ups
from pos_terminal.api import _print_and_open_drawer, store_client
from pos_terminal.schemas import MAX_TENDER

bp = Blueprint("till_loyalty", __name__, url_prefix="/api/v1/loyalty")

_money = validate.Range(min=1, max=MAX_TENDER, error=f"must be 1..{MAX_TENDER}")
_card = validate.Length(min=12, max=30)


class TopUpTenderSchema(Schema):
    method = fields.String(
        required=True, validate=validate.OneOf([*top_ups.TOP_UP_METHODS, "wallet"])
    )
    amount = Fen(required=True, validate=_money)
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))

    @post_load
    def _wallet(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        # "wallet" is what the cashier page says; the journal's tender method is mobile_wallet.
        if data["method"] == "wallet":
            data["method"] = "mobile_wallet"
        return data


class TopUpInSchema(Schema):
    top_up_id = fields.UUID(required=True)
    card = fields.String(required=True, validate=_card)
    amount = Fen(required=True, validate=_money)
    tenders = fields.List(
        fields.Nested(TopUpTenderSchema), required=True, validate=validate.Length(min=1, max=10)
    )


class TopUpOutSchema(Schema):
    top_up_id = fields.String()
    receipt_no = fields.String()
    card = fields.String()
    amount = fields.Integer(metadata={"description": "principal credited (fen)"})
    bonus = fields.Integer(metadata={"description": "bonus HQ added (fen)"})
    reference = fields.String(metadata={"description": "HQ's entry: SV:<entry id>"})
    tenders = fields.List(fields.Dict())
    change = fields.Integer()
    cash_in = fields.Integer(metadata={"description": "cash kept in the drawer"})
    balance = fields.Dict(metadata={"description": "principal, bonus, total after"})
    doc_id = fields.String()
    business_day = fields.String()
    receipt_text = fields.String()


class MemberQuerySchema(Schema):
    card = fields.String(validate=_card)
    mobile = fields.String(validate=validate.Length(min=1, max=30))
    card_uid = fields.String(validate=validate.Length(min=8, max=40))
    qr = fields.String(validate=validate.Length(min=3, max=60))

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if len(data) != 1:
            raise ValidationError("give exactly one of card, mobile, card_uid, qr", "query")


class BalanceSchema(Schema):
    principal = fields.Integer(allow_none=True)
    bonus = fields.Integer(allow_none=True)
    total = fields.Integer(allow_none=True)


class CardBalancesSchema(Schema):
    number = fields.String()
    medium = fields.String()
    state = fields.String()
    parent_card = fields.String(allow_none=True)
    balance = fields.Nested(BalanceSchema)
    points = fields.Integer(allow_none=True)


class MemberBalancesSchema(Schema):
    member = fields.Dict(allow_none=True, metadata={"description": "mobile masked; no e-mail"})
    cards = fields.List(fields.Nested(CardBalancesSchema))


class GiftRedeemInSchema(Schema):
    redemption_id = fields.UUID(required=True)
    card = fields.String(required=True, validate=_card)
    gift = fields.String(required=True, validate=validate.Length(min=1, max=32))
    quantity = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=100))


class GiftSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    points = fields.Integer(metadata={"description": "points per unit"})
    sku = fields.String(allow_none=True, metadata={"description": "goods from stock, if any"})


class GiftListSchema(Schema):
    gifts = fields.List(fields.Nested(GiftSchema))


class GiftRedeemedSchema(Schema):
    redemption_id = fields.String()
    receipt_no = fields.String()
    card = fields.String()
    gift = fields.Nested(GiftSchema)
    quantity = fields.Integer()
    points = fields.Integer(metadata={"description": "points used, all units together"})
    points_balance = fields.Integer(allow_none=True, metadata={"description": "points after"})
    reference = fields.String(metadata={"description": "PG:<redemption id>"})
    lines = fields.List(fields.Dict(), metadata={"description": "the goods, as stock lines"})
    doc_id = fields.String()
    business_day = fields.String()
    receipt_text = fields.String()


def _factory() -> sessionmaker[Session]:
    factory: sessionmaker[Session] = current_app.extensions["chainpos.sessions"]
    return factory


@bp.post("/top-ups")
@doc(
    "Top up a stored-value card (HQ online); the money goes into the drawer. "
    "Idempotent by top_up_id",
    body=TopUpInSchema,
    response=TopUpOutSchema,
    security="bearer",
)
@require_staff()
def top_up() -> Any:
    data = load(TopUpInSchema())
    with unit_of_work(_factory()) as session:
        result = top_ups.top_up(
            session,
            top_up_id=str(data["top_up_id"]),
            card=data["card"],
            amount=data["amount"],
            tenders=data["tenders"],
            cashier=g.staff_code,
            store_client=store_client,
        )
    worker = current_app.extensions.get("chainpos.worker")
    if worker is not None:
        worker.nudge()
    result["devices"] = _print_and_open_drawer(
        {"receipt": result["receipt"], "tenders": result["tenders"]}
    )
    return jsonify(result), 201


@bp.get("/members")
@doc(
    "Balance check: the member, tier, and each card's state, balance and points (HQ online)",
    query=MemberQuerySchema,
    response=MemberBalancesSchema,
    security="bearer",
)
@require_staff()
def balances() -> Any:
    query = load_query(MemberQuerySchema())
    return jsonify(top_ups.balance_check(store_client, query))


@bp.get("/gifts")
@doc(
    "The gifts members can take for points today (HQ online)",
    response=GiftListSchema,
    security="bearer",
)
@require_staff()
def gift_list() -> Any:
    return jsonify(gifts.gift_list(store_client))


@bp.post("/gifts/redeem")
@doc(
    "Exchange a card's points for a catalog gift (HQ online); prints a slip. "
    "Idempotent by redemption_id",
    body=GiftRedeemInSchema,
    response=GiftRedeemedSchema,
    security="bearer",
)
@require_staff()
def redeem_gift() -> Any:
    data = load(GiftRedeemInSchema())
    with unit_of_work(_factory()) as session:
        result = gifts.redeem_gift(
            session,
            redemption_id=str(data["redemption_id"]),
            card=data["card"],
            gift=data["gift"],
            quantity=data["quantity"],
            cashier=g.staff_code,
            store_client=store_client,
        )
    worker = current_app.extensions.get("chainpos.worker")
    if worker is not None:
        worker.nudge()
    result["devices"] = _print_and_open_drawer({"receipt": result["receipt"], "tenders": []})
    return jsonify(result), 201
