"""Stored value through the signed store API: top-up, debit, refund, transfer, caps."""

from __future__ import annotations

from hq_server.loyalty.models import SvEntryRow
from loyalty.cards import make_card_number
from tests.integration.hq_loyalty.conftest import Loyalty, ok, refused


def test_a_top_up_credits_principal_and_the_bonus_of_the_highest_step_reached(
    loyalty: Loyalty,
) -> None:
    member = loyalty.register()
    card = loyalty.issue(member["member_id"])["number"]
    answer = ok(loyalty.top_up(card, 250_000))
    assert answer["entries"][0]["principal"] == 250_000
    assert answer["entries"][0]["bonus"] == 50_000
    assert loyalty.balance(card)["total"] == 300_000


def test_a_debit_spends_bonus_first_and_records_store_till_staff_and_document(
    loyalty: Loyalty,
) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 100_000))  # + 20,000 bonus
    answer = ok(loyalty.debit(card, 30_000, till="S001-T01", staff="C001", document="sale-1"))
    assert (answer["entries"][0]["principal"], answer["entries"][0]["bonus"]) == (-10_000, -20_000)
    assert answer["balance"]["total"] == 90_000
    statement = ok(loyalty.get(f"/cards/{card}/statement"))
    spend = statement["entries"][0]
    assert (spend["store"], spend["till"], spend["staff"], spend["document"]) == (
        "S001",
        "S001-T01",
        "C001",
        "sale-1",
    )


def test_a_debit_beyond_the_balance_is_refused_and_changes_nothing(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 10_000))
    before = loyalty.count(SvEntryRow)
    refused(loyalty.debit(card, 10_001), 409, "insufficient_balance")
    assert loyalty.count(SvEntryRow) == before
    assert loyalty.balance(card)["total"] == 10_000


def test_a_registered_card_holds_at_most_5000_yuan_of_principal(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 499_900))
    body = refused(loyalty.top_up(card, 200), 409, "over_cap")
    assert body["fields"]["limit"] == 500_000
    assert loyalty.balance(card)["principal"] == 499_900


def test_an_anonymous_card_holds_at_most_1000_yuan(loyalty: Loyalty) -> None:
    card = loyalty.issue(None)["number"]
    ok(loyalty.top_up(card, 100_000))
    body = refused(loyalty.top_up(card, 100), 409, "over_cap")
    assert body["fields"]["limit"] == 100_000


def test_non_positive_amounts_are_refused_naming_the_field(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    for amount in (0, -100):
        body = refused(loyalty.debit(card, amount), 422, "validation_failed")
        assert "amount" in body["fields"]
    body = refused(loyalty.debit(card, 12.5), 422, "validation_failed")  # type: ignore[arg-type]
    assert "amount" in body["fields"]
    assert loyalty.count(SvEntryRow) == 0


def test_an_unknown_card_is_a_404_and_a_mistyped_number_a_422(loyalty: Loyalty) -> None:
    never_issued = make_card_number("8868", 99_999)
    refused(loyalty.debit(never_issued, 100), 404, "unknown_card")
    typo = never_issued[:-1] + str((int(never_issued[-1]) + 1) % 10)
    refused(loyalty.debit(typo, 100), 422, "invalid_card_number")


def test_a_refund_to_card_returns_the_spend_in_its_principal_bonus_proportion(
    loyalty: Loyalty,
) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 100_000))  # 100,000 + 20,000 bonus
    ok(loyalty.debit(card, 40_000, document="sale-9"))  # 20,000 bonus + 20,000 principal
    first = ok(
        loyalty.signed(
            "/sv/credit",
            {"card": card, "kind": "refund", "amount": 10_000, "original_document": "sale-9"},
        )
    )
    assert first["entries"][0]["principal"] + first["entries"][0]["bonus"] == 10_000
    ok(
        loyalty.signed(
            "/sv/credit",
            {"card": card, "kind": "refund", "amount": 30_000, "original_document": "sale-9"},
        )
    )
    assert loyalty.balance(card)["principal"] == 100_000
    assert loyalty.balance(card)["bonus"] == 20_000
    refused(
        loyalty.signed(
            "/sv/credit",
            {"card": card, "kind": "refund", "amount": 1, "original_document": "sale-9"},
        ),
        409,
        "return_exceeds_sale",
    )


def test_transfer_moves_principal_between_cards_of_one_member_and_leaves_the_bonus(
    loyalty: Loyalty,
) -> None:
    member = loyalty.register()["member_id"]
    source = loyalty.issue(member)["number"]
    target = loyalty.issue(member)["number"]
    ok(loyalty.top_up(source, 100_000))
    ok(loyalty.staff(f"/cards/{source}/transfer", {"target": target, "amount": 60_000}))
    assert loyalty.balance(source)["principal"] == 40_000
    assert loyalty.balance(source)["bonus"] == 20_000
    assert loyalty.balance(target)["principal"] == 60_000
    other = loyalty.issue(loyalty.register("13900139000", "李四")["member_id"])["number"]
    refused(
        loyalty.staff(f"/cards/{source}/transfer", {"target": other, "amount": 100}),
        409,
        "transfer_not_allowed",
    )


def test_settlement_reports_issued_redeemed_and_net_per_store(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 50_000))  # issued at S001, no bonus below 1,000 yuan
    ok(loyalty.signed("/sv/debit", {"card": card, "amount": 20_000}, store="S002"))
    ok(loyalty.debit(card, 5_000))
    rows = ok(loyalty.get("/settlement", start="2020-01-01", end="2099-12-31"))
    assert rows == [
        {"store": "S001", "issued": 50_000, "redeemed": 5_000, "net": 45_000, "bonus_redeemed": 0},
        {"store": "S002", "issued": 0, "redeemed": 20_000, "net": -20_000, "bonus_redeemed": 0},
    ]


def test_store_endpoints_refuse_unsigned_requests(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    answer = loyalty.hq.client.post(
        "/api/v1/loyalty/store/sv/debit",
        json={
            "card": card,
            "amount": 100,
            "idempotency_key": "k" * 10,
            "document": "d",
            "business_day": "2026-11-26",
        },
    )
    refused(answer, 401, "unauthorized")


def test_a_till_of_another_store_is_refused(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 10_000))
    body = refused(loyalty.debit(card, 100, till="S002-T01"), 422, "validation_failed")
    assert "till" in body["fields"]


def test_settlement_counts_only_the_business_days_of_the_period(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 30_000, business_day="2026-11-01"))
    ok(loyalty.top_up(card, 20_000, business_day="2026-11-02"))
    ok(loyalty.debit(card, 7_000, business_day="2026-11-03"))
    rows = ok(loyalty.get("/settlement", start="2026-11-02", end="2026-11-02"))
    assert [(r["store"], r["issued"], r["redeemed"]) for r in rows] == [("S001", 20_000, 0)]
    refused(
        loyalty.get("/settlement", start="2026-11-03", end="2026-11-01"), 422, "validation_failed"
    )
