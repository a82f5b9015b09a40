"""HQ's loyalty API under test on SQLite and PostgreSQL, driven like a store and like staff."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from chainpos.ids import new_id
from chainpos.signing import Credentials
from tests.integration.hq.conftest import (  # noqa: F401  (fixtures shared with HQ's tests)
    Hq,
    admin_password_hash,
    hq,
    hq_app,
    hq_db_url,
)

TODAY = date.today().isoformat()
MOBILE = "13800138000"


class Loyalty:
    """The loyalty calls the tests make: staff endpoints with a token, store ones signed."""

    def __init__(self, driver: Hq):
        self.hq = driver
        self.creds: dict[str, Credentials] = {}

    def store(self, code: str = "S001") -> Credentials:
        if code not in self.creds:
            self.creds[code] = self.hq.add_store(code)
        return self.creds[code]

    # staff side
    def staff(self, path: str, body: dict[str, Any] | None = None) -> Any:
        payload = {"idempotency_key": new_id(), **(body or {})}
        return self.hq.post(f"/api/v1/loyalty{path}", payload)

    def get(self, path: str, **params: Any) -> Any:
        return self.hq.get(f"/api/v1/loyalty{path}", **params)

    def register(self, mobile: str = MOBILE, name: str = "张三", **extra: Any) -> dict[str, Any]:
        return dict(self.hq.ok(self.staff("/members", {"mobile": mobile, "name": name, **extra})))

    def issue(
        self, member_id: str | None = None, medium: str = "virtual", **extra: Any
    ) -> dict[str, Any]:
        body = {"medium": medium, "member_id": member_id, "activate": True, **extra}
        return dict(self.hq.ok(self.staff("/cards", body)))

    def issue_raw(self, medium: str = "virtual", **extra: Any) -> Any:
        return self.staff("/cards", {"medium": medium, "activate": True, **extra})

    def card(self, number: str) -> dict[str, Any]:
        return dict(self.hq.ok(self.get(f"/cards/{number}"), 200))

    def balance(self, number: str) -> dict[str, int]:
        return dict(self.card(number)["balance"])

    # store side
    def signed(self, path: str, body: dict[str, Any], store: str = "S001") -> Any:
        payload = {
            "idempotency_key": new_id(),
            "document": new_id(),
            "business_day": TODAY,
            **body,
        }
        return self.hq.signed_post(self.store(store), f"/api/v1/loyalty/store{path}", payload)

    def top_up(self, card: str, amount: int, **extra: Any) -> Any:
        return self.signed(
            "/sv/credit", {"card": card, "kind": "top_up", "amount": amount, **extra}
        )

    def debit(self, card: str, amount: int, **extra: Any) -> Any:
        return self.signed("/sv/debit", {"card": card, "amount": amount, **extra})

    def earn(self, card: str, lines: list[tuple[str, int]], **extra: Any) -> Any:
        body = {
            "card": card,
            "lines": [{"line_id": i, "category": "GROC", "amount": a} for i, a in lines],
            **extra,
        }
        return self.signed("/points/earn", body)

    def feed(self, entity: str, store: str = "S001") -> list[dict[str, Any]]:
        changes = self.hq.changes(self.store(store))["changes"]
        return [c for c in changes if c["entity"] == entity]

    def count(self, model: type[Any]) -> int:
        with self.hq.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def loyalty(hq: Hq) -> Loyalty:  # noqa: F811  (pytest passes the imported `hq` fixture)
    return Loyalty(hq)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    body: dict[str, Any] = response.get_json()
    assert response.status_code == status, body
    assert body["code"] == code, body
    assert set(body) == {"code", "message", "fields"}
    return body
