"""Gifts for points at the till, through a real store relay and a real HQ."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from chainpos.ids import new_id
from chainpos.sync.forwarder import Forwarder
from chainpos.sync.receiver import DocumentRejected
from hq_server.loyalty.verification import verify_ledgers
from hq_server.models import StockLevel
from pos_terminal.models import SYNC
from retail.documents import Document, points_gift_document_id
from store_server import services as store_services
from store_server.models import StockMovement, StockOnHand
from tests.factories import CASHIER, gtin
from tests.integration.hq_loyalty.conftest import ok, refused
from tests.integration.till_loyalty.conftest import LoyalTill

SKU = "MUG1"


def _catalog(till: LoyalTill, points: int = 1_000) -> str:
    """A mug (a catalog product) and a voucher (no goods) as gifts; a card with `points`."""
    hq = till.store.loyalty.hq
    hq.add_category()
    hq.add_product(SKU, [gtin(1)], 2_500)
    staff = till.store.loyalty.staff
    mug = {"code": "MUG", "name_zh": "马克杯", "name_en": "Mug", "points": 300, "sku": SKU}
    ok(staff("/gifts", mug), 201)
    ok(
        staff("/gifts", {"code": "PARK", "name_zh": "停车券", "name_en": "Parking", "points": 50}),
        201,
    )
    ok(staff("/gifts", {"code": "OLD", "name_zh": "旧", "name_en": "Old", "points": 1}), 201)
    ok(staff("/gifts/OLD/deactivate"))
    card = till.store.member_card()
    ok(staff(f"/cards/{card}/points/adjust", {"points": points, "reason": "welcome"}))
    return card


def _redeem(till: LoyalTill, card: str, gift: str = "MUG", quantity: int = 2, **extra: Any) -> Any:
    body = {"redemption_id": extra.pop("redemption_id", None) or new_id(), "card": card}
    body.update(gift=gift, quantity=quantity, **extra)
    return till.client.post("/api/v1/loyalty/gifts/redeem", json=body, headers=till.auth())


def _outbox(till: LoyalTill) -> list[dict[str, Any]]:
    with till.sessions() as session:
        return [json.loads(r.payload) for r in session.scalars(select(SYNC.outbox))]


def _points(till: LoyalTill, card: str) -> int:
    return int(till.store.loyalty.balance(card)["points"])


def test_a_gift_takes_points_at_hq_journals_the_goods_and_prints_a_slip(
    loyal_till: LoyalTill,
) -> None:
    card = _catalog(loyal_till)
    redemption_id = new_id()
    answer = ok(_redeem(loyal_till, card, redemption_id=redemption_id), 201)
    assert (answer["points"], answer["points_balance"], answer["quantity"]) == (600, 400, 2)
    assert answer["gift"] == {
        "code": "MUG",
        "name_zh": "马克杯",
        "name_en": "Mug",
        "sku": SKU,
        "points": 300,
    }
    assert answer["reference"] == f"PG:{redemption_id}"
    assert _points(loyal_till, card) == 400
    text = answer["receipt_text"]
    for shown in ("GIFT 积分兑换", f"****{card[-4:]}", "积分 Points used: 600", "马克杯 Mug"):
        assert shown in text
    assert "积分余额 Points left: 400" in text
    assert answer["receipt"]["total"] == 0 and answer["receipt"]["tenders"] == []
    [document] = _outbox(loyal_till)
    assert document["type"] == "points_gift" and document["origin_till"] == "S001-T01"
    assert document["id"] == answer["doc_id"] == points_gift_document_id(redemption_id)
    assert document["body"]["lines"] == [{"line_no": 1, "sku": SKU, "qty": 2, "stock_qty": 2}]
    assert document["body"]["receipt_no"] == answer["receipt_no"]


def test_a_retried_redemption_gets_the_first_answer_and_takes_points_once(
    loyal_till: LoyalTill,
) -> None:
    card = _catalog(loyal_till)
    redemption_id = new_id()
    first = ok(_redeem(loyal_till, card, redemption_id=redemption_id), 201)
    again = ok(_redeem(loyal_till, card, redemption_id=redemption_id), 201)
    assert again == first
    assert _points(loyal_till, card) == 400
    assert len(_outbox(loyal_till)) == 1
    other = _redeem(loyal_till, card, quantity=1, redemption_id=redemption_id)
    assert refused(other, 409, "redemption_id_reused")["fields"] == {
        "redemption_id": "already used for another redemption"
    }


def test_a_redemption_the_till_never_journaled_is_journaled_on_retry_once(
    loyal_till: LoyalTill,
) -> None:
    """HQ took the points but the till lost the answer: the retry replays the store's."""
    card = _catalog(loyal_till)
    redemption_id = new_id()
    body: dict[str, Any] = {"idempotency_key": redemption_id, "document": redemption_id}
    body.update(staff=CASHIER)
    body.update(card=card, gift="MUG", quantity=2)
    assert loyal_till.store.post("/points/gift", body).status_code == 200
    answer = ok(_redeem(loyal_till, card, redemption_id=redemption_id), 201)
    assert answer["points_balance"] == 400
    assert _points(loyal_till, card) == 400
    assert len(_outbox(loyal_till)) == 1


