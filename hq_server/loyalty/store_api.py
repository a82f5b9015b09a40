"""The endpoints a store calls online during a sale, signed with the store's key.

Debit and credit of stored value, points earn/redeem/reverse, coupon redemption and member
lookup (mobile masked). The store is the signer; a till named in the body must be its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import Blueprint, g, jsonify
from marshmallow import Schema
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


#: A signed store call's work: the session, the loaded body, where the call happened.
StoreWork = Callable[[Session, dict[str, Any], Origin], dict[str, Any]]


def signed_mutation(
    bp: Blueprint,
    calls: Calls,
    signed: SignedRequests,
    rule: str,
    summary: str,
    body: type[Schema],
    operation: str | Callable[[dict[str, Any]], str],
    work: StoreWork,
    response: type[Schema] | None = None,
) -> None:
    """Register `POST rule`: signed by a store, its body loaded, run once per idempotency key."""

    @doc(summary, body=body, response=response, security="signed")
    @signed.required
    def view() -> Any:
        data = load(body())
        origin = store_origin(data)
        name = operation(data) if callable(operation) else operation
        return calls.store_once(name, data, lambda session: work(session, data, origin))

    view.__name__ = rule.strip("/").replace("/", "_")
    bp.add_url_rule(rule, view_func=view, methods=["POST"])


def store_views(bp: Blueprint, calls: Calls, signed: SignedRequests) -> None:
    """Register the signed store endpoints under /store on the loyalty blueprint."""
    rules = calls.rules

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

    def mutation(
        rule: str,
        summary: str,
        body: type[Schema],
        operation: str | Callable[[dict[str, Any]], str],
        work: StoreWork,
        response: type[Schema] | None = None,
    ) -> None:
        signed_mutation(bp, calls, signed, rule, summary, body, operation, work, response)

    mutation(
        "/store/sv/debit",
        "Debit stored value as a tender",
        s.DebitInSchema,
        "sv.debit",
        lambda session, data, origin: stored_value.debit(
            session,
            rules,
            data["amount"],
            origin,
            number=data["card"],
            uid=data["card_uid"],
            pin=data["pin"],
        ),
        s.SvAnswerSchema,
    )

    def credit(session: Session, data: dict[str, Any], origin: Origin) -> dict[str, Any]:
        card = {"number": data["card"], "uid": data["card_uid"]}
        if data["kind"] == "top_up":
            return stored_value.top_up(session, rules, data["amount"], origin, **card)
        return stored_value.refund_to_card(
            session, rules, data["amount"], data["original_document"], origin, **card
        )

    mutation(
        "/store/sv/credit",
        "Credit stored value: a top-up, or a refund of a card spend",
        s.CreditInSchema,
        lambda data: f"sv.{data['kind']}",
        credit,
        s.SvAnswerSchema,
    )
    mutation(
        "/store/points/earn",
        "Earn points for a sale (pending for the return window)",
        s.EarnInSchema,
        "points.earn",
        lambda session, data, origin: points.earn(
            session,
            rules,
            [EarnLine(x["line_id"], x["category"], x["amount"]) for x in data["lines"]],
            origin,
            number=data["card"],
            uid=data["card_uid"],
        ),
    )
    mutation(
        "/store/points/redeem",
        "Pay with points, soonest-expiring first",
        s.RedeemPointsInSchema,
        "points.redeem",
        lambda session, data, origin: points.redeem(
            session, rules, data["amount"], origin, number=data["card"], uid=data["card_uid"]
        ),
    )

    def reverse(session: Session, data: dict[str, Any], origin: Origin) -> dict[str, Any]:
        returned: dict[str, int] = {}
        for line in data["lines"]:
            returned[line["line_id"]] = returned.get(line["line_id"], 0) + line["amount"]
        return points.reverse_on_return(session, data["sale_document"], returned, origin)

    mutation(
        "/store/points/reverse",
        "Take back the points a returned sale earned, in proportion",
        s.ReverseInSchema,
        "points.reverse",
        reverse,
    )
    mutation(
        "/store/coupons/redeem",
        "Redeem a coupon exactly once chain-wide",
        s.CouponRedeemInSchema,
        "coupon.redeem",
        lambda session, data, origin: coupons.redeem(
            session,
            data["code"],
            origin,
            member_id=data["member_id"],
            spend=data["spend"],
            item_price=data["item_price"],
        ),
        s.CouponRedeemedSchema,
    )
