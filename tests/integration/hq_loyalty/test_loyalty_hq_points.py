"""Points at HQ: lots pending for the return window, redemption order, returns, adjustment,
tiers and the daily expiry run."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner
from sqlalchemy import select

from chainpos.cli import main
from hq_server.loyalty.ledger import lot_from_row
from hq_server.loyalty.models import PointsEntryRow, PointsLotRow
from hq_server.models import AuditEntry
from loyalty.points import expire_points
from tests.integration.hq_loyalty.conftest import Loyalty, ok, refused


def _card(loyalty: Loyalty) -> str:
    return str(loyalty.issue(loyalty.register()["member_id"])["number"])


def test_a_sale_earns_a_pending_lot_that_cannot_be_spent_in_the_return_window(
    loyalty: Loyalty,
) -> None:
    card = _card(loyalty)
    earned = ok(loyalty.earn(card, [("l1", 12_345)], business_day="2026-03-01"))
    assert earned["points"] == 123
    assert earned["available_on"] == "2026-03-08"
    refused(
        loyalty.signed(
            "/points/redeem", {"card": card, "amount": 100, "business_day": "2026-03-07"}
        ),
        409,
        "insufficient_points",
    )
    ok(
        loyalty.signed(
            "/points/redeem", {"card": card, "amount": 100, "business_day": "2026-03-08"}
        )
    )
    assert loyalty.balance(card)["points"] == 23


def test_redemption_takes_the_soonest_expiring_lot_first(loyalty: Loyalty) -> None:
    card = _card(loyalty)
    later = ok(loyalty.earn(card, [("l1", 20_000)], business_day="2026-01-10"))["lot_id"]
    sooner = ok(loyalty.earn(card, [("l1", 20_000)], business_day="2025-03-01"))["lot_id"]
    answer = ok(
        loyalty.signed(
            "/points/redeem", {"card": card, "amount": 300, "business_day": "2026-02-01"}
        )
    )
    assert answer["points"] == 300  # 100 points pay 1 yuan
    assert answer["lots"] == [{"lot_id": sooner, "points": 200}, {"lot_id": later, "points": 100}]


def test_points_pay_only_in_whole_steps_of_the_rate(loyalty: Loyalty) -> None:
    card = _card(loyalty)
    ok(loyalty.earn(card, [("l1", 100_000)], business_day="2026-01-01"))
    refused(loyalty.signed("/points/redeem", {"card": card, "amount": 150}), 422, "invalid_amount")


def test_returns_reverse_exactly_the_points_the_sale_earned_in_proportion(
    loyalty: Loyalty,
) -> None:
    card = _card(loyalty)
    ok(
        loyalty.earn(
            card, [("l1", 6_000), ("l2", 4_000)], document="sale-1", business_day="2026-03-01"
        )
    )
    body = {"sale_document": "sale-1", "business_day": "2026-03-02"}
    first = ok(
        loyalty.signed("/points/reverse", {**body, "lines": [{"line_id": "l1", "amount": 3_000}]})
    )
    assert first["points"] == 30
    rest = ok(
        loyalty.signed(
            "/points/reverse",
            {
                **body,
                "lines": [{"line_id": "l1", "amount": 3_000}, {"line_id": "l2", "amount": 4_000}],
            },
        )
    )
    assert rest["points"] == 70
    assert loyalty.balance(card)["points"] == 0
    refused(
        loyalty.signed("/points/reverse", {**body, "lines": [{"line_id": "l2", "amount": 1}]}),
        409,
        "return_exceeds_sale",
    )


def test_points_already_spent_are_reported_unrecovered_not_hidden(loyalty: Loyalty) -> None:
    card = _card(loyalty)
    ok(loyalty.earn(card, [("l1", 20_000)], document="sale-1", business_day="2026-03-01"))
    ok(
        loyalty.signed(
            "/points/redeem", {"card": card, "amount": 100, "business_day": "2026-03-10"}
        )
    )
    answer = ok(
        loyalty.signed(
            "/points/reverse",
            {
                "sale_document": "sale-1",
                "business_day": "2026-03-11",
                "lines": [{"line_id": "l1", "amount": 20_000}],
            },
        )
    )
    assert (answer["points"], answer["unrecovered"]) == (200, 100)
    assert loyalty.balance(card)["points"] == 0


def test_a_manual_adjustment_needs_a_reason_and_is_audited(loyalty: Loyalty) -> None:
    card = _card(loyalty)
    refused(
        loyalty.staff(f"/cards/{card}/points/adjust", {"points": 10, "reason": "  "}),
        422,
        "invalid_amount",
    )
    ok(loyalty.staff(f"/cards/{card}/points/adjust", {"points": 500, "reason": "goodwill"}))
    ok(loyalty.staff(f"/cards/{card}/points/adjust", {"points": -200, "reason": "correction"}))
    refused(
        loyalty.staff(f"/cards/{card}/points/adjust", {"points": -301, "reason": "x"}),
        409,
        "insufficient_points",
    )
    assert loyalty.balance(card)["points"] == 300
    with loyalty.hq.sessions() as session:
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "loyalty.points.adjust")
        ).all()
    assert [(a.staff_code, json.loads(a.detail)["reason"]) for a in audits] == [
        ("admin", "goodwill"),
        ("admin", "correction"),
    ]


def test_the_sale_that_crosses_a_threshold_upgrades_the_tier(loyalty: Loyalty) -> None:
    card = _card(loyalty)
    below = ok(loyalty.earn(card, [("l1", 150_000)], business_day="2026-03-01"))
    assert (below["tier"], below["upgraded_from"]) == ("normal", None)
    crossing = ok(loyalty.earn(card, [("l1", 60_000)], business_day="2026-03-02"))
    assert (crossing["tier"], crossing["upgraded_from"]) == ("silver", "normal")


def test_spend_older_than_twelve_months_does_not_count_toward_the_tier(
    loyalty: Loyalty,
) -> None:
    card = _card(loyalty)
    ok(loyalty.earn(card, [("l1", 150_000)], business_day="2025-01-01"))
    still = ok(loyalty.earn(card, [("l1", 60_000)], business_day="2026-03-02"))
    assert still["tier"] == "normal"


def test_the_daily_expiry_job_expires_what_the_domain_rule_says_and_only_once(
    loyalty: Loyalty, hq_db_url: str
) -> None:
    card = _card(loyalty)
    ok(loyalty.earn(card, [("l1", 15_000)], business_day="2024-06-01"))  # valid to 2025-12-31
    ok(loyalty.earn(card, [("l1", 20_000)], business_day="2025-06-01"))  # valid to 2026-12-31
    ok(
        loyalty.signed(
            "/points/redeem", {"card": card, "amount": 100, "business_day": "2025-07-01"}
        )
    )
    with loyalty.hq.sessions() as session:
        lots = [lot_from_row(r) for r in session.scalars(select(PointsLotRow))]
    expected = expire_points(lots, date(2026, 1, 1))
    assert [e.points for e in expected] == [-50]
    runner = CliRunner()
    first = runner.invoke(
        main, ["hq", "loyalty", "expire", "--db", hq_db_url, "--on", "2026-01-01"]
    )
    assert first.exit_code == 0, first.output
    assert "expired 1 lots" in first.output
    again = runner.invoke(
        main, ["hq", "loyalty", "expire", "--db", hq_db_url, "--on", "2026-01-01"]
    )
    assert "expired 0 lots" in again.output
    with loyalty.hq.sessions() as session:
        expired = session.scalars(
            select(PointsEntryRow).where(PointsEntryRow.kind == "expire")
        ).all()
    assert [(e.lot_id, e.points) for e in expired] == [(x.lot_id, x.points) for x in expected]
    assert loyalty.balance(card)["points"] == 200
    verify = runner.invoke(main, ["hq", "loyalty", "verify", "--db", hq_db_url])
    assert verify.exit_code == 0, verify.output
