import json

import pytest
from flask import Flask

from devices.factory import DeviceSet
from devices.fakes import FakeReceiptPrinter, FakeScanner
from pos_terminal.device_hub.hub import DeviceHub
from pos_terminal.device_hub.views import init_app


@pytest.fixture
def hub(journal):
    hub = DeviceHub(
        DeviceSet(printer=FakeReceiptPrinter(), scanners=[FakeScanner("lane")]), journal
    )
    hub.start()
    yield hub
    hub.stop()


@pytest.fixture
def client(hub):
    app = Flask(__name__)
    init_app(app, hub)
    return app.test_client()


def test_wedge_scan_is_accepted_and_published(client, hub):
    stream = hub.till_events.subscribe()
    response = client.post("/devices/wedge-scans", json={"data": "6901234567892"})
    assert response.status_code == 202
    assert stream.get_nowait().data["data"] == "6901234567892"


def test_wedge_scan_without_data_names_the_field(client):
    response = client.post("/devices/wedge-scans", json={"code": 1})
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"data": ["must be a string"]}


def test_status_lists_devices_and_pending_jobs(client, hub, receipt):
    hub.devices.printer.offline = True
    hub.spooler.print_receipt(receipt)
    body = client.get("/devices/status").get_json()
    assert body["devices"]["printer"] == "enabled"
    assert [j["status"] for j in body["pending_print_jobs"]] == ["waiting"]


def test_till_event_stream_is_server_sent_events(client, hub):
    response = client.get("/devices/events")
    assert response.mimetype == "text/event-stream"
    hub.devices.scanners[0].scan("123456")
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    chunk = next(chunks)
    assert chunk.startswith(b"event: scan\n")
    response.close()


def test_customer_page_and_its_stream_start_with_the_current_view(client, hub):
    page = client.get("/customer-display/")
    assert page.status_code == 200 and "EventSource" in page.get_data(as_text=True)
    hub.customer_display.show_line("Coke", "1", 350, 350)
    response = client.get("/customer-display/events")
    chunks = iter(response.response)
    next(chunks)
    first = next(chunks).decode()
    response.close()
    assert first.startswith("event: display\n")
    assert json.loads(first.split("data: ", 1)[1])["total_text"] == "3.50"


def test_wedge_script_is_served(client):
    response = client.get("/devices/static/wedge.js")
    assert response.status_code == 200
    assert b"MAX_GAP_MS" in response.data
    response.close()
