"""A store server wired to a real HQ app in-process: the store's HQ client goes through
HQ's Flask test client, signed like `SignedClient`, and a test can cut it (`hq.down`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from chainpos.config import StoreConfig
from chainpos.ids import new_id
from chainpos.master_copy import apply_changes
from chainpos.signing import Credentials, derive_secret
from chainpos.sync.client import UpstreamError
from chainpos.sync.enrolment import enrol
from loyalty.offline import OfflineLimits, OfflinePolicy
from store_server import services as store_services
from store_server.app import create_app
from store_server.loyalty.models import AuthorisationRow
from store_server.loyalty.settings import StoreLoyaltySettings
from store_server.models import MASTER, SYNC
from tests.factories import product_change, signed_request, store_change, till_change
from tests.integration.hq.conftest import (  # noqa: F401  (fixtures shared with HQ's tests)
    Hq,
    admin_password_hash,
    hq,
    hq_app,
)
from tests.integration.hq_loyalty.conftest import Loyalty

TILL = "S001-T01"
MOBILE = "13800138000"
#: Tight limits so each one can be reached in a few calls.
LIMITS = OfflineLimits(
    per_transaction=5_000, per_card_amount=8_000, per_card_count=3, store_exposure=12_000
)


@pytest.fixture
def hq_db_url(tmp_path: Any) -> str:
    """HQ's ledgers have their own PostgreSQL tests; the relay runs against SQLite."""
    return f"sqlite:///{tmp_path / 'hq.db'}"


class FlaskUpstream:
    """`SignedClient`'s interface over a Flask test client; `down` makes it unreachable."""

    def __init__(self, client: FlaskClient, creds: Credentials):
        self.client = client
        self.creds = creds
        self.down = False
        self.calls = 0

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None
    ) -> Any:
        self.calls += 1
        if self.down:
            raise UpstreamError("unreachable (cut by the test)")
        target, data, headers = signed_request(self.creds, method, path, params=params, body=body)
        answer = self.client.open(target, method=method, data=data or None, headers=headers)
        payload = answer.get_json()
        if answer.status_code >= 400:
            raise UpstreamError(f"{path}: {answer.status_code}", answer.status_code, payload)
        return payload

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, body=body)


class StoreRelay:
    """The store's app, the HQ behind it, and the calls a till makes."""

    def __init__(self, app: Flask, loyalty: Loyalty, upstream: FlaskUpstream, secret: str):
        self.app = app
        self.client = app.test_client()
        self.sessions: sessionmaker[Session] = app.extensions["chainpos.sessions"]
        self.loyalty = loyalty
        self.hq = upstream
        self.secret = secret

    def till(self, code: str = TILL) -> Credentials:
        return Credentials(code, derive_secret(self.secret, code))

    def post(self, path: str, body: dict[str, Any], till: str = TILL) -> Any:
        target, data, headers = signed_request(
            self.till(till), "POST", f"/api/v1/loyalty{path}", body=body
        )
        return self.client.post(target, data=data, headers=headers)

    def get(self, path: str, till: str = TILL, **params: Any) -> Any:
        target, _, headers = signed_request(
            self.till(till), "GET", f"/api/v1/loyalty{path}", params=params
        )
        return self.client.get(target, headers=headers)

    def debit(self, card: str, amount: int, key: str | None = None, **extra: Any) -> Any:
        body = {"idempotency_key": key or new_id(), "card": card, "amount": amount, **extra}
        return self.post("/sv/debit", body)

    def pull_feed(self) -> None:
        """Take HQ's whole feed, as the store's puller would (full states: re-applying is safe)."""
        changes = self.hq.get("/api/v1/sync/changes", {"since": 0, "limit": 5000})["changes"]
        with self.sessions.begin() as session:
            store_services.apply_hq_changes(session, changes)

    def outbox(self, doc_type: str) -> list[dict[str, Any]]:
        import json

        with self.sessions() as session:
            rows = session.scalars(
                select(SYNC.outbox).where(SYNC.outbox.doc_type == doc_type).order_by(SYNC.outbox.id)
            )
            return [json.loads(r.payload) for r in rows]

    def push(self) -> list[dict[str, Any]]:
        """Deliver the store's pending documents to HQ and mark them as HQ acknowledged them."""
        from chainpos.sync.forwarder import Forwarder

        Forwarder(self.sessions, SYNC, self.hq).push_once()  # type: ignore[arg-type]
        with self.sessions() as session:
            rows = session.scalars(select(SYNC.outbox).order_by(SYNC.outbox.id))
            return [{"doc_type": r.doc_type, "status": r.status} for r in rows]

    def authorisations(self) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(AuthorisationRow)) or 0)

    def member_card(self, mobile: str = MOBILE, top_up: int = 0) -> str:
        """A registered member with an active virtual card, topped up at HQ."""
        member = self.loyalty.register(mobile)
        card: str = self.loyalty.issue(member["member_id"])["number"]
        if top_up:
            answer = self.loyalty.top_up(card, top_up)
            assert answer.status_code == 200, answer.get_json()
        return card


def make_store(
    hq: Hq,  # noqa: F811
    tmp_path: Any,
    settings: StoreLoyaltySettings,
) -> Iterator[StoreRelay]:
    loyalty = Loyalty(hq)
    creds = loyalty.store("S001")
    hq.add_till("S001", TILL)
    upstream = FlaskUpstream(hq.client, creds)
    app = create_app(
        StoreConfig(
            database_url=f"sqlite:///{tmp_path / 'store.db'}", secret_key="test", run_sync=False
        ),
        settings,
    )
    app.extensions["chainpos.loyalty.hq"] = lambda: upstream
    factory: sessionmaker[Session] = app.extensions["chainpos.sessions"]
    with factory.begin() as session:
        enrol(session, SYNC, "S001", "http://hq.invalid:1", creds.secret)
        apply_changes(
            session,
            MASTER,
            [
                store_change("S001"),
                store_change("S002"),
                till_change(TILL, "S001"),
                till_change("S002-T01", "S002"),
                product_change("A1", ["6901234567892"], 350),
            ],
        )
    yield StoreRelay(app, loyalty, upstream, creds.secret)
    app.extensions["chainpos.engine"].dispose()


@pytest.fixture
def relay(hq: Hq, tmp_path: Any) -> Iterator[StoreRelay]:  # noqa: F811
    yield from make_store(hq, tmp_path, StoreLoyaltySettings(offline=OfflinePolicy(LIMITS, LIMITS)))


def today() -> str:
    return date.today().isoformat()
