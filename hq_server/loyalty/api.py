"""The loyalty API under /api/v1/loyalty: staff endpoints and signed store endpoints.

Staff endpoints take a bearer token; the endpoints a store calls online during a sale
(debit, credit, points, coupons, member lookup) live under /api/v1/loyalty/store and are
signed by the store. Every mutating call carries an `idempotency_key`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, g, jsonify
from sqlalchemy.orm import Session, sessionmaker

from chainpos.auth import SignedRequests, require_staff
from chainpos.db import unit_of_work
from chainpos.web import doc, load, load_query
from hq_server.loyalty import cards, coupons, ledger, members, pins, points, stored_value
from hq_server.loyalty import event_schemas as es
from hq_server.loyalty import schemas as s
from hq_server.loyalty.enrolment import issue_for_purchase
from hq_server.loyalty.errors import to_app_error
from hq_server.loyalty.events_api import event_views
from hq_server.loyalty.gifts_api import gift_views
from hq_server.loyalty.idempotency import run_once
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings, chain_today
from hq_server.loyalty.settlement import Period, settlement
from hq_server.loyalty.store_api import store_views
from loyalty.cards import CardEvent
from loyalty.errors import LoyaltyError

ADMIN = "admin"
SUPERVISORS = ("supervisor", "admin")
Work = Callable[[Session], dict[str, Any]]


class Calls:
    """What every view does around its one service call: idempotency and origin."""

    def __init__(self, factory: sessionmaker[Session], rules: LoyaltySettings):
        self.factory = factory
        self.rules = rules

    def once(
        self, scope: str, operation: str, data: dict[str, Any], work: Work, status: int = 200
    ) -> Any:
        answer, code = run_once(
            self.factory,
            scope=scope,
            key=data["idempotency_key"],
            operation=operation,
            request=data,
            work=work,
            status=status,
        )
        return jsonify(answer), code

    def staff_once(
        self, operation: str, data: dict[str, Any], work: Work, status: int = 200
    ) -> Any:
        return self.once("hq", operation, data, work, status)

    def store_once(self, operation: str, data: dict[str, Any], work: Work) -> Any:
        return self.once(f"store:{g.caller}", operation, data, work)

    def find(self, query: dict[str, Any], *, masked: bool) -> Any:
        with unit_of_work(self.factory) as session:
            return members.find(
                session,
                mobile=query.get("mobile"),
                card=query.get("card"),
                uid=query.get("card_uid"),
                qr=query.get("qr"),
                masked=masked,
            )


def loyalty_blueprint(
    factory: sessionmaker[Session], signed: SignedRequests, settings: LoyaltySettings | None = None
) -> Blueprint:
    """The loyalty endpoints; register on HQ's app next to the sync blueprint."""
    bp = Blueprint("loyalty", __name__, url_prefix="/api/v1/loyalty")
    bp.register_error_handler(LoyaltyError, _refusal)
    calls = Calls(factory, settings or LoyaltySettings.from_env())
    _staff_views(bp, calls)
    event_views(bp, calls)
    gift_views(bp, calls, signed)
    store_views(bp, calls, signed)
    return bp


def _staff_origin(data: dict[str, Any], store: str | None = None) -> Origin:
    """An HQ staff operation: its idempotency key names it, today's chain business day."""
    return Origin(
        document=f"hq:{data['idempotency_key']}",
        business_day=chain_today(),
        store=store,
        staff=g.staff_code,
    )


