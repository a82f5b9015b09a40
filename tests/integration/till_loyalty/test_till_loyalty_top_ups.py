"""Top-ups and balance checks at the till, through a real store relay and a real HQ."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from chainpos.ids import new_id
from chainpos.sync.forwarder import Forwarder
from chainpos.sync.receiver import DocumentRejected
from hq_server import reports
from pos_terminal.models import SYNC, TillTopUp
from retail.documents import Document
from store_server import services as store_services
from store_server.loyalty.models import TopUpRow
from store_server.loyalty.top_ups import drawer_top_ups
from tests.factories import CASHIER
from tests.integration.hq_loyalty.conftest import ok, refused
from tests.integration.till_loyalty.conftest import LoyalTill

#: The demo bonus schedule at HQ: top up 1,000 yuan, get 200.
THOUSAND = 100_000


def _top_up(till: LoyalTill, card: str, amount: int, tenders: Any, **extra: Any) -> Any:
    body = {"top_up_id": extra.pop("top_up_id", None) or new_id(), "card": card}
    body.update(amount=amount, tenders=tenders, **extra)
    return till.client.post("/api/v1/loyalty/top-ups", json=body, headers=till.auth())


def _journal(till: LoyalTill) -> tuple[int, list[dict[str, Any]]]:
    """Top-ups in the till's own record, and the documents in its outbox."""
    with till.sessions() as session:
        top_ups = int(session.scalar(select(func.count()).select_from(TillTopUp)) or 0)
        docs = [json.loads(r.payload) for r in session.scalars(select(SYNC.outbox))]
    return top_ups, docs


def test_a_cash_top_up_credits_hq_journals_the_drawer_money_and_prints_a_receipt(
    loyal_till: LoyalTill,
) -> None:
    card = loyal_till.store.member_card(top_up=5_000)
    answer = _top_up(loyal_till, card, THOUSAND, [{"method": "cash", "amount": THOUSAND + 50}])
    assert answer.status_code == 201, answer.get_json()
    top_up = answer.get_json()
    assert (top_up["amount"], top_up["bonus"], top_up["change"]) == (THOUSAND, 20_000, 50)
    assert top_up["cash_in"] == THOUSAND
    assert top_up["balance"] == {"principal": 105_000, "bonus": 20_000, "total": 125_000}
    assert top_up["reference"].startswith("SV:")
    assert loyal_till.store.loyalty.balance(card)["total"] == 125_000
    text = top_up["receipt_text"]
    for shown in ("TOP-UP 充值", f"****{card[-4:]}", "本金 Principal: 1000.00"):
        assert shown in text
    assert "赠送 Bonus: 200.00" in text and "余额 Balance: 1250.00" in text
    assert top_up["receipt"]["change"] == 50
    count, [document] = _journal(loyal_till)
    assert count == 1 and document["type"] == "sv_top_up"
    assert document["id"] == top_up["doc_id"] and document["origin_till"] == "S001-T01"
    assert document["body"]["tenders"] == [
        {"method": "cash", "amount": THOUSAND + 50, "reference": None}
    ]
    assert document["body"]["receipt_no"] == top_up["receipt_no"]


def test_a_retried_top_up_gets_the_first_answer_and_credits_once(loyal_till: LoyalTill) -> None:
    card = loyal_till.store.member_card()
    top_up_id = new_id()
    tenders = [{"method": "bank_card", "amount": 20_000, "reference": "POS-7788"}]
    first = ok(_top_up(loyal_till, card, 20_000, tenders, top_up_id=top_up_id), 201)
    again = ok(_top_up(loyal_till, card, 20_000, tenders, top_up_id=top_up_id), 201)
    assert again == first
    assert loyal_till.store.loyalty.balance(card)["total"] == 20_000
    assert _journal(loyal_till)[0] == 1
    other = _top_up(loyal_till, card, 30_000, tenders, top_up_id=top_up_id)
    assert refused(other, 409, "top_up_id_reused")["fields"] == {
        "top_up_id": "already used for another top-up"
    }


