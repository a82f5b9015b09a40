"""HQ takes a store's offline points redemptions and its tills' top-ups, once each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from chainpos.ids import new_id
from hq_server import reports
from hq_server.loyalty.models import PointsEntryRow
from hq_server.loyalty.verification import verify_ledgers
from tests.factories import iso, utc
from tests.integration.hq_loyalty.conftest import TODAY, Loyalty, ok

TILL = "S001-T01"


def _document(
    doc_type: str, body: dict[str, Any], *, till: str | None = None, day: str = TODAY, seq: int = 1
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "type": doc_type,
        "origin_store": "S001",
        "origin_till": till,
        "business_day": day,
        "seq": seq,
        "created_at": iso(utc()),
        "body": body,
    }


def _offline_points(card: str, points: int, **extra: Any) -> dict[str, Any]:
    return {
        "tender_id": new_id(),
        "card": card,
        "amount": points,
        "points": points,
        "document": new_id(),
        "till": TILL,
        "staff": "C001",
        **extra,
    }


def _card(loyalty: Loyalty) -> str:
    return str(loyalty.issue(loyalty.register()["member_id"])["number"])


def _send(loyalty: Loyalty, *documents: dict[str, Any]) -> list[dict[str, Any]]:
    return loyalty.hq.send_documents(loyalty.store("S001"), *documents)


def test_offline_points_post_soonest_expiring_first_and_once(loyalty: Loyalty) -> None:
    card = _card(loyalty)
    later = ok(loyalty.earn(card, [("l1", 200_000)], business_day="2026-01-10"))["lot_id"]
    sooner = ok(loyalty.earn(card, [("l1", 300_000)], business_day="2025-03-01"))["lot_id"]
    body = _offline_points(card, 4_000)
    document = _document("points_offline_redeem", body, day="2026-02-01")
    assert _send(loyalty, document) == [{"doc_id": document["id"], "status": "applied"}]
    assert _send(loyalty, document)[0]["status"] == "duplicate"
    assert loyalty.balance(card)["points"] == 1_000
    with loyalty.hq.sessions() as session:
        rows = session.execute(
            select(PointsEntryRow.lot_id, PointsEntryRow.points, PointsEntryRow.till_code)
            .where(PointsEntryRow.document == body["document"])
            .order_by(PointsEntryRow.id)
        ).all()
        assert [tuple(r) for r in rows] == [(sooner, -3_000, TILL), (later, -1_000, TILL)]
        assert verify_ledgers(session) == []


def test_offline_points_beyond_the_account_are_an_overdraft_the_report_flags(
    loyalty: Loyalty,
) -> None:
    card = _card(loyalty)
    ok(loyalty.staff(f"/cards/{card}/points/adjust", {"points": 500, "reason": "gift"}))
    body = _offline_points(card, 800)
    [ack] = _send(loyalty, _document("points_offline_redeem", body))
    assert ack["status"] == "applied"
    assert loyalty.balance(card)["points"] == -300
    with loyalty.hq.sessions() as session:
        [flagged] = reports.loyalty_overdrafts(session, TODAY, TODAY)
        assert verify_ledgers(session) == []
    assert (flagged["kind"], flagged["overdraft"], flagged["document"]) == (
        "points",
        300,
        body["document"],
    )


def test_offline_points_whose_online_call_reached_hq_are_not_posted_again(
    loyalty: Loyalty,
) -> None:
    card = _card(loyalty)
    ok(loyalty.staff(f"/cards/{card}/points/adjust", {"points": 500, "reason": "gift"}))
    key = new_id()
    ok(loyalty.signed("/points/redeem", {"idempotency_key": key, "card": card, "amount": 200}))
    [ack] = _send(
        loyalty, _document("points_offline_redeem", _offline_points(card, 200, tender_id=key))
    )
    assert ack["status"] == "applied"
    assert loyalty.balance(card)["points"] == 300


def test_a_malformed_offline_points_document_is_rejected(loyalty: Loyalty) -> None:
    card = _card(loyalty)
    [zero, unknown] = _send(
        loyalty,
        _document("points_offline_redeem", _offline_points(card, 0)),
        _document("points_offline_redeem", _offline_points("8868000000099998", 100), seq=2),
    )
    assert zero["status"] == "rejected" and "malformed" in zero["reason"]
    assert unknown["status"] == "rejected" and "unknown_card" in unknown["reason"]


def _top_up_document(card: str, top_up_id: str, amount: int, seq: int = 1) -> dict[str, Any]:
    body = {
        "top_up_id": top_up_id,
        "receipt_no": f"S001-T01-261126-{seq:05d}",
        "cashier": "C001",
        "card": card,
        "amount": amount,
        "bonus": 0,
        "tenders": [{"method": "cash", "amount": amount + 500, "reference": None}],
        "change": 500,
        "cash_in": amount,
    }
    return _document("sv_top_up", body, till=TILL, seq=seq)


def test_a_tills_top_up_is_recorded_for_reports_without_a_second_credit(
    loyalty: Loyalty,
) -> None:
    loyalty.store("S001")
    loyalty.hq.add_till("S001", TILL)
    card = _card(loyalty)
    top_up_id = new_id()
    ok(loyalty.top_up(card, 10_000, idempotency_key=top_up_id, document=top_up_id, till=TILL))
    document = _top_up_document(card, top_up_id, 10_000)
    assert _send(loyalty, document)[0]["status"] == "applied"
    assert _send(loyalty, document)[0]["status"] == "duplicate"
    assert loyalty.balance(card)["total"] == 10_000
    with loyalty.hq.sessions() as session:
        assert reports.top_ups_by_store(session, TODAY) == [
            {
                "store": "S001",
                "count": 1,
                "amount": 10_000,
                "bonus": 0,
                "by_method": {"cash": 10_000},
            }
        ]


def test_a_top_up_hq_never_credited_is_rejected(loyalty: Loyalty) -> None:
    loyalty.store("S001")
    loyalty.hq.add_till("S001", TILL)
    card = _card(loyalty)
    top_up_id = new_id()
    ok(loyalty.top_up(card, 10_000, idempotency_key=top_up_id, document=top_up_id, till=TILL))
    [never, other_amount] = _send(
        loyalty,
        _top_up_document(card, new_id(), 10_000),
        _top_up_document(card, top_up_id, 9_000, seq=2),
    )
    assert never["status"] == "rejected" and "credited no top-up" in never["reason"]
    assert other_amount["status"] == "rejected"
    assert loyalty.balance(card)["total"] == 10_000
