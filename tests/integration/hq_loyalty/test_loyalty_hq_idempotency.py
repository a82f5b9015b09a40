"""Every mutating loyalty call takes an idempotency key: a retry applies once."""

from __future__ import annotations

from chainpos.ids import new_id
from hq_server.loyalty.models import Card, Member, SvEntryRow
from tests.integration.hq_loyalty.conftest import Loyalty, ok, refused


def test_a_retried_debit_returns_the_first_answer_and_debits_once(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 10_000))
    body = {"idempotency_key": new_id(), "document": "sale-7"}
    first = ok(loyalty.debit(card, 3_000, **body))
    again = ok(loyalty.debit(card, 3_000, **body))
    assert again == first
    assert loyalty.balance(card)["total"] == 7_000
    assert loyalty.count(SvEntryRow) == 2


def test_a_different_request_under_a_used_key_is_a_409_and_changes_nothing(
    loyalty: Loyalty,
) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 10_000))
    body = {"idempotency_key": new_id(), "document": "sale-7"}
    ok(loyalty.debit(card, 3_000, **body))
    refused(loyalty.debit(card, 4_000, **body), 409, "idempotency_key_reused")
    assert loyalty.balance(card)["total"] == 7_000


def test_keys_are_per_store_so_two_stores_cannot_collide(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 10_000))
    body = {"idempotency_key": "same-key-123", "document": "sale-7"}
    ok(loyalty.debit(card, 1_000, **body))
    ok(loyalty.signed("/sv/debit", {"card": card, "amount": 1_000, **body}, store="S002"))
    assert loyalty.balance(card)["total"] == 8_000


def test_a_refused_request_records_nothing_so_its_retry_runs_afresh(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    body = {"idempotency_key": new_id(), "document": "sale-8"}
    refused(loyalty.debit(card, 3_000, **body), 409, "insufficient_balance")
    ok(loyalty.top_up(card, 10_000))
    ok(loyalty.debit(card, 3_000, **body))
    assert loyalty.balance(card)["total"] == 7_000


def test_staff_calls_are_idempotent_too(loyalty: Loyalty) -> None:
    key = {"idempotency_key": new_id()}
    first = ok(loyalty.staff("/members", {"mobile": "13800138000", "name": "张三", **key}), 201)
    again = ok(loyalty.staff("/members", {"mobile": "13800138000", "name": "张三", **key}), 201)
    assert again == first
    card_key = {"idempotency_key": new_id(), "medium": "virtual", "member_id": first["member_id"]}
    assert ok(loyalty.staff("/cards", card_key), 201) == ok(loyalty.staff("/cards", card_key), 201)
    assert (loyalty.count(Member), loyalty.count(Card)) == (1, 1)


def test_a_call_without_a_key_is_refused(loyalty: Loyalty) -> None:
    answer = loyalty.hq.post("/api/v1/loyalty/members", {"mobile": "13800138000", "name": "x"})
    body = refused(answer, 422, "validation_failed")
    assert "idempotency_key" in body["fields"]
