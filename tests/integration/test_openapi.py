"""Every tier publishes a valid OpenAPI 3 document with its minimum contract, and /healthz."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from chainpos.config import HqConfig, StoreConfig, TillConfig
from hq_server.app import create_app as create_hq
from pos_terminal.app import create_app as create_till
from store_server.app import create_app as create_store

CONTRACT: dict[str, dict[str, set[str]]] = {
    "till": {
        "/api/v1/auth/sign-in": {"post"},
        "/api/v1/products": {"get"},
        "/api/v1/sales/quote": {"post"},
        "/api/v1/sales": {"post"},
        "/api/v1/sync/status": {"get"},
    },
    "store": {
        "/api/v1/sync/status": {"get"},
        "/api/v1/sync/documents": {"post"},
        "/api/v1/sync/changes": {"get"},
        "/api/v1/sync/snapshot": {"get"},
    },
    "hq": {
        "/api/v1/auth/token": {"post"},
        "/api/v1/reports/sales": {"get"},
        "/api/v1/stock": {"get"},
        "/api/v1/sync/status": {"get"},
        "/api/v1/sync/documents": {"post"},
        "/api/v1/sync/changes": {"get"},
    },
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Flask]]:
    base = tmp_path_factory.mktemp("openapi")
    built = {
        "hq": create_hq(HqConfig(database_url=f"sqlite:///{base / 'hq.db'}", secret_key="t")),
        "store": create_store(
            StoreConfig(
                database_url=f"sqlite:///{base / 'store.db'}", secret_key="t", run_sync=False
            )
        ),
        "till": create_till(
            TillConfig(database_url=f"sqlite:///{base / 'till.db'}", secret_key="t", run_sync=False)
        ),
    }
    yield built
    for app in built.values():
        app.extensions["chainpos.engine"].dispose()


def spec_of(app: Flask) -> dict[str, Any]:
    answer = app.test_client().get("/api/openapi.json")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    spec: dict[str, Any] = answer.get_json()
    return spec


def resolve(spec: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = spec
    for part in ref[2:].split("/"):
        assert part in node, f"dangling $ref {ref}"
        node = node[part]
    return node


def refs_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


@pytest.mark.parametrize("tier", sorted(CONTRACT))
def test_the_openapi_document_has_the_structure_of_openapi_3(
    apps: dict[str, Flask], tier: str
) -> None:
    spec = spec_of(apps[tier])
    assert re.fullmatch(r"3\.\d+\.\d+", spec["openapi"])
    assert spec["info"]["title"]
    assert spec["info"]["version"]
    assert spec["paths"]
    for path, operations in spec["paths"].items():
        assert path.startswith("/"), path
        for method, operation in operations.items():
            assert method in HTTP_METHODS, (path, method)
            assert operation["responses"], (path, method)
            for name in re.findall(r"{([^}]+)}", path):
                assert {"in": "path", "name": name} in [
                    {"in": p.get("in"), "name": p.get("name")}
                    for p in operation.get("parameters", [])
                ], (path, name)
            for requirement in operation.get("security", []):
                for scheme in requirement:
                    assert scheme in spec["components"]["securitySchemes"], scheme
    for ref in refs_in(spec):
        resolve(spec, ref)


@pytest.mark.parametrize("tier", sorted(CONTRACT))
def test_the_openapi_document_validates_against_the_openapi_schema(
    apps: dict[str, Flask], tier: str
) -> None:
    # openapi-spec-validator is a test-only dependency (pip install openapi-spec-validator).
    from openapi_spec_validator import validate

    validate(spec_of(apps[tier]))


@pytest.mark.parametrize("tier", sorted(CONTRACT))
def test_the_openapi_document_lists_the_minimum_contract(apps: dict[str, Flask], tier: str) -> None:
    paths = spec_of(apps[tier])["paths"]
    for path, methods in CONTRACT[tier].items():
        assert path in paths, f"{tier} does not document {path}"
        assert methods <= set(paths[path]), (tier, path, set(paths[path]))


def test_the_documented_paths_are_the_routes_the_app_serves(apps: dict[str, Flask]) -> None:
    for tier, app in apps.items():
        rules = {
            re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", r.rule) for r in app.url_map.iter_rules()
        }
        assert set(spec_of(app)["paths"]) <= rules, tier


def test_signed_sync_endpoints_are_documented_as_signed(apps: dict[str, Flask]) -> None:
    spec = spec_of(apps["hq"])
    assert spec["paths"]["/api/v1/sync/documents"]["post"]["security"] == [{"signed": []}]
    assert spec["paths"]["/api/v1/stock"]["get"]["security"] == [{"bearer": []}]


@pytest.mark.parametrize("tier", sorted(CONTRACT))
def test_healthz_answers_status_and_tier(apps: dict[str, Flask], tier: str) -> None:
    answer = apps[tier].test_client().get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "tier": tier}
