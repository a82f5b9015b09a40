"""Loyalty tenders at the till: authorised by the store before the sale is journaled."""

from __future__ import annotations

from datetime import date, timedelta

from chainpos.ids import new_id
from tests.factories import COLA_EAN
from tests.integration.hq_loyalty.conftest import refused
from tests.integration.till_loyalty.conftest import TOTAL, LoyalTill


def test_stored_value_pays_the_sale_with_the_authorised_reference_in_the_document(
    loyal_till: LoyalTill,
) -> None:
    card = loyal_till.store.member_card(top_up=10_000)
    answer = loyal_till.sale([{"method": "stored_value", "amount": TOTAL, "card": card}])
    assert answer.status_code == 201, answer.get_json()
    sale = answer.get_json()
    [tender] = sale["tenders"]
    assert tender["reference"].startswith("SV:")
    assert loyal_till.store.loyalty.balance(card)["total"] == 10_000 - TOTAL
    assert loyal_till.journal()[0] == 1


def test_a_refused_tender_refuses_the_sale_and_journals_nothing(loyal_till: LoyalTill) -> None:
    card = loyal_till.store.member_card(top_up=1_000)
    before = loyal_till.journal()
    answer = loyal_till.sale([{"method": "stored_value", "amount": TOTAL, "card": card}])
    body = refused(answer, 409, "insufficient_balance")
    assert "tenders.0" in body["fields"]
    assert loyal_till.journal() == before
    assert loyal_till.store.loyalty.balance(card)["total"] == 1_000


def test_a_retried_sale_debits_the_card_once(loyal_till: LoyalTill) -> None:
    card = loyal_till.store.member_card(top_up=10_000)
    sale_id = new_id()
    tenders = [{"method": "stored_value", "amount": TOTAL, "card": card}]
    first = loyal_till.sale(tenders, sale_id=sale_id)
    second = loyal_till.sale(tenders, sale_id=sale_id)
    assert first.status_code == 201 and second.status_code == 201
    assert first.get_json()["doc_id"] == second.get_json()["doc_id"]
    assert loyal_till.store.loyalty.balance(card)["total"] == 10_000 - TOTAL


def test_a_store_that_cannot_be_reached_leaves_the_loyalty_tender_unpaid(
    loyal_till: LoyalTill,
) -> None:
    card = loyal_till.store.member_card(top_up=10_000)
    loyal_till.link.down = True
    before = loyal_till.journal()
    answer = loyal_till.sale([{"method": "stored_value", "amount": TOTAL, "card": card}])
    refused(answer, 503, "store_unreachable")
    assert loyal_till.journal() == before
    # Cash still sells.
    assert loyal_till.sale([{"method": "cash", "amount": TOTAL}]).status_code == 201


def test_stored_value_and_cash_split_and_the_member_receipt_shows_balances(
    loyal_till: LoyalTill,
) -> None:
    card = loyal_till.store.member_card(top_up=2_000)
    answer = loyal_till.sale(
        [
            {"method": "stored_value", "amount": 2_000},
            {"method": "cash", "amount": TOTAL - 2_000},
        ],
        member={"mobile": "13800138000"},
    )
    assert answer.status_code == 201, answer.get_json()
    sale = answer.get_json()
    assert sale["member"]["card"] == card
    assert sale["receipt"]["member"]["masked_mobile"] == "138****8000"
    assert sale["receipt"]["member"]["stored_value_balance"] == 0
    assert "138****8000" in sale["receipt_text"]
    assert "13800138000" not in sale["receipt_text"]


def test_a_members_sale_earns_points_through_the_store(loyal_till: LoyalTill) -> None:
    card = loyal_till.store.member_card()
    answer = loyal_till.sale([{"method": "cash", "amount": TOTAL}], member={"card": card})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["member"]["earn_lines"] == [
        {"line_id": "1", "category": "GROC", "amount": TOTAL}
    ]
    # The till's forwarder delivers the sale; the store queues the earning for HQ.
    from chainpos.sync.forwarder import Forwarder
    from pos_terminal.models import SYNC

    Forwarder(loyal_till.sessions, SYNC, loyal_till.link).push_once()  # type: ignore[arg-type]
    loyal_till.store.push()
    points = loyal_till.store.loyalty.get(f"/cards/{card}/points").get_json()
    assert points["pending"] == TOTAL // 100


def test_quote_with_a_member_shows_who_and_their_balances(loyal_till: LoyalTill) -> None:
    card = loyal_till.store.member_card(top_up=5_000)
    answer = loyal_till.client.post(
        "/api/v1/sales/quote",
        json={"lines": [{"barcode": COLA_EAN, "qty": 1}], "member": {"card": card}},
        headers=loyal_till.auth(),
    )
    member = answer.get_json()["member"]
    assert member["masked_mobile"] == "138****8000" and member["balance"] == 5_000


