"""A store server enrolled at HQ, its copy seeded directly, with no sync thread."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from chainpos.config import StoreConfig
from chainpos.master_copy import apply_changes
from chainpos.signing import Credentials, derive_secret
from chainpos.sync.enrolment import enrol
from store_server.app import create_app
from store_server.models import MASTER, SYNC, StockMovement, StockOnHand
from tests.factories import (
    CHIPS_EAN,
    COLA_EAN,
    product_change,
    signed_request,
    store_change,
    till_change,
)

STORE_SECRET = "store-secret-from-hq"


class Store:
    """The store server's app with the calls its tills make."""

    def __init__(self, app: Flask):
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.sessions: sessionmaker[Session] = app.extensions["chainpos.sessions"]

    @staticmethod
    def till(code: str) -> Credentials:
        """A till's credentials as HQ issues them: derived from the store's secret."""
        return Credentials(code, derive_secret(STORE_SECRET, code))

    def deliver(self, creds: Credentials, *documents: dict[str, Any]) -> Any:
        target, data, headers = signed_request(
            creds, "POST", "/api/v1/sync/documents", body={"documents": list(documents)}
        )
        return self.client.post(target, data=data, headers=headers)

    def state(self) -> tuple[list[tuple[str, int]], int, int, int]:
        """Stock on hand, stock movements, outbox rows and documents received."""
        with self.sessions() as session:
            stock = sorted((s.sku, s.on_hand) for s in session.scalars(select(StockOnHand)))

            def count(model: type[Any]) -> int:
                return int(session.scalar(select(func.count()).select_from(model)) or 0)

            return stock, count(StockMovement), count(SYNC.outbox), count(SYNC.received)


@pytest.fixture
def store_app(tmp_path: Any) -> Iterator[Flask]:
    app = create_app(
        StoreConfig(
            database_url=f"sqlite:///{tmp_path / 'store.db'}", secret_key="test", run_sync=False
        )
    )
    factory: sessionmaker[Session] = app.extensions["chainpos.sessions"]
    with factory.begin() as session:
        enrol(session, SYNC, "S001", "http://hq.invalid:1", STORE_SECRET)
        apply_changes(
            session,
            MASTER,
            [
                store_change("S001"),
                store_change("S002"),
                till_change("S001-T01", "S001"),
                till_change("S001-T02", "S001"),
                till_change("S002-T01", "S002"),
                product_change("A1", [COLA_EAN], 350),
                product_change("B1", [CHIPS_EAN], 1299),
            ],
        )
    yield app
    app.extensions["chainpos.engine"].dispose()


@pytest.fixture
def store(store_app: Flask) -> Store:
    return Store(store_app)
