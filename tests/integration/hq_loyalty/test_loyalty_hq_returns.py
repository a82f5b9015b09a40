"""A return reaching HQ moves the member's ledgers exactly once, or not at all.

Stored value the sale was paid with goes back to the card, points it was paid with come
back as points, the points the returned lines earned are taken back, and the refund
stops counting toward the tier. A malformed or impossible return is rejected whole.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from chainpos.ids import new_id
from hq_server.loyalty.models import PointsLotRow, PointsReversalRow, SpendRecordRow
from hq_server.loyalty.verification import verify_ledgers
from hq_server.models import SaleReturn, StockLevel
from tests.factories import iso, utc
from tests.integration.hq_loyalty.conftest import TODAY, Loyalty, ok


def _card(loyalty: Loyalty) -> str:
    return str(loyalty.issue(loyalty.register()["member_id"])["number"])


def _sale(loyalty: Loyalty, card: str) -> tuple[str, str]:
    """A member's sale paid 3,000 fen on the card and 500 in points; it earned on line 1."""
    sale_id, sale_doc = new_id(), new_id()
    ok(loyalty.top_up(card, 10_000))
    ok(loyalty.staff(f"/cards/{card}/points/adjust", {"points": 2_000, "reason": "welcome"}))
    ok(loyalty.debit(card, 3_000, document=sale_id))
    ok(loyalty.signed("/points/redeem", {"card": card, "amount": 500, "document": sale_id}))
    ok(loyalty.earn(card, [("1", 6_000)], document=sale_doc))
    return sale_id, sale_doc


def _return(card: str, sale_id: str, sale_doc: str, refund: int, **tenders: int) -> dict[str, Any]:
    return {
        "id": new_id(),
        "type": "sale_return",
        "origin_store": "S001",
        "origin_till": None,
        "business_day": TODAY,
        "seq": 1,
        "created_at": iso(utc()),
        "body": {
            "return_id": new_id(),
            "receipt_no": "RS001-T01-261126-00002",
            "sale_doc_id": sale_doc,
            "sale_id": sale_id,
            "cashier": "C001",
            "approved_by": "9001",
            "reason": "faulty",
            "lines": [{"line_no": 1, "sku": "A1", "qty": 1, "stock_qty": 1, "refund": refund}],
            "refund": refund,
            "paid_out": refund,
            "member": {"card": card, "member_id": None},
            "refund_tenders": [
                {"index": i, "method": method, "amount": amount, "reference": None, "card": card}
                for i, (method, amount) in enumerate(tenders.items())
            ],
        },
    }


def _ledger_state(loyalty: Loyalty, card: str) -> tuple[Any, ...]:
    with loyalty.hq.sessions() as session:
        return (
            loyalty.balance(card),
            session.scalar(select(func.count()).select_from(SaleReturn)),
            session.scalar(select(func.count()).select_from(PointsReversalRow)),
            session.scalar(select(func.sum(SpendRecordRow.amount))),
            session.scalar(select(func.sum(StockLevel.on_hand))),
        )


def test_a_return_refunds_the_card_and_points_and_takes_back_what_it_earned(
    loyalty: Loyalty,
) -> None:
    card = _card(loyalty)
    sale_id, sale_doc = _sale(loyalty, card)
    before = loyalty.balance(card)
    document = _return(card, sale_id, sale_doc, 2_000, stored_value=1_500, points=500)
    sent = loyalty.hq.send_documents(loyalty.store("S001"), document)
    assert sent == [{"doc_id": document["id"], "status": "applied"}]
    after = loyalty.balance(card)
    assert after["total"] == before["total"] + 1_500
    with loyalty.hq.sessions() as session:
        refund_lot = session.scalars(
            select(PointsLotRow).where(PointsLotRow.source == "refund")
        ).one()
        assert (refund_lot.points, refund_lot.document) == (500, sale_id)
        reversal = session.scalars(select(PointsReversalRow)).one()
        assert reversal.document == document["id"] and reversal.points > 0
        spend = session.scalars(
            select(SpendRecordRow.amount).where(SpendRecordRow.document == document["id"])
        ).one()
        assert spend == -2_000
        assert verify_ledgers(session) == []

    # Sent again, it is a duplicate: nothing moves twice.
    state = _ledger_state(loyalty, card)
    again = loyalty.hq.send_documents(loyalty.store("S001"), document)
    assert again[0]["status"] == "duplicate"
    assert _ledger_state(loyalty, card) == state


def test_points_back_never_exceed_what_the_sale_used(loyalty: Loyalty) -> None:
    card = _card(loyalty)
    sale_id, sale_doc = _sale(loyalty, card)
    for _ in range(2):
        document = _return(card, sale_id, sale_doc, 400, points=400)
        assert loyalty.hq.send_documents(loyalty.store("S001"), document)[0]["status"] == "applied"
    with loyalty.hq.sessions() as session:
        back = session.scalar(
            select(func.sum(PointsLotRow.points)).where(PointsLotRow.source == "refund")
        )
    assert back == 500


def test_an_impossible_return_is_rejected_whole(loyalty: Loyalty) -> None:
    card = _card(loyalty)
    sale_id, sale_doc = _sale(loyalty, card)
    state = _ledger_state(loyalty, card)
    # More back to the card than the sale spent on it: the ledger refuses, nothing stays.
    too_much = _return(card, sale_id, sale_doc, 5_000, stored_value=5_000)
    [ack] = loyalty.hq.send_documents(loyalty.store("S001"), too_much)
    assert ack["status"] == "rejected"
    # Lines that do not add up to the refund.
    bad = _return(card, sale_id, sale_doc, 1_000, stored_value=1_000)
    bad["body"]["lines"][0]["refund"] = 999
    [ack] = loyalty.hq.send_documents(loyalty.store("S001"), bad)
    assert ack["status"] == "rejected" and "add up" in ack["reason"]
    # Tenders that give back more than the returned lines paid.
    greedy = _return(card, sale_id, sale_doc, 1_000, stored_value=1_000, cash=500)
    [ack] = loyalty.hq.send_documents(loyalty.store("S001"), greedy)
    assert ack["status"] == "rejected" and "more than its refund" in ack["reason"]
    assert _ledger_state(loyalty, card) == state
