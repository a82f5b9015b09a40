"""The store cut off from HQ: points within the offline limits, journaled, posted later."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from chainpos.ids import new_id
from hq_server import reports
from hq_server.loyalty.models import PointsEntryRow, PointsLotRow
from hq_server.loyalty.verification import verify_ledgers
from store_server.loyalty import offline
from store_server.loyalty.models import CardPointsRow
from tests.integration.hq_loyalty.conftest import ok, refused
from tests.integration.store_loyalty.conftest import StoreRelay

# The relay's limits (LIMITS in conftest), read in points at 100 points = 1 yuan:
# 5,000 a redemption, 8,000 or 3 redemptions a card, 12,000 unposted in the store.


def _known_points(relay: StoreRelay, points: int, mobile: str = "13800138000") -> str:
    """A card with `points` available that touched HQ through this store."""
    card = relay.member_card(mobile)
    ok(relay.loyalty.staff(f"/cards/{card}/points/adjust", {"points": points, "reason": "gift"}))
    ok(relay.get("/members", card=card))
    return card


def _redeem(relay: StoreRelay, card: str, amount: int, key: str | None = None, **extra: Any) -> Any:
    body = {"idempotency_key": key or new_id(), "card": card, "amount": amount, **extra}
    return relay.post("/points/redeem", body)


def _hq_points(relay: StoreRelay, card: str) -> int:
    return int(relay.loyalty.balance(card)["points"])


def test_offline_points_redemption_is_authorised_and_journaled(relay: StoreRelay) -> None:
    card = _known_points(relay, 10_000)
    relay.hq.down = True
    answer = ok(_redeem(relay, card, 3_000, document="sale-1", staff="C001"))
    assert answer["mode"] == "offline"
    assert (answer["amount"], answer["points_used"], answer["points"]) == (3_000, 3_000, 7_000)
    [document] = relay.outbox("points_offline_redeem")
    assert answer["reference"] == f"PTO:{document['id']}"
    body = document["body"]
    assert (body["card"], body["amount"], body["points"], body["document"]) == (
        card,
        3_000,
        3_000,
        "sale-1",
    )
    assert body["till"] == "S001-T01" and body["authorisation"]["outcome"] == "authorised"
    assert _hq_points(relay, card) == 10_000  # HQ has not heard yet


def test_offline_points_refused_over_the_per_transaction_limit(relay: StoreRelay) -> None:
    card = _known_points(relay, 10_000)
    relay.hq.down = True
    refused(_redeem(relay, card, 5_100), 409, "over_transaction_limit")
    assert relay.outbox("points_offline_redeem") == []
    assert relay.authorisations() == 0


def test_offline_points_refused_beyond_the_last_known_points(relay: StoreRelay) -> None:
    card = _known_points(relay, 3_000)
    relay.hq.down = True
    ok(_redeem(relay, card, 2_000))
    refused(_redeem(relay, card, 1_100), 409, "beyond_known_balance")
    ok(_redeem(relay, card, 1_000))


def test_offline_points_stop_at_the_per_card_count_and_amount(relay: StoreRelay) -> None:
    counted = _known_points(relay, 10_000, "13800138001")
    summed = _known_points(relay, 20_000, "13800138002")
    relay.hq.down = True
    for _ in range(3):
        ok(_redeem(relay, counted, 100))
    refused(_redeem(relay, counted, 100), 409, "over_card_count")
    ok(_redeem(relay, summed, 5_000))
    refused(_redeem(relay, summed, 3_100), 409, "over_card_amount")
    ok(_redeem(relay, summed, 3_000))


def test_offline_points_refused_beyond_the_store_exposure_cap(relay: StoreRelay) -> None:
    first = _known_points(relay, 20_000, "13800138001")
    second = _known_points(relay, 20_000, "13800138002")
    relay.hq.down = True
    ok(_redeem(relay, first, 5_000))
    ok(_redeem(relay, first, 3_000))
    ok(_redeem(relay, second, 4_000))  # 12,000 points unposted: the cap
    refused(_redeem(relay, second, 100), 409, "over_store_exposure")


def test_stored_value_and_points_have_separate_exposure(relay: StoreRelay) -> None:
    card = relay.member_card(top_up=10_000)
    ok(relay.loyalty.staff(f"/cards/{card}/points/adjust", {"points": 5_000, "reason": "gift"}))
    ok(relay.get("/members", card=card))
    relay.hq.down = True
    ok(relay.debit(card, 5_000))
    ok(_redeem(relay, card, 5_000))
    with relay.sessions() as session:
        assert offline.store_exposure(session) == 5_000
        assert offline.points_exposure(session) == 5_000


def test_offline_points_refused_for_a_card_this_store_never_saw_or_a_hot_card(
    relay: StoreRelay,
) -> None:
    never = relay.member_card("13800138001")
    ok(relay.loyalty.staff(f"/cards/{never}/points/adjust", {"points": 900, "reason": "gift"}))
    lost = _known_points(relay, 900, "13800138002")
    ok(relay.loyalty.staff(f"/cards/{lost}/freeze"))
    relay.pull_feed()
    relay.hq.down = True
    refused(_redeem(relay, never, 100), 409, "unknown_card")
    refused(_redeem(relay, lost, 100), 409, "hot_listed")


def test_an_amount_points_cannot_pay_offline_is_bad_input(relay: StoreRelay) -> None:
    card = _known_points(relay, 1_000)
    relay.hq.down = True
    body = refused(_redeem(relay, card, 150), 422, "invalid_amount")
    assert "amount" in body["fields"]
    assert relay.authorisations() == 0


def test_offline_retry_with_the_same_key_is_one_redemption(relay: StoreRelay) -> None:
    card = _known_points(relay, 1_000)
    relay.hq.down = True
    key = new_id()
    assert ok(_redeem(relay, card, 500, key)) == ok(_redeem(relay, card, 500, key))
    relay.hq.down = False
    assert ok(_redeem(relay, card, 500, key))["mode"] == "offline"  # still the first answer
    assert len(relay.outbox("points_offline_redeem")) == 1
    refused(_redeem(relay, card, 600, key), 409, "idempotency_key_reused")


def test_last_known_points_come_from_every_answer_that_shows_them(relay: StoreRelay) -> None:
    card = relay.member_card(top_up=1_000)
    ok(relay.loyalty.staff(f"/cards/{card}/points/adjust", {"points": 600, "reason": "gift"}))
    ok(relay.debit(card, 100))  # an online debit answers with the card's points too
    with relay.sessions() as session:
        row = session.get(CardPointsRow, card)
        assert row is not None and row.known_points == 600
    ok(_redeem(relay, card, 200))  # online redemption: HQ's points after it
    with relay.sessions() as session:
        assert session.get(CardPointsRow, card).known_points == 400  # type: ignore[union-attr]
    relay.hq.down = True
    refused(_redeem(relay, card, 500), 409, "beyond_known_balance")
    ok(_redeem(relay, card, 400))


def test_offline_points_post_once_soonest_expiring_first_and_free_the_exposure(
    relay: StoreRelay,
) -> None:
    card = relay.member_card()
    # 3,000 points earned long ago (usable to the end of next year) and 5,000 given today.
    ok(relay.loyalty.earn(card, [("l1", 300_000)], business_day="2025-03-01"))
    ok(relay.loyalty.staff(f"/cards/{card}/points/adjust", {"points": 5_000, "reason": "gift"}))
    ok(relay.get("/members", card=card))
    relay.hq.down = True
    ok(_redeem(relay, card, 4_000, document="sale-p"))
    relay.hq.down = False
    statuses = relay.push()
    relay.push()  # nothing left to send: no second posting
    assert {"doc_type": "points_offline_redeem", "status": "delivered"} in statuses
    assert _hq_points(relay, card) == 4_000
    with relay.loyalty.hq.sessions() as session:
        entries = session.execute(
            select(PointsLotRow.source, PointsEntryRow.points, PointsEntryRow.store_code)
            .join(PointsLotRow, PointsLotRow.id == PointsEntryRow.lot_id)
            .where(PointsEntryRow.document == "sale-p")
            .order_by(PointsEntryRow.id)
        ).all()
        assert [tuple(e) for e in entries] == [
            ("sale", -3_000, "S001"),
            ("adjustment", -1_000, "S001"),
        ]
        assert verify_ledgers(session) == []
    with relay.sessions() as session:
        assert offline.points_exposure(session) == 0
    ok(relay.get("/members", card=card))  # touches HQ: counters start afresh
    with relay.sessions() as session:
        row = session.get(CardPointsRow, card)
        assert row is not None and (row.known_points, row.offline_count) == (4_000, 0)


def test_points_spent_elsewhere_meanwhile_become_a_flagged_overdraft(relay: StoreRelay) -> None:
    card = _known_points(relay, 5_000)
    relay.hq.down = True
    ok(_redeem(relay, card, 4_000, document="sale-o"))
    # Meanwhile the member spends 3,000 points online at another store.
    ok(relay.loyalty.signed("/points/redeem", {"card": card, "amount": 3_000}, store="S002"))
    relay.hq.down = False
    relay.push()
    assert _hq_points(relay, card) == -2_000  # owed, not hidden
    with relay.loyalty.hq.sessions() as session:
        flagged = reports.loyalty_overdrafts(session, "2000-01-01", "2100-01-01")
        assert verify_ledgers(session) == []
    assert [(f["kind"], f["overdraft"], f["store"], f["document"]) for f in flagged] == [
        ("points", 2_000, "S001", "sale-o")
    ]


def test_the_points_rate_and_limits_come_from_the_environment(monkeypatch: Any) -> None:
    from loyalty.points_earn import RedemptionRate
    from store_server.loyalty.settings import (
        OFFLINE_LIMITS_ENV,
        POINTS_RATE_ENV,
        StoreLoyaltySettings,
    )

    limits = {"per_transaction": 1, "per_card_amount": 2, "per_card_count": 3}
    policy = {
        "stored_value": {**limits, "store_exposure": 4},
        "points": {**limits, "store_exposure": 9},
    }
    monkeypatch.setenv(OFFLINE_LIMITS_ENV, json.dumps(policy))
    monkeypatch.setenv(POINTS_RATE_ENV, json.dumps({"points": 50, "fen": 100}))
    settings = StoreLoyaltySettings.from_env()
    assert settings.redemption == RedemptionRate(50, 100)
    assert settings.offline.points.store_exposure == 9
    assert settings.redemption.points_for(300) == 150
