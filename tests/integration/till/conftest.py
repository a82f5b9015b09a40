"""A till with its local copy seeded directly, enrolled, and no sync thread."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from chainpos.auth import hash_secret, issue_token
from chainpos.config import TillConfig
from chainpos.master_copy import apply_changes
from chainpos.sync.enrolment import enrol
from pos_terminal.app import create_app
from pos_terminal.models import MASTER, SYNC, TillSale
from tests.factories import (
    APPLES_PRICE_PLU,
    APPLES_WEIGHT_PLU,
    CASHIER,
    CASHIER_PIN,
    CHIPS_EAN,
    COLA_EAN,
    MILK_EAN,
    TILL_CODE,
    price_payload,
    product_change,
    staff_change,
    store_change,
    till_change,
    utc,
)

#: What the seeded catalog sells, in fen (tax-inclusive).
COLA_PRICE = 350
COLA_PRICE_NEXT_MONTH = 399  # sent ahead, in force 30 days from now
CHIPS_PRICE = 1299
MILK_CHAIN_PRICE = 500
MILK_STORE_PRICE = 455
APPLES_PER_KG = 1299


@pytest.fixture(scope="session")
def cashier_pin_hash() -> str:
    """argon2 is slow on purpose: hash the cashier's PIN once for the whole run."""
    return hash_secret(CASHIER_PIN)


def seed_changes(pin_hash: str) -> list[dict[str, Any]]:
    return [
        store_change("S001", cash_rounding_step=10),
        store_change("S002"),
        till_change(TILL_CODE, "S001"),
        staff_change(pin_hash, CASHIER, store="S001"),
        staff_change(pin_hash, "C900", store="S002"),
        staff_change(pin_hash, "C901", store="S001", active=False),
        product_change(
            "A1",
            [COLA_EAN],
            COLA_PRICE,
            name_zh="可乐",
            name_en="Cola 330ml",
            prices=[price_payload("A1", COLA_PRICE_NEXT_MONTH, effective_from=utc(30))],
        ),
        product_change("B1", [CHIPS_EAN], CHIPS_PRICE, name_zh="薯片", name_en="Potato chips"),
        product_change(
            "M1",
            [MILK_EAN],
            MILK_CHAIN_PRICE,
            name_zh="牛奶",
            name_en="Milk 1L",
            tax_rate_bp=900,
            prices=[
                price_payload("M1", MILK_STORE_PRICE, store="S001"),
                price_payload("M1", 1, store="S002"),
                price_payload("M1", 9999, effective_from=utc(30)),
            ],
        ),
        product_change(
            "F1",
            [APPLES_WEIGHT_PLU, APPLES_PRICE_PLU],
            APPLES_PER_KG,
            name_zh="苹果",
            name_en="Apples",
            weighed=True,
            unit="kg",
        ),
    ]


class Till:
    """The till's app with the calls a cashier page makes."""

    def __init__(self, app: Flask):
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.sessions: sessionmaker[Session] = app.extensions["chainpos.sessions"]

    def token(self, staff: str = CASHIER, role: str = "cashier") -> str:
        with self.app.app_context():
            return issue_token(staff, role)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def quote(self, lines: list[dict[str, Any]]) -> Any:
        return self.client.post("/api/v1/sales/quote", json={"lines": lines}, headers=self.auth())

    def sell(self, body: Any) -> Any:
        return self.client.post("/api/v1/sales", json=body, headers=self.auth())

    def journal(self) -> tuple[int, int, int]:
        """What a sale writes: journal rows, outbox rows, and the next sequence number."""
        with self.sessions() as session:
            sales = session.scalar(select(func.count()).select_from(TillSale))
            outbox = session.scalar(select(func.count()).select_from(SYNC.outbox))
            next_seq = session.get(SYNC.enrolment, 1).next_seq
        return int(sales or 0), int(outbox or 0), int(next_seq)


@pytest.fixture
def devices_config() -> str | None:
    """The till's device configuration file; a test module overrides it to attach devices."""
    return None


@pytest.fixture
def till_app(tmp_path: Any, cashier_pin_hash: str, devices_config: str | None) -> Iterator[Flask]:
    app = create_app(
        TillConfig(
            database_url=f"sqlite:///{tmp_path / 'till.db'}",
            secret_key="test",
            run_sync=False,
            devices_config=devices_config,
        )
    )
    factory: sessionmaker[Session] = app.extensions["chainpos.sessions"]
    with factory.begin() as session:
        apply_changes(session, MASTER, seed_changes(cashier_pin_hash))
        enrol(session, SYNC, TILL_CODE, "http://store.invalid:1", "till-secret")
    yield app
    hub = app.extensions.get("chainpos.device_hub")
    if hub is not None:
        hub.stop()
    app.extensions["chainpos.engine"].dispose()


@pytest.fixture
def till(till_app: Flask) -> Till:
    return Till(till_app)
