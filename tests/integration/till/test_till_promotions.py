"""Promotions at the till: applied offline from the local copy, explained on the receipt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from chainpos.master_copy import apply_changes
from pos_terminal import selling
from pos_terminal.models import MASTER
from retail.promotions.definitions import from_dict, to_dict
from tests.factories import CHIPS_EAN, COLA_EAN

COLA_PRICE = 350
CHIPS_PRICE = 1299


def _promotion(promo_id: str, name: str, **overrides: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "id": promo_id,
        "name": name,
        "kind": "item_discount",
        "target": {"product_ids": ["A1"]},
        "rule": {"mode": "percent", "percent": "20"},
    }
    definition.update(overrides)
    # As HQ sends it: the engine's full wire form.
    return {"entity": "promotion", "key": promo_id, "payload": to_dict(from_dict(definition))}


def _give(app: Flask, *changes: dict[str, Any]) -> None:
    factory: sessionmaker[Session] = app.extensions["chainpos.sessions"]
    with factory.begin() as session:
        apply_changes(session, MASTER, list(changes))


def test_item_discount_from_the_feed_lowers_the_quote_and_names_itself(till: Any) -> None:
    _give(till.app, _promotion("P-COLA", "可乐8折 Cola 20% off"))
    quote = till.quote([{"barcode": COLA_EAN, "qty": 2}, {"barcode": CHIPS_EAN, "qty": 1}])
    body = quote.get_json()
    assert quote.status_code == 200, body
    cola = body["lines"][0]
    assert cola["regular_amount"] == 2 * COLA_PRICE
    assert cola["amount"] == 2 * COLA_PRICE - 140
    assert cola["savings"] == [
        {"promotion_id": "P-COLA", "name": "可乐8折 Cola 20% off", "amount": 140}
    ]
    assert body["total"] == 2 * COLA_PRICE - 140 + CHIPS_PRICE
    assert body["saving"] == 140
    assert sum(line["amount"] for line in body["lines"]) == body["total"]


def test_completed_sale_carries_savings_to_the_receipt_and_the_document(till: Any) -> None:
    _give(till.app, _promotion("P-COLA", "可乐8折 Cola 20% off"))
    answer = till.sell(
        {
            "lines": [{"barcode": COLA_EAN, "qty": 2}],
            "tenders": [{"method": "cash", "amount": 1000}],
        }
    )
    sale = answer.get_json()
    assert answer.status_code == 201, sale
    assert sale["total"] == 560
    assert "可乐8折 Cola 20% off" in sale["receipt_text"]
    assert "-1.40" in sale["receipt_text"]
    assert sale["applied"] == [
        {"promotion_id": "P-COLA", "name": "可乐8折 Cola 20% off", "amount": 140}
    ]


def test_paused_promotion_no_longer_applies(till: Any) -> None:
    _give(till.app, _promotion("P-COLA", "Cola 20% off"))
    assert till.quote([{"barcode": COLA_EAN, "qty": 1}]).get_json()["saving"] == 70
    _give(till.app, _promotion("P-COLA", "Cola 20% off", status="paused"))
    assert till.quote([{"barcode": COLA_EAN, "qty": 1}]).get_json()["saving"] == 0


def test_time_limited_promotion_starts_and_stops_on_the_till_clock(till: Any) -> None:
    start = datetime.now(UTC) + timedelta(hours=1)
    end = start + timedelta(hours=2)
    _give(
        till.app,
        _promotion(
            "P-HAPPY",
            "Happy hour",
            schedule={"starts_at": start.isoformat(), "ends_at": end.isoformat()},
        ),
    )
    factory: sessionmaker[Session] = till.app.extensions["chainpos.sessions"]
    lines = [{"barcode": COLA_EAN, "qty": 1}]
    with factory() as session:
        before = selling.quote(session, lines, at=start - timedelta(seconds=1))
        during = selling.quote(session, lines, at=start + timedelta(minutes=30))
        after = selling.quote(session, lines, at=end + timedelta(seconds=1))
    assert (before.saving, during.saving, after.saving) == (0, 70, 0)


def test_promotion_for_another_store_does_not_apply(till: Any) -> None:
    _give(till.app, _promotion("P-S002", "S002 only", audience={"store_ids": ["S002"]}))
    assert till.quote([{"barcode": COLA_EAN, "qty": 1}]).get_json()["saving"] == 0


def test_an_identified_gold_member_gets_the_tier_discount_and_others_do_not(till: Any) -> None:
    from pos_terminal.loyalty import MemberOnSale

    _give(
        till.app,
        _promotion(
            "P-GOLD",
            "金卡95折 Gold 5% off",
            kind="tier_discount",
            target={"all": True},
            rule={"percent_by_tier": {"gold": "10"}},
        ),
    )
    factory: sessionmaker[Session] = till.app.extensions["chainpos.sessions"]
    lines = [{"barcode": COLA_EAN, "qty": 2}]
    gold = MemberOnSale(card="C1", member_id="M1", tier="gold", found=True)
    silver = MemberOnSale(card="C2", member_id="M2", tier="silver", found=True)
    with factory() as session:
        assert selling.quote(session, lines, member=gold).saving == 70
        assert selling.quote(session, lines, member=silver).saving == 0
        assert selling.quote(session, lines).saving == 0


def test_a_coupon_triggered_offer_needs_its_code(till: Any) -> None:
    _give(till.app, _promotion("P-CPN", "Coupon 20% off", audience={"coupon_code": "WELCOME"}))
    factory: sessionmaker[Session] = till.app.extensions["chainpos.sessions"]
    lines = [{"barcode": COLA_EAN, "qty": 1}]
    with factory() as session:
        assert selling.quote(session, lines).saving == 0
        assert selling.quote(session, lines, coupon_codes=["WELCOME"]).saving == 70


def test_a_birthday_offer_applies_in_the_members_birthday_week_only(till: Any) -> None:
    from datetime import date

    from pos_terminal.loyalty import MemberOnSale

    _give(
        till.app, _promotion("P-BDAY", "生日周8折 Birthday week", audience={"birthday_week": True})
    )
    factory: sessionmaker[Session] = till.app.extensions["chainpos.sessions"]
    lines = [{"barcode": COLA_EAN, "qty": 1}]
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    in_week = MemberOnSale(
        card="C1",
        member_id="M1",
        tier="normal",
        found=True,
        birthday=date(1990, today.month, min(today.day, 28)),
    )
    away = date(1990, 1 + (today.month + 5) % 12, 15)
    elsewhere = MemberOnSale(card="C2", member_id="M2", tier="normal", found=True, birthday=away)
    with factory() as session:
        at = datetime.now(UTC)
        assert selling.quote(session, lines, at=at, member=in_week).saving == 70
        assert selling.quote(session, lines, at=at, member=elsewhere).saving == 0
        assert selling.quote(session, lines, at=at).saving == 0
