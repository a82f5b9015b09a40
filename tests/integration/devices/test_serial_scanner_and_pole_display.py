"""Serial scanner and pole display on real pty serial ports, including unplug and reconnect."""

from __future__ import annotations

import queue

import pytest
from device_test_support import PtyCable, wait_for

from devices.errors import DeviceOfflineError
from devices.events import ScanEvent
from devices.pole_display import SerialPoleDisplay
from devices.scan_framing import ScanFormat
from devices.serial_scanner import SerialScanner
from pos_terminal.device_hub.customer_display import CustomerDisplay
from pos_terminal.device_hub.event_stream import EventBroker


@pytest.fixture
def cable(tmp_path):
    cable = PtyCable(tmp_path / "ttyScanner")
    yield cable
    cable.unplug()


def _scanner(cable: PtyCable, fmt: ScanFormat) -> tuple[SerialScanner, queue.Queue[ScanEvent]]:
    scans: queue.Queue[ScanEvent] = queue.Queue()
    scanner = SerialScanner("lane", str(cable.link), fmt, retry_interval=0.1)
    scanner.add_scan_listener(scans.put)
    scanner.start()
    assert scanner.connected.wait(5), "scanner did not open the pty"
    return scanner, scans


def test_cr_terminated_scans_arrive_as_events(cable):
    scanner, scans = _scanner(cable, ScanFormat(terminator="CR"))
    try:
        cable.write(b"6901234567892\r4006381333931\r")
        assert scans.get(timeout=5).data == "6901234567892"
        assert scans.get(timeout=5).data == "4006381333931"
    finally:
        scanner.close()


def test_prefix_suffix_and_crlf_are_stripped(cable):
    scanner, scans = _scanner(cable, ScanFormat(prefix="]E0", suffix="*", terminator="CRLF"))
    try:
        cable.write(b"]E06901234567892*\r\n")
        event = scans.get(timeout=5)
        assert (event.source, event.data) == ("lane", "6901234567892")
    finally:
        scanner.close()


def test_scanner_comes_back_after_unplug_and_replug(cable):
    scanner, scans = _scanner(cable, ScanFormat())
    statuses: list[str] = []
    scanner.add_status_listener(lambda e: statuses.append(e.status))
    try:
        cable.write(b"111\r")
        assert scans.get(timeout=5).data == "111"

        cable.unplug()
        wait_for(lambda: not scanner.connected.is_set(), 5, "the scanner to notice the unplug")
        assert "offline" in statuses

        cable.plug_in()
        assert scanner.connected.wait(5), "scanner did not reconnect"
        cable.write(b"222\r")
        assert scans.get(timeout=5).data == "222"
        assert statuses[-1] == "online"
    finally:
        scanner.close()


def test_disabled_scanner_delivers_nothing(cable):
    scanner, scans = _scanner(cable, ScanFormat())
    try:
        scanner.disable()
        cable.write(b"333\r")
        wait_for(lambda: scanner.dropped_while_disabled == 1, 5, "the scan to be read and dropped")
        scanner.enable()
        cable.write(b"444\r")
        assert scans.get(timeout=5).data == "444"
        assert scans.empty()
    finally:
        scanner.close()


def test_pole_display_shows_line_and_total_on_the_serial_port(tmp_path):
    cable = PtyCable(tmp_path / "ttyPole")
    pole = SerialPoleDisplay("pole", str(cable.link), protocol="cd5220")
    pole.start()
    try:
        CustomerDisplay(pole, EventBroker()).show_line("Coke 330ml", "2", 700, 1234)
        assert cable.read_available() == (
            b"\x1bQA" + b"Coke 330ml      7.00" + b"\r\x1bQB" + b"TOTAL          12.34" + b"\r"
        )
    finally:
        pole.close()
        cable.unplug()


def test_pole_display_reopens_after_unplug(tmp_path):
    cable = PtyCable(tmp_path / "ttyPole")
    pole = SerialPoleDisplay("pole", str(cable.link), protocol="epson")
    pole.start()
    try:
        cable.read_available(0.2)  # ESC @ sent when the port opened
        cable.unplug()
        with pytest.raises(DeviceOfflineError):
            pole.show("a", "b")
        cable.plug_in()
        pole.show("Welcome", "TOTAL 0.00")
        data = cable.read_available()
        assert data.endswith(
            b"\x0cWelcome".ljust(21) + b"\x1f\x24\x01\x02" + b"TOTAL 0.00".ljust(20)
        )
    finally:
        pole.close()
        cable.unplug()