def test_points_and_a_coupon_pay_with_cash(loyal_till: LoyalTill) -> None:
    store = loyal_till.store
    card = store.member_card()
    today = date.today()
    batch = {
        "kind": "amount_off",
        "value": 500,
        "valid_from": (today - timedelta(days=1)).isoformat(),
        "valid_until": (today + timedelta(days=30)).isoformat(),
        "count": 1,
    }
    [code] = store.loyalty.hq.ok(store.loyalty.staff("/coupons/batches", batch))["codes"]
    store.pull_feed()
    answer = loyal_till.sale(
        [{"method": "coupon", "amount": 500, "code": code}, {"method": "cash", "amount": 3_000}],
        member={"card": card},
    )
    assert answer.status_code == 201, answer.get_json()
    coupon = answer.get_json()["tenders"][0]
    assert coupon["reference"].startswith("CP:")
    # Points not yet available (pending for the return window): refused with HQ's reason.
    refused(
        loyal_till.sale(
            [{"method": "points", "amount": 100, "card": card}, {"method": "cash", "amount": TOTAL}]
        ),
        409,
        "insufficient_points",
    )


def test_a_coupon_tender_needs_its_code(loyal_till: LoyalTill) -> None:
    before = loyal_till.journal()
    body = refused(loyal_till.sale([{"method": "coupon", "amount": 100}]), 422, "validation_failed")
    assert body["fields"]
    assert loyal_till.journal() == before


def test_with_hq_down_a_members_cash_sale_still_sells_and_carries_the_card(
    loyal_till: LoyalTill,
) -> None:
    card = loyal_till.store.member_card()
    loyal_till.store.hq.down = True
    answer = loyal_till.sale([{"method": "cash", "amount": TOTAL}], member={"card": card})
    assert answer.status_code == 201, answer.get_json()
    member = answer.get_json()["member"]
    assert member["card"] == card and member["found"] is False
    assert member["earn_lines"]


def test_a_refused_coupon_releases_the_stored_value_already_debited(
    loyal_till: LoyalTill,
) -> None:
    store = loyal_till.store
    card = store.member_card(top_up=10_000)
    before = loyal_till.journal()
    answer = loyal_till.sale(
        [
            {"method": "coupon", "amount": 500, "code": "B9-9"},
            {"method": "stored_value", "amount": TOTAL - 500, "card": card},
        ]
    )
    body = answer.get_json()
    assert answer.status_code == 422 and "tenders.0" in body["fields"], body
    assert len(body["fields"]["released"]) == 1 and body["fields"]["unreleased"] == []
    assert loyal_till.journal() == before
    store.push()
    assert store.loyalty.balance(card)["total"] == 10_000


def test_only_one_points_or_coupon_tender_per_sale(loyal_till: LoyalTill) -> None:
    card = loyal_till.store.member_card(top_up=10_000)
    tenders = [
        {"method": "coupon", "amount": 100, "code": "B1-1"},
        {"method": "points", "amount": 100, "card": card},
        {"method": "cash", "amount": TOTAL},
    ]
    refused(loyal_till.sale(tenders), 422, "too_many_loyalty_tenders")


def test_the_till_database_stays_writable_while_the_store_authorises_a_tender(
    loyal_till: LoyalTill,
) -> None:
    """The sync worker must not wait on the network: no write lock is held during the call."""
    import sqlite3

    card = loyal_till.store.member_card(top_up=10_000)
    database = loyal_till.app.extensions["chainpos.engine"].url.database
    writes: list[str] = []
    link = loyal_till.link
    original = link.request

    def request_while_writing(method: str, path: str, **kwargs: object) -> object:
        if method == "POST":
            other = sqlite3.connect(database, timeout=0.2)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute(
                    "INSERT INTO sync_state (name, value, updated_at) "
                    "VALUES ('probe', 'x', '2026-11-26 00:00:00')"
                )
                other.rollback()
                writes.append("ok")
            except sqlite3.OperationalError as err:
                writes.append(str(err))
            finally:
                other.close()
        return original(method, path, **kwargs)  # type: ignore[arg-type]

    link.request = request_while_writing  # type: ignore[method-assign]
    answer = loyal_till.sale([{"method": "stored_value", "amount": TOTAL, "card": card}])
    assert answer.status_code == 201, answer.get_json()
    assert writes and all(w == "ok" for w in writes), writes
