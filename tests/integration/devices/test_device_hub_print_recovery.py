"""The hub's job journal against a real TCP printer: paper-out mid-job, power cycle, reprints."""

from __future__ import annotations

import dataclasses

import pytest
from device_test_support import wait_for

from devices.escpos_printer import EscposReceiptPrinter
from devices.escpos_transport import PrinterConnection
from devices.factory import DeviceSet
from devices.receipt_layout import ReceiptLayout, build_receipt_bytes
from pos_terminal.device_hub.hub import DeviceHub
from pos_terminal.device_hub.journal import DeviceJournal, JobStatus

LAYOUT = ReceiptLayout(paper_mm=80, code="qr")


@pytest.fixture
def hub(tcp_printer, tmp_path):
    printer = EscposReceiptPrinter(
        "printer", PrinterConnection("network", port=tcp_printer.port, timeout=2), LAYOUT
    )
    hub = DeviceHub(DeviceSet(printer=printer), DeviceJournal(tmp_path / "till.db"), 0.1)
    hub.start()
    yield hub
    hub.stop()


def test_paper_out_in_the_middle_of_a_job_ends_in_a_correct_copy(hub, tcp_printer, receipt):
    original = build_receipt_bytes(receipt, LAYOUT)
    tcp_printer.state.paper_runs_out_after = len(original) // 2

    result = hub.sale_completed(receipt, paid_in_cash=False, staff="wang")

    assert result.print_outcome is not None
    assert result.print_outcome.status is JobStatus.INTERRUPTED
    assert result.print_outcome.error == "paper out"
    assert bytes(tcp_printer.state.printed) == original[: len(original) // 2]

    tcp_printer.state.printed.clear()
    tcp_printer.state.load_paper()  # the cashier puts in a new roll

    job_id = result.print_outcome.job_id
    wait_for(lambda: hub.journal.job(job_id).status is JobStatus.DONE, 10, "the reprint")
    copy = build_receipt_bytes(dataclasses.replace(receipt, copy_no=1), LAYOUT)
    assert bytes(tcp_printer.state.printed) == copy
    assert hub.journal.job(job_id).copies == 1


def test_power_cycled_printer_gets_the_receipt_once_it_is_back(hub, tcp_printer, receipt):
    tcp_printer.power_off()
    result = hub.sale_completed(receipt, paid_in_cash=False, staff="wang")
    assert result.print_outcome is not None
    assert result.print_outcome.status is JobStatus.WAITING  # nothing sent: no copy needed

    tcp_printer.power_on()
    job_id = result.print_outcome.job_id
    wait_for(lambda: hub.journal.job(job_id).status is JobStatus.DONE, 10, "the reprint")
    assert bytes(tcp_printer.state.printed) == build_receipt_bytes(receipt, LAYOUT)


def test_cover_opened_during_a_job_is_reprinted_as_copy_after_closing(hub, tcp_printer, receipt):
    original = build_receipt_bytes(receipt, LAYOUT)
    hub.sale_completed(receipt, paid_in_cash=False, staff="wang")
    first = hub.journal.jobs()[0]
    assert first.status is JobStatus.DONE and bytes(tcp_printer.state.printed) == original

    second = dataclasses.replace(receipt, receipt_no="S001-T02-261126-00043")
    tcp_printer.state.cover_open = True
    outcome = hub.sale_completed(second, paid_in_cash=False, staff="wang").print_outcome
    assert outcome is not None and outcome.status is JobStatus.WAITING
    tcp_printer.state.cover_open = False
    wait_for(lambda: hub.journal.job(outcome.job_id).status is JobStatus.DONE, 10, "the print")
    assert bytes(tcp_printer.state.printed).endswith(build_receipt_bytes(second, LAYOUT))


def test_cash_sale_kicks_the_drawer_through_the_printer(tcp_printer, tmp_path, receipt):
    from devices.cash_drawer import PrinterCashDrawer

    printer = EscposReceiptPrinter(
        "printer", PrinterConnection("network", port=tcp_printer.port), LAYOUT
    )
    drawer = PrinterCashDrawer("drawer", printer, pin=2)
    hub = DeviceHub(DeviceSet(printer=printer, drawer=drawer), DeviceJournal(tmp_path / "t.db"))
    hub.start()
    try:
        hub.sale_completed(receipt, paid_in_cash=True, staff="wang")
        printer.check_status()
    finally:
        hub.stop()
    assert bytes(tcp_printer.state.printed).endswith(b"\x1bp\x00\x32\x32")
    assert [k.reason.value for k in hub.journal.kicks()] == ["cash_sale"]
