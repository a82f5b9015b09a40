"""The HTTP edge every tier shares: JSON errors, input parsing, health and OpenAPI."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, current_app, jsonify, request
from marshmallow import Schema
from marshmallow import ValidationError as MarshmallowValidationError
from werkzeug.exceptions import HTTPException

from chainpos.errors import AppError

F = TypeVar("F", bound=Callable[..., Any])


def register_error_handlers(app: Flask) -> None:
    """Map every refusal to JSON `{code, message, fields}` once, at the edge."""

    @app.errorhandler(AppError)
    def _app_error(err: AppError) -> tuple[Any, int]:
        return jsonify(err.to_dict()), err.status

    @app.errorhandler(MarshmallowValidationError)
    def _validation(err: MarshmallowValidationError) -> tuple[Any, int]:
        fields = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        names = ", ".join(sorted(str(k) for k in fields)) or "input"
        body = {"code": "validation_failed", "message": f"invalid input: {names}", "fields": fields}
        return jsonify(body), 422

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> tuple[Any, int]:
        code = (err.name or "error").lower().replace(" ", "_")
        body = {"code": code, "message": err.description or err.name, "fields": {}}
        return jsonify(body), err.code or 500


def json_body() -> Any:
    """The request's JSON body, or a clear 400 when it is not JSON."""
    data = request.get_json(silent=True)
    if data is None:
        raise AppError(
            "request body must be JSON (Content-Type: application/json)", code="bad_json"
        )
    return data


def load(schema: Schema, data: Any | None = None) -> Any:
    """Validate `data` (default: the JSON body) with `schema`; errors become 422."""
    return schema.load(json_body() if data is None else data)


def load_query(schema: Schema) -> Any:
    return schema.load(request.args.to_dict())


def doc(
    summary: str,
    *,
    body: type[Schema] | Schema | None = None,
    response: type[Schema] | Schema | None = None,
    query: type[Schema] | None = None,
    security: str | None = None,
    many: bool = False,
) -> Callable[[F], F]:
    """Describe a view for the OpenAPI document built from the app's routes."""

    def decorate(view: F) -> F:
        view._openapi = {  # type: ignore[attr-defined]
            "summary": summary,
            "body": body,
            "response": response,
            "query": query,
            "security": security,
            "many": many,
        }
        return view

    return decorate


_RULE_ARG = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")


def build_openapi(app: Flask, title: str) -> dict[str, Any]:
    """An OpenAPI 3 document from the routes decorated with `doc`, schemas by marshmallow."""
    spec = APISpec(
        title=title,
        version=str(app.config.get("API_VERSION", "1")),
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme(
        "signed",
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-Chainpos-Signature",
            "description": "HMAC-SHA256 request signature with X-Chainpos-Key, "
            "X-Chainpos-Timestamp and X-Chainpos-Nonce",
        },
    )
    error_ref = {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object"},
                },
            }
        }
    }
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        meta = getattr(view, "_openapi", None)
        if meta is None:
            continue
        path = _RULE_ARG.sub(r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "summary": meta["summary"],
                "responses": {"4XX": {"description": "refused", "content": error_ref}},
            }
            params = [
                {"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                for name in _RULE_ARG.findall(rule.rule)
            ]
            if meta["query"] is not None:
                params.append({"in": "query", "schema": meta["query"]})
            if params:
                op["parameters"] = params
            if meta["body"] is not None:
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": meta["body"]}},
                }
            ok: dict[str, Any] = {"description": "OK"}
            if meta["response"] is not None:
                schema: Any = meta["response"]
                if meta["many"]:
                    schema = {"type": "array", "items": schema}
                ok["content"] = {"application/json": {"schema": schema}}
            op["responses"]["200"] = ok
            if meta["security"]:
                op["security"] = [{meta["security"]: []}]
            paths.setdefault(path, {})[method.lower()] = op
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def platform_blueprint(tier: str, title: str, status: Callable[[], dict[str, Any]]) -> Blueprint:
    """`/healthz`, `/api/openapi.json` and `/api/v1/sync/status`, the same on every tier."""
    bp = Blueprint("platform", __name__)

    @bp.get("/healthz")
    def healthz() -> Any:
        return jsonify({"status": "ok", "tier": tier})

    @bp.get("/api/openapi.json")
    def openapi() -> Any:
        return jsonify(build_openapi(current_app, title))

    @bp.get("/api/v1/sync/status")
    @doc("Sync status: outbox depth, last push and pull, feed cursor, gaps, quarantine")
    def sync_status() -> Any:
        return jsonify(status())

    return bp
