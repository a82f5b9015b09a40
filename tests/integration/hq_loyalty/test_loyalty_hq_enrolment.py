"""Enrolment at HQ: member sales without a card earn one by the rules; the counter's fee rule;
registration by referral checks the referrer's tier. Default rules (LoyaltySettings):
cumulative 500 yuan, single purchase 300 yuan, 100 yuan + 20 yuan fee, referral by Silver+."""

from __future__ import annotations

from typing import Any

from hq_server.loyalty.models import Card, Enrolment, Member, MemberSpendRow
from tests.integration.hq_loyalty.conftest import Loyalty, ok, refused
from tests.integration.hq_loyalty.loyalty_events_support import (
    Sales,
    cards_of,
    make_silver,
    member_with_card,
)


def _enrolment(loyalty: Loyalty, member_id: str) -> Any:
    return loyalty.get(f"/members/{member_id}/enrolment")


def test_cumulative_spend_of_500_issues_a_virtual_card_on_the_crossing_sale(
    loyalty: Loyalty,
) -> None:
    sales = Sales(loyalty)
    member = loyalty.register()["member_id"]
    sales.sell(20_000, member)
    sales.sell(29_999, member)
    assert cards_of(loyalty, member) == []
    crossing = sales.sell(1, member)
    [card] = cards_of(loyalty, member)
    assert (card.medium, card.state) == ("virtual", "active")
    enrolment = ok(_enrolment(loyalty, member))
    assert enrolment["rule"] == "cumulative_spend"
    assert enrolment["document"] == crossing["id"]
    assert (enrolment["spend"], enrolment["threshold"], enrolment["fee"]) == (50_000, 50_000, 0)
    assert enrolment["card_id"] == card.id and enrolment["store"] == "S001"
    sales.sell(60_000, member)
    assert len(cards_of(loyalty, member)) == 1  # one card, once
    assert loyalty.count(MemberSpendRow) == 4


def test_a_single_purchase_of_300_issues_a_card_and_299_does_not(loyalty: Loyalty) -> None:
    sales = Sales(loyalty)
    short = loyalty.register("13800138001")["member_id"]
    enough = loyalty.register("13800138002")["member_id"]
    sales.sell(29_900, short)
    qualifying = sales.sell(30_000, enough)
    assert cards_of(loyalty, short) == []
    refused(_enrolment(loyalty, short), 404, "not_enrolled")
    [card] = cards_of(loyalty, enough)
    enrolment = ok(_enrolment(loyalty, enough))
    assert (enrolment["rule"], enrolment["document"]) == ("single_purchase", qualifying["id"])
    # The card is the member's from now on: a lookup by mobile finds it.
    found = ok(loyalty.get("/members", mobile="13800138002"))
    assert [c["number"] for c in found["cards"]] == [card.number]


def test_sales_of_a_batch_are_noted_in_order_and_issue_one_card(loyalty: Loyalty) -> None:
    sales = Sales(loyalty)
    member = loyalty.register()["member_id"]
    first, second = sales.document(30_000, member), sales.document(30_000, member)
    acks = sales.send(first, second)
    assert [a["status"] for a in acks] == ["applied", "applied"]
    assert len(cards_of(loyalty, member)) == 1
    assert ok(_enrolment(loyalty, member))["document"] == first["id"]
    assert loyalty.count(MemberSpendRow) == 2


def test_a_redelivered_sale_counts_once(loyalty: Loyalty) -> None:
    sales = Sales(loyalty)
    member = loyalty.register()["member_id"]
    doc = sales.document(40_000, member)
    assert sales.send(doc)[0]["status"] == "applied"
    assert sales.send(doc)[0]["status"] == "duplicate"
    assert cards_of(loyalty, member) != []
    assert loyalty.count(MemberSpendRow) == 1 and loyalty.count(Card) == 1


def test_sales_of_unknown_members_or_on_a_card_are_applied_and_enrol_nobody(
    loyalty: Loyalty,
) -> None:
    sales = Sales(loyalty)
    sales.sell(90_000, "no-such-member")
    member, number = member_with_card(loyalty, "13800138003")
    sales.sell(90_000, member, card=number)  # earns through points_earn, not here
    assert loyalty.count(Card) == 1 and loyalty.count(Enrolment) == 0
    assert loyalty.count(MemberSpendRow) == 0


def test_a_member_without_a_card_climbs_tiers_with_the_spend(loyalty: Loyalty) -> None:
    sales = Sales(loyalty)
    member = loyalty.register()["member_id"]
    sale = sales.sell(200_000, member)
    tiers = ok(loyalty.get(f"/members/{member}/tiers"))
    assert tiers["tier"] == "silver"
    [move] = tiers["history"]
    assert (move["from"], move["to"], move["reason"]) == ("normal", "silver", "upgrade")
    assert (move["document"], move["period"], move["rolling_spend"]) == (sale["id"], None, 200_000)


