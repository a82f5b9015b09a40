"""The endpoints a store calls online during a sale, signed with the store's key.

Debit and credit of stored value, points earn/redeem/reverse, coupon redemption and member
lookup (mobile masked). The store is the signer; a till named in the body must be its own.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from flask import Blueprint, g, jsonify
from sqlalchemy.orm import Session

from chainpos.auth import SignedRequests
from chainpos.errors import ValidationFailed
from chainpos.web import doc, load, load_query
from hq_server.loyalty import coupons, points, stored_value
from hq_server.loyalty import schemas as s
from hq_server.loyalty.origin import Origin
from loyalty.points_earn import EarnLine

if TYPE_CHECKING:
    from hq_server.loyalty.api import Calls


def store_origin(data: dict[str, Any]) -> Origin:
    """Where a store's call happened: the signing store, its till, the store's business day."""
    store: str = g.caller
    till = data.get("till")
    if till is not None and not till.startswith(f"{store}-"):
        raise ValidationFailed("the till is not one of this store's", {"till": "foreign"})
    business_day: date = data["business_day"]
    return Origin(data["document"], business_day, store, till, data.get("staff"))


def store_views(bp: Blueprint, calls: Calls, signed: SignedRequests) -> None:
    """Register the signed store endpoints under /store on the loyalty blueprint."""
    rules, store_once = calls.rules, calls.store_once

    @bp.get("/store/members")
    @doc(
        "Look a member up for a sale (mobile masked)",
        query=s.MemberQuerySchema,
        response=s.MemberFoundSchema,
        security="signed",
    )
    @signed.required
    def store_find_member() -> Any:
        return jsonify(calls.find(load_query(s.MemberQuerySchema()), masked=True))

    @bp.post("/store/sv/debit")
    @doc(
        "Debit stored value as a tender",
        body=s.DebitInSchema,
        response=s.SvAnswerSchema,
        security="signed",
    )
    @signed.required
    def store_debit() -> Any:
        data = load(s.DebitInSchema())
        origin = store_origin(data)
        return store_once(
            "sv.debit",
            data,
            lambda session: stored_value.debit(
                session,
                rules,
                data["amount"],
                origin,
                number=data["card"],
                uid=data["card_uid"],
                pin=data["pin"],
            ),
        )

    @bp.post("/store/sv/credit")
    @doc(
        "Credit stored value: a top-up, or a refund of a card spend",
        body=s.CreditInSchema,
        response=s.SvAnswerSchema,
        security="signed",
    )
    @signed.required
    def store_credit() -> Any:
        data = load(s.CreditInSchema())
        origin = store_origin(data)

        def work(session: Session) -> dict[str, Any]:
            if data["kind"] == "top_up":
                return stored_value.top_up(
                    session,
                    rules,
                    data["amount"],
                    origin,
                    number=data["card"],
                    uid=data["card_uid"],
                )
            return stored_value.refund_to_card(
                session,
                rules,
                data["amount"],
                data["original_document"],
                origin,
                number=data["card"],
                uid=data["card_uid"],
            )

        return store_once(f"sv.{data['kind']}", data, work)

    @bp.post("/store/points/earn")
    @doc(
        "Earn points for a sale (pending for the return window)",
        body=s.EarnInSchema,
        security="signed",
    )
    @signed.required
    def store_earn() -> Any:
        data = load(s.EarnInSchema())
        origin = store_origin(data)
        lines = [EarnLine(x["line_id"], x["category"], x["amount"]) for x in data["lines"]]
        return store_once(
            "points.earn",
            data,
            lambda session: points.earn(
                session, rules, lines, origin, number=data["card"], uid=data["card_uid"]
            ),
        )

    @bp.post("/store/points/redeem")
    @doc("Pay with points, soonest-expiring first", body=s.RedeemPointsInSchema, security="signed")
    @signed.required
    def store_redeem_points() -> Any:
        data = load(s.RedeemPointsInSchema())
        origin = store_origin(data)
        return store_once(
            "points.redeem",
            data,
            lambda session: points.redeem(
                session,
                rules,
                data["amount"],
                origin,
                number=data["card"],
                uid=data["card_uid"],
            ),
        )

    @bp.post("/store/points/reverse")
    @doc(
        "Take back the points a returned sale earned, in proportion",
        body=s.ReverseInSchema,
        security="signed",
    )
    @signed.required
    def store_reverse_points() -> Any:
        data = load(s.ReverseInSchema())
        origin = store_origin(data)
        returned: dict[str, int] = {}
        for line in data["lines"]:
            returned[line["line_id"]] = returned.get(line["line_id"], 0) + line["amount"]
        return store_once(
            "points.reverse",
            data,
            lambda session: points.reverse_on_return(
                session, data["sale_document"], returned, origin
            ),
        )

    @bp.post("/store/coupons/redeem")
    @doc(
        "Redeem a coupon exactly once chain-wide",
        body=s.CouponRedeemInSchema,
        response=s.CouponRedeemedSchema,
        security="signed",
    )
    @signed.required
    def store_redeem_coupon() -> Any:
        data = load(s.CouponRedeemInSchema())
        origin = store_origin(data)
        return store_once(
            "coupon.redeem",
            data,
            lambda session: coupons.redeem(
                session,
                data["code"],
                origin,
                member_id=data["member_id"],
                spend=data["spend"],
                item_price=data["item_price"],
            ),
        )
