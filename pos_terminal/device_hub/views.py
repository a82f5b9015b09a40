"""The hub's thin Flask edge: one SSE stream for the till page, wedge scans, customer display.

Register with `init_app(app, hub)`; views only read the hub from `app.extensions`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request

from devices.errors import DeviceError
from pos_terminal.device_hub.event_stream import HubEvent
from pos_terminal.device_hub.hub import DeviceHub

EXTENSION_KEY = "chainpos.device_hub"

devices_bp = Blueprint("device_hub", __name__, url_prefix="/devices", static_folder="static")
customer_display_bp = Blueprint(
    "customer_display", __name__, url_prefix="/customer-display", template_folder="templates"
)


def init_app(app: Flask, hub: DeviceHub) -> None:
    """Attach `hub` to `app` and register both blueprints."""
    app.extensions[EXTENSION_KEY] = hub
    app.register_blueprint(devices_bp)
    app.register_blueprint(customer_display_bp)


def _hub() -> DeviceHub:
    hub: DeviceHub = current_app.extensions[EXTENSION_KEY]
    return hub


def _stream(body: Any) -> Response:
    response = Response(body, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # let a proxy pass events through at once
    return response


def _error(error: DeviceError, status: int, field: str | None = None) -> tuple[Response, int]:
    fields = {field: [str(error)]} if field else {}
    return jsonify(code=error.code, message=str(error), fields=fields), status


@devices_bp.get("/events")
def till_events() -> Response:
    """Scans (serial and wedge), card events and device status, as server-sent events."""
    return _stream(_hub().till_events.sse())


@devices_bp.post("/wedge-scans")
def wedge_scan() -> tuple[Response, int]:
    payload = request.get_json(silent=True)
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, str):
        return jsonify(
            code="validation_error",
            message="data must be a string",
            fields={"data": ["must be a string"]},
        ), 400
    try:
        event = _hub().accept_wedge_scan(data)
    except ValueError as error:
        return jsonify(
            code="validation_error", message=str(error), fields={"data": [str(error)]}
        ), 400
    return jsonify(source=event.source, data=event.data), 202


@devices_bp.get("/status")
def status() -> Response:
    hub = _hub()
    pending = hub.spooler.pending() if hub.spooler else []
    return jsonify(
        devices=hub.device_status,
        pending_print_jobs=[
            {"id": j.id, "document_no": j.document_no, "status": j.status.value, "copies": j.copies}
            for j in pending
        ],
        drawer_open=hub.drawer.is_open(),
    )


@devices_bp.post("/print-recovery")
def print_recovery() -> Response:
    outcomes = _hub().recover_now()
    return jsonify(
        [{"job": o.job_id, "status": o.status.value, "copy_no": o.copy_no} for o in outcomes]
    )


@customer_display_bp.get("/")
def customer_page() -> str:
    return render_template("device_hub/customer_display.html")


@customer_display_bp.get("/events")
def customer_events() -> Response:
    hub = _hub()
    first = HubEvent("display", hub.customer_display.view.to_json())
    return _stream(hub.display_events.sse(first=first))
