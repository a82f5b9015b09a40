"""The period-end tier review: downgrades by the configured policy, batches, once per period,
the tier history, the staff endpoint and `chainpos hq loyalty review-tiers`."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from chainpos.cli import main
from chainpos.db import unit_of_work
from chainpos.ids import new_id
from hq_server.loyalty import cards, members, points
from hq_server.loyalty.models import Member, TierHistoryRow
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import RULES_ENV, LoyaltySettings, cheap_pin_hasher
from hq_server.loyalty.tier_review import ReviewPolicyChanged, ReviewSummary, review_tiers
from loyalty.points_earn import EarnLine
from loyalty.tiers import DEMO_LADDER, DowngradePolicy
from tests.integration.hq_loyalty.conftest import Loyalty, ok, refused

PERIOD_END = date(2026, 10, 31)  # window (2025-10-31, 2026-10-31]


def _rules(policy: DowngradePolicy) -> LoyaltySettings:
    return LoyaltySettings(
        ladder=replace(DEMO_LADDER, downgrade=policy), pin_hasher=cheap_pin_hasher()
    )


def _member(
    factory: sessionmaker[Session], rules: LoyaltySettings, mobile: str, *sales: tuple[str, int]
) -> str:
    """A member with a card and sales (business day, fen); each sale may upgrade them."""
    with unit_of_work(factory) as session:
        member_id = str(
            members.register(session, rules, mobile=mobile, name="王", today=date(2025, 1, 1))[
                "member_id"
            ]
        )
        number = cards.issue_card(
            session, rules, medium="virtual", member_id=member_id, activate=True
        )["number"]
    for day, amount in sales:
        with unit_of_work(factory) as session:
            origin = Origin(new_id(), date.fromisoformat(day), "S001")
            points.earn(session, rules, [EarnLine("1", "GROC", amount)], origin, number=number)
    return member_id


def _tiers(factory: sessionmaker[Session]) -> dict[str, str]:
    with unit_of_work(factory) as session:
        return {m.id: m.tier_code for m in session.scalars(select(Member))}


def _history(factory: sessionmaker[Session], period: str) -> list[tuple[str, str, str, str]]:
    with unit_of_work(factory) as session:
        rows = session.scalars(
            select(TierHistoryRow)
            .where(TierHistoryRow.period == period)
            .order_by(TierHistoryRow.id)
        )
        return [(r.member_id, r.from_tier, r.to_tier, r.reason) for r in rows]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (DowngradePolicy.TO_QUALIFYING, {"lapsed": "normal", "kept": "gold", "fell": "silver"}),
        (DowngradePolicy.ONE_STEP, {"lapsed": "silver", "kept": "gold", "fell": "silver"}),
        (DowngradePolicy.NEVER, {"lapsed": "gold", "kept": "gold", "fell": "gold"}),
    ],
)
def test_the_review_moves_members_by_the_configured_policy_once_per_period(
    hq_app: Flask, policy: DowngradePolicy, expected: dict[str, str]
) -> None:
    factory: sessionmaker[Session] = hq_app.extensions["chainpos.sessions"]
    rules = _rules(policy)
    ids = {
        # Gold a year and a half ago, nothing since.
        "lapsed": _member(factory, rules, "13800138001", ("2025-05-01", 600_000)),
        # Gold, and spent enough for Gold inside the window.
        "kept": _member(factory, rules, "13800138002", ("2026-06-01", 500_000)),
        # Gold, but only Silver's worth inside the window.
        "fell": _member(
            factory, rules, "13800138003", ("2025-05-01", 500_000), ("2026-06-01", 250_000)
        ),
    }
    assert set(_tiers(factory).values()) == {"gold"}
    progress: list[ReviewSummary] = []
    first = review_tiers(factory, rules, PERIOD_END, batch=2, progress=progress.append)
    assert (first.reviewed, first.finished, first.already_done) == (3, True, False)
    assert [p.reviewed for p in progress] == [2, 3, 3]
    tiers = _tiers(factory)
    assert {name: tiers[member] for name, member in ids.items()} == expected
    moved = _history(factory, "2026-10-31")
    assert first.changed == len(moved)
    assert all(reason == "downgrade" for *_, reason in moved)
    # The same period again changes nothing (one_step would otherwise drop a second rung).
    again = review_tiers(factory, rules, PERIOD_END)
    assert again.already_done and (again.reviewed, again.changed) == (3, first.changed)
    assert _tiers(factory) == tiers and _history(factory, "2026-10-31") == moved


class Stop(Exception):
    """The process dies between two batches."""


def test_an_interrupted_review_resumes_where_it_stopped(hq_app: Flask) -> None:
    factory: sessionmaker[Session] = hq_app.extensions["chainpos.sessions"]
    rules = _rules(DowngradePolicy.TO_QUALIFYING)
    for n in range(3):
        _member(factory, rules, f"1380013800{n}", ("2025-05-01", 600_000))

    def stop_after_first_batch(summary: ReviewSummary) -> None:
        raise Stop

    with pytest.raises(Stop):
        review_tiers(factory, rules, PERIOD_END, batch=1, progress=stop_after_first_batch)
    assert len(_history(factory, "2026-10-31")) == 1
    # Resuming under another policy would review one period under two rules: refused.
    with pytest.raises(ReviewPolicyChanged):
        review_tiers(factory, _rules(DowngradePolicy.NEVER), PERIOD_END, batch=1)
    done = review_tiers(factory, rules, PERIOD_END, batch=1)
    assert (done.reviewed, done.changed) == (3, 3)
    assert len(_history(factory, "2026-10-31")) == 3
    assert set(_tiers(factory).values()) == {"normal"}


def test_a_period_that_has_not_ended_is_not_reviewed(hq_app: Flask) -> None:
    factory: sessionmaker[Session] = hq_app.extensions["chainpos.sessions"]
    with pytest.raises(Exception, match="has not ended yet"):
        review_tiers(factory, _rules(DowngradePolicy.ONE_STEP), date(2099, 12, 31))


def test_staff_run_the_review_and_read_each_members_tier_history(loyalty: Loyalty) -> None:
    member = loyalty.register()["member_id"]
    card = loyalty.issue(member)["number"]
    ok(loyalty.earn(card, [("l1", 200_000)], business_day="2025-03-01"))
    answer = ok(loyalty.hq.post("/api/v1/loyalty/tiers/reviews", {"period_end": "2026-10-31"}))
    assert answer == {
        "period": "2026-10-31",
        "policy": "to_qualifying",
        "reviewed": 1,
        "changed": 1,
        "finished": True,
        "already_done": False,
    }
    again = ok(loyalty.hq.post("/api/v1/loyalty/tiers/reviews", {"period_end": "2026-10-31"}))
    assert again["already_done"] and again["changed"] == 1
    assert ok(loyalty.get("/tiers/reviews/2026-10-31"))["finished"] is True
    refused(loyalty.get("/tiers/reviews/2026-09-30"), 404, "unknown_review")
    history = ok(loyalty.get(f"/members/{member}/tiers"))
    assert history["tier"] == "normal"
    assert [(m["from"], m["to"], m["reason"], m["period"]) for m in history["history"]] == [
        ("normal", "silver", "upgrade", None),
        ("silver", "normal", "downgrade", "2026-10-31"),
    ]
    body = refused(loyalty.hq.post("/api/v1/loyalty/tiers/reviews", {}), 422, "validation_failed")
    assert "period_end" in body["fields"]


def test_the_review_command_reports_progress_and_exits_by_outcome(
    loyalty: Loyalty, hq_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.earn(card, [("l1", 200_000)], business_day="2025-03-01"))
    runner = CliRunner()
    command = ["hq", "loyalty", "review-tiers", "--db", hq_db_url]
    first = runner.invoke(main, [*command, "--on", "2026-10-31"])
    assert first.exit_code == 0, first.output
    assert "reviewed 1 members, 1 changed" in first.output
    assert "policy to_qualifying: 1 members, 1 changed" in first.output
    again = runner.invoke(main, [*command, "--on", "2026-10-31"])
    assert again.exit_code == 0, again.output
    assert "already reviewed" in again.output and "nothing changed" in again.output
    future = runner.invoke(main, [*command, "--on", "2099-12-31"])
    assert future.exit_code == 1 and "has not ended yet" in future.output
    malformed = runner.invoke(main, [*command, "--on", "31/10/2026"])
    assert malformed.exit_code == 2
    monkeypatch.setenv(RULES_ENV, '{"ladder": {"tiers": [], "downgrade": "sometimes"}}')
    misconfigured = runner.invoke(main, [*command, "--on", "2026-09-30"])
    assert misconfigured.exit_code == 1 and "refused" in misconfigured.output
    monkeypatch.setenv(RULES_ENV, '{"ladder": ' + _ladder_json("one_step") + "}")
    one_step = runner.invoke(main, [*command, "--on", "2026-09-30"])
    assert one_step.exit_code == 0, one_step.output
    assert "policy one_step" in one_step.output
    with loyalty.hq.sessions() as session:
        periods = session.scalar(select(func.count(func.distinct(TierHistoryRow.period))))
    assert periods == 1  # the member was already Normal: nothing moved on 09-30


def _ladder_json(policy: str) -> str:
    return json.dumps({**DEMO_LADDER.to_dict(), "downgrade": policy})