# --- at the counter: purchase with a fee ---------------------------------------------------


def _issue_for(loyalty: Loyalty, member: str, document: str, fee: int | None) -> Any:
    body: dict[str, Any] = {"medium": "virtual", "member_id": member, "activate": True}
    body["purchase_document"] = document
    if fee is not None:
        body["fee_paid"] = fee
    return loyalty.staff("/cards", body)


def test_a_purchase_of_100_yuan_and_the_20_yuan_fee_buys_a_card(loyalty: Loyalty) -> None:
    sales = Sales(loyalty)
    purchase = sales.sell(15_000)  # an anonymous sale, before the shopper registered
    member = loyalty.register()["member_id"]
    card = ok(_issue_for(loyalty, member, purchase["id"], 2_000), 201)
    assert card["member_id"] == member and card["state"] == "active"
    enrolment = card["enrolment"]
    assert (enrolment["rule"], enrolment["fee"], enrolment["threshold"]) == (
        "purchase_with_fee",
        2_000,
        10_000,
    )
    assert (enrolment["document"], enrolment["spend"]) == (purchase["id"], 15_000)
    assert ok(_enrolment(loyalty, member)) == enrolment


def test_the_counter_refuses_a_card_the_rules_do_not_give_and_changes_nothing(
    loyalty: Loyalty,
) -> None:
    sales = Sales(loyalty)
    small, fee_rule, free_rule = sales.sell(9_999), sales.sell(15_000), sales.sell(30_000)
    member = loyalty.register()["member_id"]
    cases = [
        (small["id"], 2_000, 422, "not_eligible_for_card", "purchase_document"),
        (fee_rule["id"], 0, 422, "wrong_enrolment_fee", "fee_paid"),
        (fee_rule["id"], 1_000, 422, "wrong_enrolment_fee", "fee_paid"),
        # 300 yuan qualifies for free: charging the fee is refused.
        (free_rule["id"], 2_000, 422, "wrong_enrolment_fee", "fee_paid"),
        ("not-at-hq-yet", 2_000, 404, "unknown_document", "purchase_document"),
        (fee_rule["id"], None, 422, "validation_failed", "fee_paid"),
    ]
    for document, fee, status, code, field in cases:
        body = refused(_issue_for(loyalty, member, document, fee), status, code)
        assert field in body["fields"], body
    assert loyalty.count(Card) == 0 and loyalty.count(Enrolment) == 0
    ok(_issue_for(loyalty, member, free_rule["id"], 0), 201)
    refused(_issue_for(loyalty, member, fee_rule["id"], 2_000), 409, "member_has_card")
    other = loyalty.register("13800138009")["member_id"]
    refused(_issue_for(loyalty, other, free_rule["id"], 0), 409, "purchase_already_used")


def test_a_purchase_of_another_member_does_not_buy_a_card(loyalty: Loyalty) -> None:
    sales = Sales(loyalty)
    buyer = loyalty.register("13800138001")["member_id"]
    purchase = sales.sell(15_000, buyer)
    other = loyalty.register("13800138002")["member_id"]
    refused(_issue_for(loyalty, other, purchase["id"], 2_000), 409, "purchase_of_another_member")
    card = ok(_issue_for(loyalty, buyer, purchase["id"], 2_000), 201)
    assert card["enrolment"]["spend"] == 15_000


# --- by referral ---------------------------------------------------------------------------


def test_a_referral_by_a_silver_member_registers_with_a_card(loyalty: Loyalty) -> None:
    referrer, card = member_with_card(loyalty, "13800138001")
    make_silver(loyalty, card)
    member = loyalty.register("13800138002", referrer_id=referrer)
    assert member["card"]["medium"] == "virtual" and member["card"]["state"] == "active"
    assert member["enrolment"]["rule"] == "referral"
    assert member["enrolment"]["referrer_id"] == referrer
    assert len(cards_of(loyalty, member["member_id"])) == 1


def test_a_referral_by_a_normal_tier_member_is_refused_and_nothing_registered(
    loyalty: Loyalty,
) -> None:
    referrer, _ = member_with_card(loyalty, "13800138001")
    answer = loyalty.staff(
        "/members", {"mobile": "13800138002", "name": "李四", "referrer_id": referrer}
    )
    body = refused(answer, 422, "referrer_tier_not_allowed")
    assert "referrer_id" in body["fields"]
    assert loyalty.count(Member) == 1 and loyalty.count(Card) == 1
    refused(
        loyalty.staff("/members", {"mobile": "13800138002", "name": "李四", "referrer_id": "x"}),
        404,
        "unknown_member",
    )