def test_a_top_up_the_till_never_journaled_is_journaled_on_retry_without_a_second_credit(
    loyal_till: LoyalTill,
) -> None:
    """HQ credited, but the till lost the answer: the retry replays the store's answer."""
    card = loyal_till.store.member_card()
    top_up_id = new_id()
    credited = loyal_till.store.post(
        "/sv/credit",
        {
            "idempotency_key": top_up_id,
            "document": top_up_id,
            "staff": CASHIER,
            "card": card,
            "kind": "top_up",
            "amount": 10_000,
        },
    )
    assert credited.status_code == 200, credited.get_json()
    answer = ok(
        _top_up(
            loyal_till, card, 10_000, [{"method": "cash", "amount": 10_000}], top_up_id=top_up_id
        ),
        201,
    )
    assert answer["balance"]["total"] == 10_000
    assert loyal_till.store.loyalty.balance(card)["total"] == 10_000


def test_bank_card_and_wallet_pay_exactly_and_the_document_says_which(
    loyal_till: LoyalTill,
) -> None:
    card = loyal_till.store.member_card()
    tenders = [
        {"method": "wallet", "amount": 6_000, "reference": "WX-1"},
        {"method": "bank_card", "amount": 3_000},
        {"method": "cash", "amount": 2_000},
    ]
    top_up = ok(_top_up(loyal_till, card, 10_000, tenders), 201)
    assert [t["method"] for t in top_up["tenders"]] == ["mobile_wallet", "bank_card", "cash"]
    assert (top_up["change"], top_up["cash_in"]) == (1_000, 1_000)
    refused(
        _top_up(loyal_till, card, 10_000, [{"method": "bank_card", "amount": 10_001}]),
        422,
        "overtendered",
    )


def test_refusals_from_hq_pass_through_and_journal_nothing(loyal_till: LoyalTill) -> None:
    store = loyal_till.store
    card = store.member_card()
    cash = [{"method": "cash", "amount": 600_000}]
    body = refused(_top_up(loyal_till, card, 500_100, cash), 409, "over_cap")
    assert body["fields"]
    ok(store.loyalty.staff(f"/cards/{card}/freeze"))
    refused(_top_up(loyal_till, card, 1_000, cash), 409, "card_frozen")
    unknown = "8868000000099998"  # a valid check digit, never issued
    refused(_top_up(loyal_till, unknown, 1_000, cash), 404, "unknown_card")
    refused(_top_up(loyal_till, "8868000000099990", 1_000, cash), 422, "invalid_card_number")
    assert _journal(loyal_till) == (0, [])
    assert store.loyalty.balance(card)["total"] == 0


def test_top_ups_need_hq_online(loyal_till: LoyalTill) -> None:
    card = loyal_till.store.member_card()
    loyal_till.store.hq.down = True
    answer = _top_up(loyal_till, card, 1_000, [{"method": "cash", "amount": 1_000}])
    body = refused(answer, 503, "hq_unreachable")
    assert body["message"] == "top-ups need HQ online"
    loyal_till.store.hq.down = False
    loyal_till.link.down = True
    answer = _top_up(loyal_till, card, 1_000, [{"method": "cash", "amount": 1_000}])
    refused(answer, 503, "store_unreachable")
    assert _journal(loyal_till) == (0, [])
    assert loyal_till.store.authorisations() == 0


def test_bad_input_names_the_field_and_asks_nobody(loyal_till: LoyalTill) -> None:
    card = "8868000000099998"
    cash = [{"method": "cash", "amount": 1_000}]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"tenders": [{"method": "stored_value", "amount": 1_000}]}, "tenders"),
        ({"amount": 10.5}, "amount"),
        ({"amount": 0}, "amount"),
        ({"top_up_id": "not-a-uuid"}, "top_up_id"),
        ({"tenders": []}, "tenders"),
        ({"card": "123"}, "card"),
    ]
    for change, field in cases:
        body = {"top_up_id": new_id(), "card": card, "amount": 1_000, "tenders": cash, **change}
        answer = loyal_till.client.post(
            "/api/v1/loyalty/top-ups", json=body, headers=loyal_till.auth()
        )
        assert field in refused(answer, 422, "validation_failed")["fields"], change
    short = _top_up(loyal_till, card, 1_000, [{"method": "cash", "amount": 999}])
    refused(short, 422, "tender_short")
    unsigned = loyal_till.client.post("/api/v1/loyalty/top-ups", json={})
    assert unsigned.status_code == 401
    assert loyal_till.link.calls == 0
    assert _journal(loyal_till) == (0, [])


