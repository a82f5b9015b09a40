"""Concurrent use of one card on PostgreSQL: row locks keep the ledger exact."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from chainpos.config import HqConfig
from chainpos.db import make_engine, make_session_factory, migrate, unit_of_work
from chainpos.errors import AppError
from chainpos.ids import new_id
from hq_server.app import create_app
from hq_server.loyalty import cards, coupons, members, stored_value
from hq_server.loyalty.idempotency import run_once
from hq_server.loyalty.models import Account, CouponRedemption, SvEntryRow
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings, cheap_pin_hasher
from hq_server.loyalty.verification import verify_ledgers
from loyalty.errors import LoyaltyError
from tests.integration.hq.conftest import Hq
from tests.integration.hq_loyalty.conftest import Loyalty, ok

SETTINGS = LoyaltySettings(pin_hasher=cheap_pin_hasher())
DAY = date(2026, 11, 26)


@pytest.fixture
def factory(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    migrate(postgres_url, "hq", quiet=True)
    engine = make_engine(postgres_url, pool_size=60)
    yield make_session_factory(engine)
    engine.dispose()


def _card(factory: sessionmaker[Session], mobile: str = "13800138000") -> str:
    with unit_of_work(factory) as session:
        member = members.register(session, SETTINGS, mobile=mobile, name="张三", today=DAY)
        return str(
            cards.issue_card(
                session, SETTINGS, medium="virtual", member_id=member["member_id"], activate=True
            )["number"]
        )


def _origin(document: str) -> Origin:
    return Origin(document=document, business_day=DAY, store="S001", till="S001-T01", staff="C001")


def _top_up(factory: sessionmaker[Session], card: str, amount: int) -> None:
    with unit_of_work(factory) as session:
        stored_value.top_up(session, SETTINGS, amount, _origin(new_id()), number=card)


def _all_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in `count` threads released together; returns results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except (AppError, LoyaltyError) as err:
            results[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _debit(factory: sessionmaker[Session], card: str, amount: int, key: str) -> Any:
    request = {"card": card, "amount": amount}
    return run_once(
        factory,
        scope="store:S001",
        key=key,
        operation="sv.debit",
        request=request,
        work=lambda session: stored_value.debit(
            session, SETTINGS, amount, _origin(key), number=card
        ),
    )


def test_fifty_concurrent_debits_never_overdraw_and_each_is_booked_once(
    factory: sessionmaker[Session],
) -> None:
    card = _card(factory)
    _top_up(factory, card, 100_000)  # + 20,000 bonus = 120,000
    keys = [new_id() for _ in range(50)]
    results = _all_at_once(50, lambda i: _debit(factory, card, 3_000, keys[i]))
    accepted = [keys[i] for i, r in enumerate(results) if isinstance(r, tuple)]
    refusals = [r for r in results if not isinstance(r, tuple)]
    assert len(accepted) == 40
    assert {getattr(r, "code", None) for r in refusals} == {"insufficient_balance"}
    with unit_of_work(factory) as session:
        spends = session.scalars(
            select(SvEntryRow.document).where(SvEntryRow.kind == "spend")
        ).all()
        assert sorted(spends) == sorted(accepted)
        account = session.scalars(select(Account)).one()
        assert (account.sv_principal, account.sv_bonus) == (0, 0)
        assert verify_ledgers(session) == []


def test_concurrent_retries_of_one_key_apply_once_and_all_get_the_same_answer(
    factory: sessionmaker[Session],
) -> None:
    card = _card(factory)
    _top_up(factory, card, 50_000)
    key = new_id()
    results = _all_at_once(20, lambda _: _debit(factory, card, 1_000, key))
    assert all(isinstance(r, tuple) for r in results), results
    assert len({str(r) for r in results}) == 1
    with unit_of_work(factory) as session:
        count = session.scalar(
            select(func.count()).select_from(SvEntryRow).where(SvEntryRow.kind == "spend")
        )
    assert count == 1


def test_transfers_both_ways_at_once_do_not_deadlock(factory: sessionmaker[Session]) -> None:
    card_a = _card(factory)
    with unit_of_work(factory) as session:
        member_id = members.find(session, card=card_a)["member"]["member_id"]
        card_b = str(
            cards.issue_card(
                session, SETTINGS, medium="virtual", member_id=member_id, activate=True
            )["number"]
        )
    _top_up(factory, card_a, 50_000)
    _top_up(factory, card_b, 50_000)

    def move(i: int) -> Any:
        source, target = (card_a, card_b) if i % 2 else (card_b, card_a)
        with unit_of_work(factory) as session:
            return stored_value.transfer(session, SETTINGS, source, target, 100, _origin(new_id()))

    results = _all_at_once(40, move)
    assert all(isinstance(r, dict) for r in results), [
        r for r in results if not isinstance(r, dict)
    ]
    with unit_of_work(factory) as session:
        principals = sorted(a.sv_principal for a in session.scalars(select(Account)))
        assert principals == [50_000, 50_000]
        assert verify_ledgers(session) == []


def test_fifty_concurrent_signed_debits_through_the_api_never_overdraw(postgres_url: str) -> None:
    app = create_app(HqConfig(database_url=postgres_url, secret_key="test"))
    try:
        driver = Loyalty(Hq(app))
        card = driver.issue(None)["number"]  # anonymous: at most 1,000 yuan
        ok(driver.top_up(card, 90_000))
        driver.store("S001")
        results = _all_at_once(50, lambda i: driver.debit(card, 2_000, document=f"sale-{i}"))
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200] * 45 + [409] * 5
        assert driver.balance(card)["total"] == 0
        with driver.hq.sessions() as session:
            spends = session.scalars(
                select(SvEntryRow.document).where(SvEntryRow.kind == "spend")
            ).all()
            assert len(spends) == len(set(spends)) == 45
            assert verify_ledgers(session) == []
    finally:
        app.extensions["chainpos.engine"].dispose()


def test_one_coupon_redeemed_by_ten_stores_at_once_is_accepted_once(
    factory: sessionmaker[Session],
) -> None:
    with unit_of_work(factory) as session:
        code = coupons.issue(
            session,
            kind="amount_off",
            value=500,
            valid_from=DAY,
            valid_until=DAY,
            count=1,
        )["codes"][0]

    def redeem(i: int) -> Any:
        origin = Origin(new_id(), DAY, f"S{i + 1:03d}")
        with unit_of_work(factory) as session:
            return coupons.redeem(session, code, origin, spend=1_000)

    results = _all_at_once(10, redeem)
    assert sum(isinstance(r, dict) for r in results) == 1
    assert {getattr(r, "code", "ok") for r in results} == {"ok", "coupon_already_redeemed"}
    with unit_of_work(factory) as session:
        assert session.scalar(select(func.count()).select_from(CouponRedemption)) == 1
