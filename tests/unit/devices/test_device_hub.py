import time

import pytest

from devices.factory import DeviceSet
from devices.fakes import (
    FakeCardReader,
    FakeCashDrawer,
    FakeLineDisplay,
    FakeReceiptPrinter,
    FakeScanner,
)
from pos_terminal.device_hub.hub import DeviceHub
from pos_terminal.device_hub.journal import JobStatus, KickReason


@pytest.fixture
def devices():
    return DeviceSet(
        printer=FakeReceiptPrinter(),
        drawer=FakeCashDrawer(),
        scanners=[FakeScanner("lane")],
        card_reader=FakeCardReader(),
        pole_display=FakeLineDisplay(),
    )


@pytest.fixture
def hub(devices, journal):
    hub = DeviceHub(devices, journal, recovery_interval=0.05)
    hub.start()
    yield hub
    hub.stop()


def test_cash_sale_prints_the_receipt_and_kicks_the_drawer(hub, devices, journal, receipt):
    result = hub.sale_completed(receipt, paid_in_cash=True, staff="wang")
    assert result.print_outcome is not None and result.print_outcome.printed
    assert devices.drawer.opened == 1
    assert [k.reason for k in journal.kicks()] == [KickReason.CASH_SALE]


def test_card_sale_does_not_open_the_drawer(hub, devices, receipt):
    hub.sale_completed(receipt, paid_in_cash=False, staff="wang")
    assert devices.drawer.opened == 0


def test_receipt_held_by_paper_out_reprints_by_itself_after_new_paper(
    hub, devices, journal, receipt
):
    devices.printer.paper_runs_out_during_next_job = True
    result = hub.sale_completed(receipt, paid_in_cash=False, staff="wang")
    assert result.print_outcome.status is JobStatus.INTERRUPTED
    devices.printer.load_paper()
    _wait_for(lambda: journal.job(result.print_outcome.job_id).status is JobStatus.DONE)
    assert b"COPY 1" in devices.printer.jobs[-1]


def test_serial_and_wedge_scans_come_out_of_one_stream(hub, devices):
    stream = hub.till_events.subscribe()
    devices.scanners[0].scan("6901234567892")
    hub.accept_wedge_scan("4006381333931\n")
    scans = [e.data for e in _drain(stream) if e.kind == "scan"]
    assert [(s["source"], s["data"]) for s in scans] == [
        ("lane", "6901234567892"),
        ("wedge", "4006381333931"),
    ]


def test_empty_wedge_scan_is_refused(hub):
    with pytest.raises(ValueError):
        hub.accept_wedge_scan("\n\t")


def test_member_card_events_reach_the_till_page(hub, devices):
    stream = hub.till_events.subscribe()
    devices.card_reader.insert(member_id="M000123", uid="04A1B2C3")
    devices.card_reader.remove()
    cards = [e.data for e in _drain(stream) if e.kind == "card"]
    assert [(c["kind"], c["member_id"]) for c in cards] == [
        ("inserted", "M000123"),
        ("removed", "M000123"),
    ]


def test_read_card_returns_the_card_on_the_reader(hub, devices):
    devices.card_reader.insert(member_id="M9")
    assert hub.read_card().member_id == "M9"


def test_device_that_fails_to_start_does_not_stop_the_others(journal):
    class BrokenPole(FakeLineDisplay):
        def _on_claim(self) -> None:
            from devices.errors import DeviceOfflineError

            raise DeviceOfflineError("no such port")

    scanner = FakeScanner("lane")
    hub = DeviceHub(DeviceSet(scanners=[scanner], pole_display=BrokenPole()), journal)
    hub.start()
    try:
        assert hub.device_status["pole"].startswith("error")
        assert scanner.state.value == "enabled"
    finally:
        hub.stop()


def _drain(q):
    out = []
    while not q.empty():
        out.append(q.get_nowait())
    return out


def _wait_for(condition, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_hub_is_built_from_a_till_device_config(tmp_path):
    import json

    config = tmp_path / "devices.json"
    config.write_text(
        json.dumps({"printer": {"transport": "file", "device": str(tmp_path / "lp")}})
    )
    hub = DeviceHub.from_config(config, f"sqlite:///{tmp_path}/till.db")
    assert hub.spooler is not None
    assert hub.devices.printer is not None and hub.devices.printer.layout.paper_mm == 80
