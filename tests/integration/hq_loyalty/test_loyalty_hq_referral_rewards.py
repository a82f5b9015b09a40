"""Referral rewards at HQ: the referred member's first top-up or upgrade credits the referrer
once, on the ledger, under the reward's key. Default rules (LoyaltySettings): first top-up
of 100 yuan or more → 10 yuan bonus; reaching Gold → 1,000 points."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import unit_of_work
from chainpos.ids import new_id
from hq_server.loyalty import cards, members, stored_value
from hq_server.loyalty.models import PointsLotRow, ReferralRewardRow, SvEntryRow
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings, cheap_pin_hasher
from loyalty.enrolment import EnrolmentPolicy
from tests.integration.hq_loyalty.conftest import Loyalty, ok
from tests.integration.hq_loyalty.loyalty_events_support import make_silver, member_with_card


def _pair(loyalty: Loyalty) -> tuple[str, str, str, str]:
    """A Silver referrer with a card and the member they referred (with their card)."""
    referrer, referrer_card = member_with_card(loyalty, "13800138001")
    make_silver(loyalty, referrer_card)
    member, card = member_with_card(loyalty, "13800138002", referrer_id=referrer)
    return referrer, referrer_card, member, card


def test_the_first_top_up_credits_the_referrer_once(loyalty: Loyalty) -> None:
    referrer, referrer_card, member, card = _pair(loyalty)
    first_key = new_id()
    ok(loyalty.top_up(card, 10_000, idempotency_key=first_key, document="topup-1"))
    assert loyalty.balance(referrer_card)["bonus"] == 1_000
    # A retried top-up replays its answer; a second top-up is not a first one.
    ok(loyalty.top_up(card, 10_000, idempotency_key=first_key, document="topup-1"))
    ok(loyalty.top_up(card, 50_000))
    assert loyalty.balance(referrer_card) == {
        "principal": 0,
        "bonus": 1_000,
        "total": 1_000,
        "points": 2_000,  # the referrer's own Silver sale
    }
    assert loyalty.balance(card)["principal"] == 60_000
    [reward] = ok(loyalty.get(f"/members/{referrer}/referrals"))["earned"]
    assert reward["key"] == f"referral:first-top-up:{member}"
    assert (reward["status"], reward["bonus"], reward["points"]) == ("credited", 1_000, 0)
    assert (reward["document"], reward["store"]) == ("topup-1", "S001")
    statement = ok(loyalty.get(f"/cards/{referrer_card}/statement"))["entries"]
    assert [(e["kind"], e["bonus"], e["document"], e["store"]) for e in statement] == [
        ("bonus", 1_000, reward["key"], "S001")
    ]
    paid_for = ok(loyalty.get(f"/members/{member}/referrals"))["paid_for"]
    assert [r["key"] for r in paid_for] == [reward["key"]]


def test_a_small_first_top_up_pays_nothing_and_the_next_is_no_longer_first(
    loyalty: Loyalty,
) -> None:
    _, referrer_card, _, card = _pair(loyalty)
    ok(loyalty.top_up(card, 5_000))
    ok(loyalty.top_up(card, 20_000))
    assert loyalty.balance(referrer_card)["bonus"] == 0
    assert loyalty.count(ReferralRewardRow) == 0


def test_reaching_gold_credits_the_referrer_points_once(loyalty: Loyalty) -> None:
    referrer, referrer_card, member, card = _pair(loyalty)
    before = loyalty.balance(referrer_card)["points"]
    sale = ok(loyalty.earn(card, [("l1", 500_000)], document="sale-gold"))
    assert sale["tier"] == "gold"
    assert loyalty.balance(referrer_card)["points"] == before + 1_000
    ok(loyalty.earn(card, [("l1", 2_000_000)]))  # to Diamond: that rule already paid
    assert loyalty.balance(referrer_card)["points"] == before + 1_000
    with loyalty.hq.sessions() as session:
        lot = session.scalar(select(PointsLotRow).where(PointsLotRow.source == "referral"))
        assert lot is not None
        assert lot.document == f"referral:reached-gold:{member}"
        assert lot.available_on == lot.earned_on  # usable at once: nothing to return
    [reward] = ok(loyalty.get(f"/members/{referrer}/referrals"))["earned"]
    assert (reward["trigger"], reward["document"]) == ("upgrade", "sale-gold")
    tiers = ok(loyalty.get(f"/members/{member}/tiers"))["history"]
    assert [(m["from"], m["to"]) for m in tiers] == [("normal", "gold"), ("gold", "diamond")]


def test_a_referrer_without_a_card_is_owed_the_reward_recorded_unpaid(hq_app: Flask) -> None:
    factory: sessionmaker[Session] = hq_app.extensions["chainpos.sessions"]
    # No enrolment rules: a referral is only recorded, by any tier, and earns no card.
    rules = LoyaltySettings(enrolment=EnrolmentPolicy(()), pin_hasher=cheap_pin_hasher())
    day = date(2026, 11, 20)
    with unit_of_work(factory) as session:
        referrer = members.register(session, rules, mobile="13800138001", name="甲", today=day)
        member = members.register(
            session,
            rules,
            mobile="13800138002",
            name="乙",
            today=day,
            referrer_id=referrer["member_id"],
        )
        assert member["card"] is None
        number = cards.issue_card(
            session, rules, medium="virtual", member_id=member["member_id"], activate=True
        )["number"]
    with unit_of_work(factory) as session:
        stored_value.top_up(session, rules, 10_000, Origin("t1", day, "S001"), number=number)
    with unit_of_work(factory) as session:
        reward = session.get(ReferralRewardRow, f"referral:first-top-up:{member['member_id']}")
        assert reward is not None
        assert (reward.status, reward.card_id, reward.bonus) == ("unpaid", None, 1_000)
        assert session.scalar(select(SvEntryRow).where(SvEntryRow.kind == "bonus")) is None
