"""Every loyalty endpoint is in HQ's OpenAPI document, store endpoints marked as signed."""

from __future__ import annotations

import re

from flask import Flask


def test_every_loyalty_route_is_documented_with_its_security(hq_app: Flask) -> None:
    spec = hq_app.test_client().get("/api/openapi.json").get_json()
    routes = {
        (re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule.rule), method.lower())
        for rule in hq_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/loyalty")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert len(routes) >= 25
    for path, method in routes:
        operation = spec["paths"][path][method]
        scheme = "signed" if path.startswith("/api/v1/loyalty/store/") else "bearer"
        assert operation["security"] == [{scheme: []}], (path, method)