def test_refusals_pass_through_and_journal_nothing(loyal_till: LoyalTill) -> None:
    card = _catalog(loyal_till, points=500)
    body = refused(_redeem(loyal_till, card, quantity=2), 409, "insufficient_points")
    assert body["fields"] == {"points": "600 points needed, 500 available"}
    refused(_redeem(loyal_till, card, gift="NONE"), 404, "unknown_gift")
    refused(_redeem(loyal_till, card, gift="OLD"), 409, "gift_not_available")
    refused(_redeem(loyal_till, "8868000000099998"), 404, "unknown_card")
    ok(loyal_till.store.loyalty.staff(f"/cards/{card}/freeze"))
    refused(_redeem(loyal_till, card, quantity=1), 409, "card_frozen")
    assert _outbox(loyal_till) == []
    assert _points(loyal_till, card) == 500


def test_gifts_need_hq_online(loyal_till: LoyalTill) -> None:
    card = _catalog(loyal_till)
    loyal_till.store.hq.down = True
    body = refused(_redeem(loyal_till, card), 503, "hq_unreachable")
    assert (body["message"], body["fields"]) == ("gifts need HQ online", {"hq": "unreachable"})
    listed = loyal_till.client.get("/api/v1/loyalty/gifts", headers=loyal_till.auth())
    refused(listed, 503, "hq_unreachable")
    loyal_till.store.hq.down = False
    loyal_till.link.down = True
    refused(_redeem(loyal_till, card), 503, "store_unreachable")
    assert _outbox(loyal_till) == []
    assert loyal_till.store.authorisations() == 0
    assert _points(loyal_till, card) == 1_000


def test_bad_input_names_the_field_and_asks_nobody(loyal_till: LoyalTill) -> None:
    card = "8868000000099998"
    for change, field in (
        ({"redemption_id": "not-a-uuid"}, "redemption_id"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"quantity": 101}, "quantity"),
        ({"gift": ""}, "gift"),
        ({"card": "123"}, "card"),
    ):
        body = {"redemption_id": new_id(), "card": card, "gift": "MUG", "quantity": 1, **change}
        answer = loyal_till.client.post(
            "/api/v1/loyalty/gifts/redeem", json=body, headers=loyal_till.auth()
        )
        assert field in refused(answer, 422, "validation_failed")["fields"], change
    bad_check_digit = refused(_redeem(loyal_till, "8868000000099990"), 422, "invalid_card_number")
    assert "card" in bad_check_digit["fields"]
    assert loyal_till.client.post("/api/v1/loyalty/gifts/redeem", json={}).status_code == 401
    assert loyal_till.link.calls == 0
    assert _outbox(loyal_till) == []


def test_the_gift_list_shows_what_can_be_redeemed_today(loyal_till: LoyalTill) -> None:
    _catalog(loyal_till)
    answer = loyal_till.client.get("/api/v1/loyalty/gifts", headers=loyal_till.auth())
    assert [(g["code"], g["points"], g["sku"]) for g in ok(answer)["gifts"]] == [
        ("MUG", 300, SKU),
        ("PARK", 50, None),
    ]


def test_the_goods_leave_stock_at_the_store_and_at_hq_once_delivered(
    loyal_till: LoyalTill,
) -> None:
    store = loyal_till.store
    card = _catalog(loyal_till)
    answer = ok(_redeem(loyal_till, card), 201)
    voucher = ok(_redeem(loyal_till, card, gift="PARK", quantity=1), 201)
    assert voucher["lines"] == []
    Forwarder(loyal_till.sessions, SYNC, loyal_till.link).push_once()  # type: ignore[arg-type]
    with store.sessions() as session:
        moves = session.execute(
            select(StockMovement.sku, StockMovement.delta, StockMovement.kind)
        ).all()
        assert [tuple(m) for m in moves] == [(SKU, -2, "gift")]
        assert session.get(StockOnHand, SKU).on_hand == -2  # type: ignore[union-attr]
    statuses = store.push()
    assert statuses.count({"doc_type": "points_gift", "status": "delivered"}) == 2
    hq = store.loyalty.hq
    with hq.sessions() as session:
        level = session.get(StockLevel, ("S001", SKU))
        assert level is not None and level.on_hand == -2
        assert verify_ledgers(session) == []
    assert _points(loyal_till, card) == 350  # taken online, not again
    assert answer["doc_id"] in {d["id"] for d in store.outbox("points_gift")}


def test_the_store_rejects_a_gift_document_it_never_redeemed(loyal_till: LoyalTill) -> None:
    store = loyal_till.store
    card = _catalog(loyal_till)
    ok(_redeem(loyal_till, card), 201)
    [sent] = _outbox(loyal_till)
    body = sent["body"]
    forged_id = new_id()
    forged = {
        **sent,
        "id": points_gift_document_id(forged_id),
        "body": {**body, "redemption_id": forged_id},
    }
    more = {**sent, "body": {**body, "quantity": 3}}
    no_goods = {**sent, "body": {**body, "lines": []}}
    copy = {**sent, "id": new_id()}
    for raw, reason in (
        (forged, "redeemed no gift"),
        (more, "redeemed no gift"),
        (no_goods, "lines are not"),
        (copy, "is not the document of"),
    ):
        with store.sessions.begin() as session, pytest.raises(DocumentRejected, match=reason):
            store_services.apply_till_document(session, Document.from_dict(raw), "S001-T01")
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StockMovement)) == 0
    with store.sessions.begin() as session:
        store_services.apply_till_document(session, Document.from_dict(sent), "S001-T01")
        assert session.get(StockOnHand, SKU).on_hand == -2  # type: ignore[union-attr]
