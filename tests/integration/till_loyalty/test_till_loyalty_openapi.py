"""The till's and the store's OpenAPI documents list the loyalty endpoints tills use."""

from __future__ import annotations

from flask import Flask

from tests.integration.till_loyalty.conftest import LoyalTill


def _paths(app: Flask) -> dict[str, set[str]]:
    spec = app.test_client().get("/api/openapi.json").get_json()
    return {path: set(operations) for path, operations in spec["paths"].items()}


def test_the_till_documents_top_ups_and_balance_checks(loyal_till: LoyalTill) -> None:
    paths = _paths(loyal_till.app)
    assert paths["/api/v1/loyalty/top-ups"] == {"post"}
    assert paths["/api/v1/loyalty/members"] == {"get"}
    spec = loyal_till.client.get("/api/openapi.json").get_json()
    top_up = spec["paths"]["/api/v1/loyalty/top-ups"]["post"]
    assert top_up["security"] == [{"bearer": []}]
    assert "requestBody" in top_up


def test_the_store_documents_the_relay_tills_call(loyal_till: LoyalTill) -> None:
    paths = _paths(loyal_till.store.app)
    for path, method in (
        ("/api/v1/loyalty/members", "get"),
        ("/api/v1/loyalty/sv/credit", "post"),
        ("/api/v1/loyalty/points/redeem", "post"),
    ):
        assert method in paths[path], path
