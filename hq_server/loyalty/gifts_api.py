"""Gift catalog endpoints: staff keep the catalog and redeem at the service desk; stores
list the gifts and redeem them for their tills (signed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, g, jsonify

from chainpos.auth import SignedRequests, require_staff
from chainpos.db import unit_of_work
from chainpos.web import doc, load, load_query
from hq_server.loyalty import gifts
from hq_server.loyalty import gifts_schemas as s
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.schemas import Idempotent
from hq_server.loyalty.settings import chain_today
from hq_server.loyalty.store_api import signed_mutation

if TYPE_CHECKING:
    from hq_server.loyalty.api import Calls

SUPERVISORS = ("supervisor", "admin")


def gift_views(bp: Blueprint, calls: Calls, signed: SignedRequests) -> None:
    """Register the gift endpoints on the loyalty blueprint."""
    factory, rules, staff_once = calls.factory, calls.rules, calls.staff_once

    @bp.post("/gifts")
    @doc(
        "Add a gift to the points catalog (code unique; sku: goods from stock)",
        body=s.GiftInSchema,
        response=s.GiftOutSchema,
        security="bearer",
    )
    @require_staff(*SUPERVISORS)
    def create_gift() -> Any:
        data = load(s.GiftInSchema())
        fields = {k: v for k, v in data.items() if k != "idempotency_key"}
        return staff_once(
            "gift.create",
            data,
            lambda session: gifts.create_gift(session, staff=g.staff_code, **fields),
            201,
        )

    @bp.get("/gifts")
    @doc(
        "The gift catalog (all, by active flag, or redeemable on a day)",
        query=s.GiftQuerySchema,
        response=s.GiftListSchema,
        security="bearer",
    )
    @require_staff()
    def list_gifts() -> Any:
        query = load_query(s.GiftQuerySchema())
        with unit_of_work(factory) as session:
            return jsonify(
                gifts.list_gifts(
                    session, active=query["active"], available_on=query["available_on"]
                )
            )

    @bp.get("/gifts/<code>")
    @doc("One gift of the catalog", response=s.GiftOutSchema, security="bearer")
    @require_staff()
    def gift_details(code: str) -> Any:
        with unit_of_work(factory) as session:
            return jsonify(gifts.gift_payload(gifts.get_gift(session, code)))

    @bp.patch("/gifts/<code>")
    @doc(
        "Change a gift (names, points, sku, active, validity window)",
        body=s.GiftPatchSchema,
        response=s.GiftOutSchema,
        security="bearer",
    )
    @require_staff(*SUPERVISORS)
    def update_gift(code: str) -> Any:
        data = load(s.GiftPatchSchema())
        changes = {k: v for k, v in data.items() if k != "idempotency_key"}
        return staff_once(
            "gift.update",
            {**data, "code": code},
            lambda session: gifts.update_gift(session, code, changes, g.staff_code),
        )

    @bp.post("/gifts/<code>/deactivate")
    @doc(
        "Take a gift off the catalog (it stays for the record)",
        body=Idempotent,
        response=s.GiftOutSchema,
        security="bearer",
    )
    @require_staff(*SUPERVISORS)
    def deactivate_gift(code: str) -> Any:
        data = load(Idempotent())
        return staff_once(
            "gift.deactivate",
            {**data, "code": code},
            lambda session: gifts.deactivate_gift(session, code, g.staff_code),
        )

    @bp.post("/gifts/redeem")
    @doc(
        "Service desk: exchange a card's available points for a gift, soonest-expiring first",
        body=s.GiftRedeemInSchema,
        response=s.GiftRedeemedSchema,
        security="bearer",
    )
    @require_staff()
    def redeem_gift() -> Any:
        data = load(s.GiftRedeemInSchema())
        origin = Origin(
            document=f"hq:{data['idempotency_key']}",
            business_day=chain_today(),
            store=data["store"],
            staff=g.staff_code,
        )
        return staff_once(
            "gift.redeem",
            data,
            lambda session: gifts.redeem(
                session,
                rules,
                data["gift"],
                data["quantity"],
                origin,
                number=data["card"],
                uid=data["card_uid"],
            ),
        )

    # --- signed, for stores -------------------------------------------------------------

    @bp.get("/store/gifts")
    @doc(
        "The gifts redeemable on the store's business day",
        query=s.StoreGiftQuerySchema,
        response=s.GiftListSchema,
        security="signed",
    )
    @signed.required
    def store_list_gifts() -> Any:
        query = load_query(s.StoreGiftQuerySchema())
        with unit_of_work(factory) as session:
            return jsonify(
                gifts.list_gifts(session, available_on=query["business_day"] or chain_today())
            )

    signed_mutation(
        bp,
        calls,
        signed,
        "/store/points/gift",
        "Exchange points for a catalog gift at a till, soonest-expiring first",
        s.StoreGiftRedeemInSchema,
        "gift.redeem",
        lambda session, data, origin: gifts.redeem(
            session,
            rules,
            data["gift"],
            data["quantity"],
            origin,
            number=data["card"],
            uid=data["card_uid"],
        ),
        s.GiftRedeemedSchema,
    )