def test_the_top_up_reaches_the_store_drawer_and_hq_reports_without_a_second_credit(
    loyal_till: LoyalTill,
) -> None:
    store = loyal_till.store
    card = store.member_card()
    tenders = [{"method": "cash", "amount": 20_000}, {"method": "bank_card", "amount": 5_000}]
    top_up = ok(_top_up(loyal_till, card, 24_000, tenders), 201)
    Forwarder(loyal_till.sessions, SYNC, loyal_till.link).push_once()  # type: ignore[arg-type]
    with store.sessions() as session:
        [row] = session.scalars(select(TopUpRow))
        assert (row.top_up_id, row.cash, row.amount) == (top_up["top_up_id"], 19_000, 24_000)
        assert drawer_top_ups(session, top_up["business_day"]) == [
            {
                "till": "S001-T01",
                "count": 1,
                "amount": 24_000,
                "bonus": 0,
                "by_method": {"bank_card": 5_000, "cash": 19_000},
            }
        ]
    statuses = store.push()
    assert {"doc_type": "sv_top_up", "status": "delivered"} in statuses
    assert store.loyalty.balance(card)["total"] == 24_000  # credited once, online
    with store.loyalty.hq.sessions() as session:
        [report] = reports.top_ups_by_store(session, top_up["business_day"])
    assert report == {
        "store": "S001",
        "count": 1,
        "amount": 24_000,
        "bonus": 0,
        "by_method": {"cash": 19_000, "bank_card": 5_000},
    }


def test_balance_check_shows_the_member_masked_with_each_cards_balances(
    loyal_till: LoyalTill,
) -> None:
    store = loyal_till.store
    card = store.member_card(top_up=THOUSAND)
    ok(store.loyalty.staff(f"/cards/{card}/points/adjust", {"points": 700, "reason": "welcome"}))
    for query in ({"card": card}, {"mobile": "13800138000"}):
        answer = loyal_till.client.get(
            "/api/v1/loyalty/members", query_string=query, headers=loyal_till.auth()
        )
        found = ok(answer)
        assert found["member"]["masked_mobile"] == "138****8000"
        assert found["member"]["tier"] == "normal"
        [shown] = found["cards"]
        assert shown["number"] == card and shown["state"] == "active"
        assert shown["balance"] == {"principal": THOUSAND, "bonus": 20_000, "total": 120_000}
        assert shown["points"] == 700
    assert "13800138000" not in answer.get_data(as_text=True)


def test_balance_check_refusals(loyal_till: LoyalTill) -> None:
    card = loyal_till.store.member_card()

    def check(**query: str) -> Any:
        return loyal_till.client.get(
            "/api/v1/loyalty/members", query_string=query, headers=loyal_till.auth()
        )

    refused(check(), 422, "validation_failed")
    refused(check(card=card, mobile="13800138000"), 422, "validation_failed")
    refused(check(card="8868000000099998"), 404, "unknown_card")
    loyal_till.store.hq.down = True
    assert refused(check(card=card), 503, "hq_unreachable")["fields"] == {"hq": "unreachable"}
    loyal_till.link.down = True
    refused(check(card=card), 503, "store_unreachable")


def test_the_store_rejects_a_top_up_document_it_never_credited(loyal_till: LoyalTill) -> None:
    store = loyal_till.store
    card = store.member_card()
    top_up = ok(_top_up(loyal_till, card, 10_000, [{"method": "cash", "amount": 10_000}]), 201)
    _, [sent] = _journal(loyal_till)
    forged = {**sent, "id": new_id(), "body": {**sent["body"], "top_up_id": new_id()}}
    cheaper = {**sent, "id": new_id(), "body": {**sent["body"], "amount": 9_000}}
    loyalty_tender = {
        **sent,
        "id": new_id(),
        "body": {**sent["body"], "tenders": [{"method": "stored_value", "amount": 10_000}]},
    }
    for raw, reason in (
        (forged, "credited no top-up"),
        (cheaper, "do not make its amount"),
        (loyalty_tender, "cash, bank card or wallet"),
    ):
        with store.sessions.begin() as session, pytest.raises(DocumentRejected, match=reason):
            store_services.apply_till_document(session, Document.from_dict(raw), "S001-T01")
    with store.sessions.begin() as session:
        store_services.apply_till_document(session, Document.from_dict(sent), "S001-T01")
        assert drawer_top_ups(session, top_up["business_day"])[0]["count"] == 1
