"""The points gift catalog at HQ, and gifts redeemed by staff and by stores, on SQLite and
PostgreSQL: soonest-expiring lots first, only available points, refusals change nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from chainpos.ids import new_id
from hq_server.loyalty.models import GiftRedemptionRow, GiftRow, PointsEntryRow
from hq_server.loyalty.verification import verify_ledgers
from hq_server.models import StockLevel
from retail.documents import points_gift_document_id
from tests.factories import gtin, iso, utc
from tests.integration.hq_loyalty.conftest import TODAY, Loyalty, ok, refused

TILL = "S001-T01"
DAY = "2026-02-01"  # both lots below are available that day; the 2025 one expires first


def _gift(loyalty: Loyalty, code: str = "MUG", points: int = 300, **extra: Any) -> Any:
    body = {"code": code, "name_zh": "马克杯", "name_en": "Mug", "points": points, **extra}
    return loyalty.staff("/gifts", body)


def _mug_product(loyalty: Loyalty) -> str:
    loyalty.hq.add_category()
    loyalty.hq.add_product("MUG1", [gtin(1)], 2_500)
    return "MUG1"


def _card(loyalty: Loyalty, mobile: str = "13800138000") -> str:
    return str(loyalty.issue(loyalty.register(mobile)["member_id"])["number"])


def _redeem(loyalty: Loyalty, card: str, gift: str, quantity: int, **extra: Any) -> Any:
    body = {"card": card, "gift": gift, "quantity": quantity, "till": TILL, "staff": "C001"}
    return loyalty.signed("/points/gift", {**body, **extra})


def _entries(loyalty: Loyalty) -> int:
    return loyalty.count(PointsEntryRow)


def test_staff_keep_the_catalog_idempotently(loyalty: Loyalty) -> None:
    sku = _mug_product(loyalty)
    key = new_id()
    body: dict[str, Any] = {"idempotency_key": key, "code": "MUG", "name_zh": "马克杯"}
    body.update(
        name_en="Mug", points=300, sku=sku, valid_from="2026-01-01", valid_until="2026-12-31"
    )
    created = ok(loyalty.hq.post("/api/v1/loyalty/gifts", body), 201)
    assert created == {
        "code": "MUG",
        "name_zh": "马克杯",
        "name_en": "Mug",
        "points": 300,
        "sku": sku,
        "active": True,
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
    }
    assert ok(loyalty.hq.post("/api/v1/loyalty/gifts", body), 201) == created  # a retry
    assert loyalty.count(GiftRow) == 1
    ok(_gift(loyalty, "PEN", 50), 201)

    changed = ok(
        loyalty.hq.client.patch(
            "/api/v1/loyalty/gifts/MUG",
            json={"idempotency_key": new_id(), "points": 250, "valid_until": None},
            headers=loyalty.hq.auth(),
        )
    )
    assert (changed["points"], changed["valid_until"], changed["sku"]) == (250, None, sku)
    off = ok(loyalty.staff("/gifts/PEN/deactivate"))
    assert off["active"] is False
    assert ok(loyalty.get("/gifts/MUG"))["points"] == 250
    assert [g["code"] for g in ok(loyalty.get("/gifts"))["gifts"]] == ["MUG", "PEN"]
    assert [g["code"] for g in ok(loyalty.get("/gifts", active="true"))["gifts"]] == ["MUG"]
    assert ok(loyalty.get("/gifts", available_on="2025-12-31"))["gifts"] == []
    store = loyalty.hq.signed_get(loyalty.store(), "/api/v1/loyalty/store/gifts")
    assert [g["code"] for g in ok(store)["gifts"]] == ["MUG"]


def test_bad_catalog_input_is_refused_naming_the_field_and_changes_nothing(
    loyalty: Loyalty,
) -> None:
    ok(_gift(loyalty), 201)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"points": 0}, "points"),
        ({"points": -5}, "points"),
        ({"points": 1.5}, "points"),
        ({"code": "bad code!"}, "code"),
        ({"name_en": ""}, "name_en"),
        ({"valid_from": "2026-05-01", "valid_until": "2026-04-30"}, "valid_until"),
    ]
    for change, field in cases:
        body = refused(_gift(loyalty, **{"code": "NEW", **change}), 422, "validation_failed")
        assert field in body["fields"], change
    assert refused(_gift(loyalty, "NEW", sku="NOPE"), 422, "unknown_sku")["fields"] == {
        "sku": "unknown product"
    }
    assert refused(_gift(loyalty, "MUG", 10), 409, "gift_exists")["fields"] == {
        "code": "already used"
    }
    patch = loyalty.hq.client.patch(
        "/api/v1/loyalty/gifts/MUG",
        json={"idempotency_key": new_id(), "sku": "NOPE"},
        headers=loyalty.hq.auth(),
    )
    refused(patch, 422, "unknown_sku")
    refused(loyalty.staff("/gifts/NONE/deactivate"), 404, "unknown_gift")
    assert loyalty.count(GiftRow) == 1
    assert ok(loyalty.get("/gifts/MUG"))["points"] == 300


def test_a_gift_takes_points_from_the_soonest_expiring_lots_first(loyalty: Loyalty) -> None:
    ok(_gift(loyalty), 201)
    card = _card(loyalty)
    later = ok(loyalty.earn(card, [("l1", 200_000)], business_day="2026-01-10"))["lot_id"]
    sooner = ok(loyalty.earn(card, [("l1", 300_000)], business_day="2025-03-01"))["lot_id"]
    document = new_id()
    answer = ok(_redeem(loyalty, card, "MUG", 12, business_day=DAY, document=document))
    assert (answer["points"], answer["quantity"], answer["gift"]["code"]) == (3_600, 12, "MUG")
    assert answer["lots"] == [
        {"lot_id": sooner, "points": 3_000},
        {"lot_id": later, "points": 600},
    ]
    assert answer["balance"]["points"] == 1_400
    with loyalty.hq.sessions() as session:
        rows = session.execute(
            select(
                PointsEntryRow.kind,
                PointsEntryRow.reason,
                PointsEntryRow.store_code,
                PointsEntryRow.till_code,
                PointsEntryRow.staff_code,
            ).where(PointsEntryRow.document == document)
        ).all()
        assert [tuple(r) for r in rows] == [("gift", "MUG", "S001", TILL, "C001")] * 2
        [redemption] = session.scalars(select(GiftRedemptionRow))
        assert (redemption.quantity, redemption.points, redemption.store_code) == (
            12,
            3_600,
            "S001",
        )
        assert verify_ledgers(session) == []


def test_pending_points_cannot_pay_for_a_gift_and_a_refusal_changes_nothing(
    loyalty: Loyalty,
) -> None:
    ok(_gift(loyalty), 201)
    card = _card(loyalty)
    ok(loyalty.earn(card, [("l1", 100_000)]))  # 1,000 points, pending for the return window
    ok(loyalty.staff(f"/cards/{card}/points/adjust", {"points": 200, "reason": "welcome"}))
    before = (_entries(loyalty), loyalty.balance(card)["points"])
    body = refused(_redeem(loyalty, card, "MUG", 1, business_day=TODAY), 409, "insufficient_points")
    assert body["fields"] == {"points": "300 points needed, 200 available"}
    assert (_entries(loyalty), loyalty.balance(card)["points"]) == before
    assert loyalty.count(GiftRedemptionRow) == 0
    ok(loyalty.staff(f"/cards/{card}/points/adjust", {"points": 100, "reason": "welcome"}))
    assert ok(_redeem(loyalty, card, "MUG", 1, business_day=TODAY))["balance"]["points"] == 1_000
    with loyalty.hq.sessions() as session:
        assert verify_ledgers(session) == []


def test_frozen_or_unknown_cards_and_unavailable_gifts_are_refused(loyalty: Loyalty) -> None:
    ok(_gift(loyalty), 201)
    ok(_gift(loyalty, "XMAS", 100, valid_from="2026-12-20", valid_until="2026-12-26"), 201)
    ok(_gift(loyalty, "OLD", 100, active=False), 201)
    card = _card(loyalty)
    ok(loyalty.staff(f"/cards/{card}/points/adjust", {"points": 5_000, "reason": "welcome"}))
    refused(_redeem(loyalty, card, "NONE", 1), 404, "unknown_gift")
    off = refused(_redeem(loyalty, card, "OLD", 1), 409, "gift_not_available")
    assert off["fields"] == {"gift": "inactive"}
    early = _redeem(loyalty, card, "XMAS", 1, business_day="2026-12-19")
    assert refused(early, 409, "gift_not_available")["fields"] == {
        "gift": "outside its validity window"
    }
    refused(_redeem(loyalty, "8868000000099998", "MUG", 1), 404, "unknown_card")
    refused(_redeem(loyalty, card, "MUG", 0), 422, "validation_failed")
    ok(loyalty.staff(f"/cards/{card}/freeze"))
    refused(_redeem(loyalty, card, "MUG", 1), 409, "card_frozen")
    assert loyalty.balance(card)["points"] == 5_000
    assert loyalty.count(GiftRedemptionRow) == 0


def test_a_retried_redemption_replays_its_answer_and_posts_once(loyalty: Loyalty) -> None:
    ok(_gift(loyalty), 201)
    card = _card(loyalty)
    ok(loyalty.staff(f"/cards/{card}/points/adjust", {"points": 1_000, "reason": "welcome"}))
    key, document = new_id(), new_id()
    first = ok(_redeem(loyalty, card, "MUG", 2, idempotency_key=key, document=document))
    assert ok(_redeem(loyalty, card, "MUG", 2, idempotency_key=key, document=document)) == first
    other = _redeem(loyalty, card, "MUG", 3, idempotency_key=key, document=document)
    refused(other, 409, "idempotency_key_reused")
    again = _redeem(loyalty, card, "MUG", 1, document=document)  # new key, same document
    refused(again, 409, "gift_document_used")
    assert loyalty.balance(card)["points"] == 400
    assert loyalty.count(GiftRedemptionRow) == 1


def test_staff_redeem_at_the_service_desk_under_their_own_name(loyalty: Loyalty) -> None:
    ok(_gift(loyalty, "PEN", 50), 201)
    card = _card(loyalty)
    ok(loyalty.staff(f"/cards/{card}/points/adjust", {"points": 120, "reason": "welcome"}))
    key = new_id()
    body = {"idempotency_key": key, "card": card, "gift": "PEN", "quantity": 2, "store": "S001"}
    answer = ok(loyalty.hq.post("/api/v1/loyalty/gifts/redeem", body))
    assert (answer["points"], answer["document"], answer["balance"]["points"]) == (
        100,
        f"hq:{key}",
        20,
    )
    with loyalty.hq.sessions() as session:
        [entry] = session.scalars(select(PointsEntryRow).where(PointsEntryRow.kind == "gift"))
        assert (entry.staff_code, entry.store_code) == ("admin", "S001")


def _gift_document(
    redemption_id: str, quantity: int, lines: list[dict[str, Any]], seq: int = 1
) -> dict[str, Any]:
    return {
        "id": points_gift_document_id(redemption_id),
        "type": "points_gift",
        "origin_store": "S001",
        "origin_till": TILL,
        "business_day": TODAY,
        "seq": seq,
        "created_at": iso(utc()),
        "body": {
            "redemption_id": redemption_id,
            "receipt_no": f"S001-T01-261126-{seq:05d}",
            "cashier": "C001",
            "card": "-",
            "gift": {"code": "MUG"},
            "quantity": quantity,
            "points": 300 * quantity,
            "lines": lines,
        },
    }


def test_the_tills_gift_document_takes_the_goods_out_of_stock_once(loyalty: Loyalty) -> None:
    loyalty.store("S001")
    loyalty.hq.add_till("S001", TILL)
    sku = _mug_product(loyalty)
    ok(_gift(loyalty, sku=sku), 201)
    card = _card(loyalty)
    ok(loyalty.staff(f"/cards/{card}/points/adjust", {"points": 1_000, "reason": "welcome"}))
    redemption = new_id()
    ok(_redeem(loyalty, card, "MUG", 2, idempotency_key=redemption, document=redemption))
    line = {"line_no": 1, "sku": sku, "qty": 2, "stock_qty": 2}
    document = _gift_document(redemption, 2, [line])
    send = loyalty.hq.send_documents
    assert send(loyalty.store(), document)[0]["status"] == "applied"
    assert send(loyalty.store(), document)[0]["status"] == "duplicate"
    another = {**_gift_document(redemption, 2, [line], seq=3), "id": new_id()}
    [never, second] = send(loyalty.store(), _gift_document(new_id(), 2, [line], seq=2), another)
    assert never["status"] == "rejected" and "no redemption" in never["reason"]
    assert second["status"] == "rejected" and "not the document of" in second["reason"]
    one = new_id()
    ok(_redeem(loyalty, card, "MUG", 1, idempotency_key=one, document=one))
    single = {**line, "qty": 1, "stock_qty": 1}
    [more] = send(loyalty.store(), _gift_document(one, 2, [line], seq=4))
    assert more["status"] == "rejected" and "of 2 x MUG" in more["reason"]
    [no_goods] = send(loyalty.store(), _gift_document(one, 1, [], seq=4))
    assert no_goods["status"] == "rejected" and "lines" in no_goods["reason"]
    [handed] = send(loyalty.store(), _gift_document(one, 1, [single], seq=4))
    assert handed["status"] == "applied"
    with loyalty.hq.sessions() as session:
        level = session.get(StockLevel, ("S001", sku))
        assert level is not None and level.on_hand == -3
        assert verify_ledgers(session) == []
    assert loyalty.balance(card)["points"] == 100  # posted online, not again
