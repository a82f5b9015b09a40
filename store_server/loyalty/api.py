"""The store's loyalty relay under /api/v1/loyalty, signed with the till's credentials."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, g, jsonify
from marshmallow import Schema

from chainpos.auth import SignedRequests
from chainpos.web import doc, load, load_query
from store_server.loyalty import schemas as s
from store_server.loyalty import services
from store_server.loyalty.services import Answer, Relay

Use = Callable[[Relay, Mapping[str, Any], str | None], Answer]


def loyalty_relay_blueprint(relay: Relay, signed: SignedRequests) -> Blueprint:
    """Member lookup, stored value, points and coupons for the store's own tills."""
    bp = Blueprint("store_loyalty", __name__, url_prefix="/api/v1/loyalty")

    @bp.get("/members")
    @doc(
        "Identify a member by mobile, card, IC UID or QR (online), with balances",
        query=s.MemberQuerySchema,
        security="signed",
    )
    @signed.required
    def find_member() -> Any:
        return jsonify(services.lookup_member(relay, load_query(s.MemberQuerySchema())))

    @bp.get("/gifts")
    @doc("The gifts members can take for points today (HQ online only)", security="signed")
    @signed.required
    def gifts() -> Any:
        return jsonify(services.list_gifts(relay))

    def mutating(rule: str, summary: str, schema: type[Schema], use: Use, status: int) -> None:
        @doc(summary, body=schema, response=s.AuthorisedSchema, security="signed")
        @signed.required
        def view() -> Any:
            data = load(schema())
            return jsonify(use(relay, data, g.caller)), status

        view.__name__ = rule.strip("/").replace("/", "_")
        bp.add_url_rule(rule, view_func=view, methods=["POST"])

    mutating(
        "/sv/debit",
        "Pay with stored value: HQ online, else within the offline limits",
        s.DebitSchema,
        services.debit,
        200,
    )
    mutating(
        "/sv/credit",
        "Top up a card, or refund to it (HQ online); a top-up answers principal and bonus",
        s.CreditSchema,
        services.credit,
        200,
    )
    mutating(
        "/points/redeem",
        "Pay with points: HQ online, else within the offline points limits",
        s.RedeemPointsSchema,
        services.redeem_points,
        200,
    )
    mutating(
        "/coupons/redeem",
        "Redeem a coupon: verified here, redeemed at HQ or journaled for it",
        s.CouponSchema,
        services.redeem_coupon,
        200,
    )
    mutating(
        "/points/gift",
        "Exchange points for a catalog gift (HQ online only)",
        s.GiftSchema,
        services.redeem_gift,
        200,
    )
    mutating(
        "/points/earn",
        "Earn points for a sale: at HQ online, else queued as a document",
        s.EarnSchema,
        services.earn_points,
        200,
    )

    @bp.post("/tenders/release")
    @doc(
        "Give back a stored-value debit whose sale was not completed",
        body=s.ReleaseSchema,
        security="signed",
    )
    @signed.required
    def release() -> Any:
        data = load(s.ReleaseSchema())
        return jsonify(services.release(relay, data["idempotency_key"], g.caller))

    return bp
