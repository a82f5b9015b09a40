"""The ledger follows the policies in force: spend order and caps come from the settings."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import unit_of_work
from chainpos.ids import new_id
from hq_server.loyalty import cards, members, stored_value
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings, cheap_pin_hasher
from loyalty.stored_value import BonusStep, SpendOrder, StoredValuePolicy

DAY = date(2026, 11, 26)


def _settings(order: SpendOrder) -> LoyaltySettings:
    policy = StoredValuePolicy(bonus_steps=(BonusStep(10_000, 5_000),), spend_order=order)
    return LoyaltySettings(stored_value=policy, pin_hasher=cheap_pin_hasher())


@pytest.mark.parametrize(
    ("order", "split"),
    [
        (SpendOrder.BONUS_FIRST, (-1_000, -5_000)),
        (SpendOrder.PRINCIPAL_FIRST, (-6_000, 0)),
        (SpendOrder.PROPORTIONAL, (-4_000, -2_000)),
    ],
)
def test_a_debit_takes_principal_and_bonus_in_the_configured_order(
    hq_app: Flask, order: SpendOrder, split: tuple[int, int]
) -> None:
    factory: sessionmaker[Session] = hq_app.extensions["chainpos.sessions"]
    rules = _settings(order)
    with unit_of_work(factory) as session:
        member = members.register(session, rules, mobile="13800138000", name="张三", today=DAY)
        number = cards.issue_card(
            session, rules, medium="virtual", member_id=member["member_id"], activate=True
        )["number"]
        stored_value.top_up(session, rules, 10_000, Origin(new_id(), DAY, "S001"), number=number)
    with unit_of_work(factory) as session:
        answer = stored_value.debit(
            session, rules, 6_000, Origin(new_id(), DAY, "S001"), number=number
        )
    entry = answer["entries"][0]
    assert (entry["principal"], entry["bonus"]) == split
    assert answer["balance"]["total"] == 9_000
