"""HQ under test on SQLite and on PostgreSQL, driven through Flask's test client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from chainpos.auth import hash_secret, issue_token
from chainpos.config import HqConfig
from chainpos.signing import Credentials
from hq_server.app import create_app
from hq_server.models import Staff
from tests.factories import ADMIN, ADMIN_PASSWORD, category_in, product_in, signed_request


@pytest.fixture(scope="session")
def admin_password_hash() -> str:
    """argon2 is slow on purpose: hash the admin's password once for the whole run."""
    return hash_secret(ADMIN_PASSWORD)


@pytest.fixture(params=["sqlite", "postgres"])
def hq_db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hq.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


class Hq:
    """HQ's app with the calls the tests make, as an admin or as a signed store."""

    def __init__(self, app: Flask):
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.sessions: sessionmaker[Session] = app.extensions["chainpos.sessions"]
        self._token: str | None = None

    # staff side
    def token(self) -> str:
        """An admin's bearer token, issued directly: checking the argon2 hash on every
        test would be slow, and the password exchange has its own tests."""
        if self._token is None:
            with self.app.app_context():
                self._token = issue_token(ADMIN, "admin")
        return self._token

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, json=body, headers=self.auth())

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, query_string=params, headers=self.auth())

    def ok(self, response: Any, status: int = 201) -> Any:
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def add_category(self, code: str = "GROC", tax_rate_bp: int = 1300) -> None:
        self.ok(self.post("/api/v1/categories", category_in(code, tax_rate_bp)))

    def add_product(self, sku: str, barcodes: list[str], price: int, **extra: Any) -> Any:
        return self.ok(self.post("/api/v1/products", product_in(sku, barcodes, price, **extra)))

    def set_price(self, sku: str, price: int, **extra: Any) -> Any:
        return self.ok(self.post("/api/v1/prices", {"sku": sku, "price": price, **extra}))

    def add_store(self, code: str, **extra: Any) -> Credentials:
        body = self.ok(
            self.post("/api/v1/stores", {"code": code, "name": f"Store {code}", **extra})
        )
        return Credentials(body["key_id"], body["secret"])

    def add_till(self, store: str, code: str) -> Credentials:
        body = self.ok(self.post(f"/api/v1/stores/{store}/tills", {"code": code}))
        return Credentials(body["key_id"], body["secret"])

    # store side: signed like chainpos.sync.client
    def signed_get(self, creds: Credentials, path: str, **params: Any) -> Any:
        target, _, headers = signed_request(creds, "GET", path, params=params or None)
        return self.client.get(target, headers=headers)

    def signed_post(self, creds: Credentials, path: str, body: Any) -> Any:
        target, data, headers = signed_request(creds, "POST", path, body=body)
        return self.client.post(target, data=data, headers=headers)

    def send_documents(
        self, creds: Credentials, *documents: dict[str, Any]
    ) -> list[dict[str, Any]]:
        answer = self.signed_post(creds, "/api/v1/sync/documents", {"documents": list(documents)})
        assert answer.status_code == 200, answer.get_json()
        acks: list[dict[str, Any]] = answer.get_json()["acks"]
        return acks

    def changes(self, creds: Credentials, since: int = 0, limit: int = 1000) -> Any:
        answer = self.signed_get(creds, "/api/v1/sync/changes", since=since, limit=limit)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    def count(self, model: type[Any]) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def hq_app(hq_db_url: str, admin_password_hash: str) -> Iterator[Flask]:
    app = create_app(HqConfig(database_url=hq_db_url, secret_key="test"))
    factory: sessionmaker[Session] = app.extensions["chainpos.sessions"]
    with factory.begin() as session:
        session.add(
            Staff(
                code=ADMIN,
                name="Administrator",
                role="admin",
                password_hash=admin_password_hash,
                active=True,
            )
        )
    yield app
    app.extensions["chainpos.engine"].dispose()


@pytest.fixture
def hq(hq_app: Flask) -> Hq:
    return Hq(hq_app)