def _staff_views(bp: Blueprint, calls: Calls) -> None:
    factory, rules, staff_once = calls.factory, calls.rules, calls.staff_once
    staff_origin = _staff_origin

    # --- members (staff) --------------------------------------------------------------

    @bp.post("/members")
    @doc("Register a member", body=s.MemberInSchema, response=s.MemberOutSchema, security="bearer")
    @require_staff()
    def register_member() -> Any:
        data = load(s.MemberInSchema())
        fields = {k: v for k, v in data.items() if k != "idempotency_key"}
        return staff_once(
            "member.register",
            data,
            lambda session: members.register(session, rules, today=chain_today(), **fields),
            201,
        )

    @bp.get("/members")
    @doc(
        "Find a member by mobile, card number, IC UID or member QR",
        query=s.MemberQuerySchema,
        response=s.MemberFoundSchema,
        security="bearer",
    )
    @require_staff()
    def find_member() -> Any:
        return jsonify(calls.find(load_query(s.MemberQuerySchema()), masked=False))

    @bp.get("/members/<member_id>/duplicates")
    @doc(
        "Members that look like this one (same mobile, or same name and birthday)",
        security="bearer",
    )
    @require_staff()
    def member_duplicates(member_id: str) -> Any:
        with unit_of_work(factory) as session:
            return jsonify({"duplicates": members.duplicates_of(session, member_id)})

    @bp.post("/members/<member_id>/merge")
    @doc(
        "Merge a duplicate member into this one (cards, accounts and history move)",
        body=s.MergeInSchema,
        response=s.MemberOutSchema,
        security="bearer",
    )
    @require_staff(*SUPERVISORS)
    def merge_members(member_id: str) -> Any:
        data = load(s.MergeInSchema())
        return staff_once(
            "member.merge",
            {**data, "survivor": member_id},
            lambda session: members.merge(
                session, rules, member_id, data["absorbed"], g.staff_code
            ),
        )

    # --- cards (staff) ----------------------------------------------------------------

    @bp.post("/cards")
    @doc(
        "Issue a card (IC, printed or virtual; a child card with parent_card; a member's "
        "first card against purchase_document and fee_paid under the enrolment rules)",
        body=es.EnrolledCardInSchema,
        response=s.CardOutSchema,
        security="bearer",
    )
    @require_staff()
    def issue_card() -> Any:
        data = load(es.EnrolledCardInSchema())
        if data["purchase_document"] is not None:
            return staff_once(
                "card.issue",
                data,
                lambda session: issue_for_purchase(
                    session,
                    rules,
                    staff_origin(data),
                    member_id=data["member_id"],
                    purchase_document=data["purchase_document"],
                    fee_paid=data["fee_paid"],
                    medium=data["medium"],
                    number=data["number"],
                    uid=data["uid"],
                    activate=data["activate"],
                ),
                201,
            )
        return staff_once(
            "card.issue",
            {k: v for k, v in data.items() if k not in ("purchase_document", "fee_paid")},
            lambda session: cards.issue_card(
                session,
                rules,
                medium=data["medium"],
                member_id=data["member_id"],
                number=data["number"],
                uid=data["uid"],
                parent_number=data["parent_card"],
                activate=data["activate"],
            ),
            201,
        )

    @bp.get("/cards/<number>")
    @doc("A card with its balances and PIN status", response=s.CardOutSchema, security="bearer")
    @require_staff()
    def card_details(number: str) -> Any:
        with unit_of_work(factory) as session:
            return jsonify(cards.card_details(session, number))

    def lifecycle(event: CardEvent, summary: str) -> None:
        def view(number: str) -> Any:
            data = load(s.Idempotent())
            return staff_once(
                f"card.{event.value}",
                {**data, "card": number},
                lambda session: cards.change_state(session, number, event),
            )

        view.__name__ = f"card_{event.value}"
        wrapped = require_staff()(view)
        bp.post(f"/cards/<number>/{event.value}")(
            doc(summary, body=s.Idempotent, response=s.CardOutSchema, security="bearer")(wrapped)
        )

    lifecycle(CardEvent.ACTIVATE, "Activate an issued card")
    lifecycle(CardEvent.FREEZE, "Report a card lost: freeze it and put it on the hot list")
    lifecycle(CardEvent.UNFREEZE, "Unfreeze a card found again: off the hot list")

    @bp.post("/cards/<number>/replace")
    @doc(
        "Replace a card: balance, points, PIN and children move to the new card",
        body=s.ReplaceInSchema,
        security="bearer",
    )
    @require_staff()
    def replace_card(number: str) -> Any:
        data = load(s.ReplaceInSchema())
        return staff_once(
            "card.replace",
            {**data, "card": number},
            lambda session: cards.replace_card(
                session,
                rules,
                number,
                medium=data["medium"],
                new_number=data["number"],
                uid=data["uid"],
            ),
        )

    @bp.post("/cards/<number>/cancel")
    @doc(
        "Cancel a card: principal refunded, bonus forfeited, children cancelled",
        body=s.CancelInSchema,
        security="bearer",
    )
    @require_staff(*SUPERVISORS)
    def cancel_card(number: str) -> Any:
        data = load(s.CancelInSchema())
        return staff_once(
            "card.cancel",
            {**data, "card": number},
            lambda session: cards.cancel_card(session, number, staff_origin(data, data["store"])),
        )

    @bp.post("/cards/<number>/pin")
    @doc("Set or reset a card's PIN (clears a lockout)", body=s.PinSetSchema, security="bearer")
    @require_staff()
    def set_pin(number: str) -> Any:
        data = load(s.PinSetSchema())
        return staff_once(
            "card.pin.set",
            {**data, "card": number},
            lambda session: pins.set_card_pin(session, rules, number, data["pin"], g.staff_code),
        )

    @bp.post("/cards/<number>/pin/change")
    @doc(
        "Change a card's PIN with the old one (a wrong old PIN counts as a try)",
        body=s.PinChangeSchema,
        security="bearer",
    )
    @require_staff()
    def change_pin(number: str) -> Any:
        data = load(s.PinChangeSchema())
        return staff_once(
            "card.pin.change",
            {**data, "card": number},
            lambda session: pins.change_card_pin(
                session, rules, number, data["old_pin"], data["new_pin"]
            ),
        )

    # --- stored value and points (staff) ----------------------------------------------

    @bp.get("/cards/<number>/statement")
    @doc(
        "Every stored-value entry of the card's account with store, till, staff, document",
        query=s.StatementQuerySchema,
        security="bearer",
    )
    @require_staff()
    def statement(number: str) -> Any:
        query = load_query(s.StatementQuerySchema())
        with unit_of_work(factory) as session:
            return jsonify(stored_value.statement(session, number, query["limit"]))

    @bp.post("/cards/<number>/transfer")
    @doc(
        "Move principal to another card of the same member",
        body=s.TransferInSchema,
        security="bearer",
    )
    @require_staff()
    def transfer(number: str) -> Any:
        data = load(s.TransferInSchema())
        return staff_once(
            "sv.transfer",
            {**data, "card": number},
            lambda session: stored_value.transfer(
                session, rules, number, data["target"], data["amount"], staff_origin(data)
            ),
        )

    @bp.post("/cards/<number>/points/adjust")
    @doc("Adjust points by hand with a reason (audited)", body=s.AdjustInSchema, security="bearer")
    @require_staff(*SUPERVISORS)
    def adjust_points(number: str) -> Any:
        data = load(s.AdjustInSchema())
        return staff_once(
            "points.adjust",
            {**data, "card": number},
            lambda session: points.adjust(
                session, rules, number, data["points"], data["reason"], staff_origin(data)
            ),
        )

    @bp.get("/cards/<number>/points")
    @doc("Available, pending and soon-expiring points of a card", security="bearer")
    @require_staff()
    def points_balance(number: str) -> Any:
        with unit_of_work(factory) as session:
            card = ledger.find_card(session, number=number)
            return jsonify(points.points_payload(session, card.account_id, chain_today()))

    # --- coupons and settlement (staff) -----------------------------------------------

    @bp.post("/coupons/batches")
    @doc(
        "Issue a batch of single-use coupon codes signed with HQ's key",
        body=s.CouponBatchInSchema,
        response=s.CouponBatchOutSchema,
        security="bearer",
    )
    @require_staff(ADMIN)
    def issue_coupons() -> Any:
        data = load(s.CouponBatchInSchema())
        fields = {k: v for k, v in data.items() if k != "idempotency_key"}
        return staff_once(
            "coupon.batch",
            data,
            lambda session: coupons.issue(session, staff=g.staff_code, **fields),
            201,
        )

    @bp.get("/settlement")
    @doc(
        "Stored value per store for a period: issued, redeemed, net",
        query=s.SettlementQuerySchema,
        response=s.StoreSettlementSchema,
        many=True,
        security="bearer",
    )
    @require_staff()
    def settlement_report() -> Any:
        query = load_query(s.SettlementQuerySchema())
        with unit_of_work(factory) as session:
            rows = settlement(session, Period(query["start"], query["end"]))
        return jsonify(rows)


def _refusal(err: LoyaltyError) -> Any:
    app_error = to_app_error(err)
    return jsonify(app_error.to_dict()), app_error.status
