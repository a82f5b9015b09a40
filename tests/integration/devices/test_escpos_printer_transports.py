"""The receipt printer adapter on its real transports: TCP 9100, a serial pty, a device file."""

from __future__ import annotations

import dataclasses

import pytest

from devices.cash_drawer import PrinterCashDrawer
from devices.errors import DeviceOfflineError
from devices.escpos_printer import EscposReceiptPrinter
from devices.escpos_transport import PrinterConnection
from devices.lifecycle import Health
from devices.receipt_layout import ReceiptLayout, build_receipt_bytes


def _network_printer(port: int, layout: ReceiptLayout | None = None) -> EscposReceiptPrinter:
    printer = EscposReceiptPrinter(
        "printer", PrinterConnection("network", port=port, timeout=2), layout or ReceiptLayout()
    )
    printer.start()
    return printer


def test_receipt_reaches_a_tcp_printer_byte_for_byte(tcp_printer, receipt):
    printer = _network_printer(tcp_printer.port)
    sent = printer.print_receipt(receipt)
    printer.check_status()  # a round trip: everything before it has arrived
    printer.close()
    assert bytes(tcp_printer.state.printed) == sent == build_receipt_bytes(receipt, ReceiptLayout())


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_receipt_reaches_a_serial_printer_byte_for_byte(pty_printer, receipt, paper_mm):
    layout = ReceiptLayout(paper_mm=paper_mm, code="barcode")
    printer = EscposReceiptPrinter(
        "printer", PrinterConnection("serial", device=pty_printer.device, timeout=2), layout
    )
    printer.start()
    printer.print_receipt(receipt)
    assert printer.check_status().health is Health.ONLINE
    printer.close()
    assert bytes(pty_printer.state.printed) == build_receipt_bytes(receipt, layout)


def test_status_is_read_with_dle_eot_over_tcp(tcp_printer):
    printer = _network_printer(tcp_printer.port)
    tcp_printer.state.paper_near_end = True
    status = printer.check_status()
    assert (status.health, status.paper_near_end, status.paper_out) == (Health.ONLINE, True, False)

    tcp_printer.state.cover_open = True
    status = printer.check_status()
    assert (status.health, status.cover_open) == (Health.OFFLINE, True)
    printer.close()


def test_status_over_serial_reports_paper_out(pty_printer):
    printer = EscposReceiptPrinter(
        "printer", PrinterConnection("serial", device=pty_printer.device)
    )
    printer.start()
    pty_printer.state.paper_out = True
    status = printer.check_status()
    printer.close()
    assert status.paper_out and not status.can_print


def test_powered_off_printer_is_offline_and_back_online_after_power_on(tcp_printer, receipt):
    printer = _network_printer(tcp_printer.port)
    tcp_printer.power_off()
    with pytest.raises(DeviceOfflineError):
        printer.print_receipt(receipt)
    assert printer.check_status().health is Health.OFFLINE

    tcp_printer.power_on()
    assert printer.check_status().health is Health.ONLINE
    printer.print_receipt(receipt)
    printer.check_status()
    printer.close()
    assert bytes(tcp_printer.state.printed).count(b"\x1dV\x01") == 1


def test_printer_that_never_answers_is_unknown_not_offline(tmp_path, receipt):
    device = tmp_path / "lp0"
    printer = EscposReceiptPrinter("printer", PrinterConnection("file", device=str(device)))
    printer.start()
    printer.print_receipt(receipt)
    assert printer.check_status().health is Health.UNKNOWN
    printer.close()
    assert device.read_bytes() == build_receipt_bytes(receipt, ReceiptLayout())


def test_drawer_kick_goes_through_the_printer_and_its_switch_is_read(tcp_printer):
    printer = _network_printer(tcp_printer.port)
    drawer = PrinterCashDrawer("drawer", printer, pin=5)
    drawer.start()
    drawer.open_drawer()
    tcp_printer.state.drawer_pin3_high = True
    assert drawer.is_open() is True
    tcp_printer.state.drawer_pin3_high = False
    assert drawer.is_open() is False
    drawer.close()
    printer.close()
    assert bytes(tcp_printer.state.printed) == b"\x1bp\x01\x32\x32"


def test_copy_receipt_bytes_differ_only_by_the_copy_marker(tcp_printer, receipt):
    printer = _network_printer(tcp_printer.port)
    printer.print_receipt(dataclasses.replace(receipt, copy_no=1))
    printer.check_status()
    printer.close()
    assert "*** COPY 1 重印 ***".encode("gb18030") in bytes(tcp_printer.state.printed)


def test_usb_printer_that_is_not_plugged_in_is_offline(receipt):
    # Vendor/product of an Epson TM-T20; no such device exists on a test machine.
    printer = EscposReceiptPrinter(
        "printer", PrinterConnection("usb", usb_vendor=0x04B8, usb_product=0x0E28)
    )
    printer.start()
    assert printer.check_status().health is Health.OFFLINE
    with pytest.raises(DeviceOfflineError):
        printer.print_receipt(receipt)
    printer.close()
