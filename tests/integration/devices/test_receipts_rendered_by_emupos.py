"""Receipts checked by an independent ESC/POS emulator (emupos), not only by our own bytes."""

from __future__ import annotations

import dataclasses
import re

import pytest
from device_test_support import wait_for

from devices.escpos_printer import EscposReceiptPrinter
from devices.escpos_transport import PrinterConnection
from devices.factory import DeviceSet
from devices.lifecycle import Health
from devices.receipt_layout import ReceiptLayout
from pos_terminal.device_hub.hub import DeviceHub
from pos_terminal.device_hub.journal import DeviceJournal, JobStatus
from retail.receipt import render_text


def _print_and_render(emupos, receipt, layout: ReceiptLayout) -> str:
    device = "narrow" if layout.paper_mm == 58 else "front"
    before = len(emupos.receipts(device))
    printer = EscposReceiptPrinter(
        "printer", PrinterConnection("network", port=emupos.port_for(layout.paper_mm)), layout
    )
    printer.start()
    try:
        printer.print_receipt(receipt)
    finally:
        printer.close()
    wait_for(lambda: len(emupos.receipts(device)) > before, 15, "emupos to finish the receipt")
    return emupos.latest_text(device)


def _as_gb18030(rendered: str) -> str:
    """emupos draws every byte through code page 437; undo that and read the bytes as GB18030."""
    return rendered.encode("cp437").decode("gb18030")


@pytest.mark.parametrize("paper_mm", [80, 58])
def test_emulator_renders_exactly_the_receipt_the_till_shows(emupos, receipt, paper_mm):
    layout = ReceiptLayout(paper_mm=paper_mm, code="qr")
    rendered = _as_gb18030(_print_and_render(emupos, receipt, layout))

    expected = [line.strip() for line in render_text(receipt, layout.columns).splitlines()]
    got = [line.strip() for line in rendered.splitlines()]
    assert got[: len(expected)] == expected
    assert got[len(expected) :] == ["[qr S001-T02-261126-00042]"]


def test_emulator_renders_the_barcode_of_the_receipt_number(emupos, receipt):
    rendered = _print_and_render(emupos, receipt, ReceiptLayout(code="barcode"))
    assert re.search(r"S001-T02-261126-00042", rendered), rendered


def test_emulator_shows_amounts_right_aligned_in_48_columns(emupos, receipt):
    rendered = _print_and_render(emupos, receipt, ReceiptLayout(paper_mm=80, code="none"))
    cash_line = next(line for line in rendered.splitlines() if line.startswith("CASH"))
    assert cash_line.rstrip().endswith("10.00")
    assert len(cash_line.rstrip()) == 48


def test_copy_marker_is_rendered_on_a_reprint(emupos, receipt):
    rendered = _print_and_render(
        emupos, dataclasses.replace(receipt, copy_no=1), ReceiptLayout(code="none")
    )
    assert _as_gb18030(rendered).splitlines()[1].strip() == "*** COPY 1 重印 ***"


def test_paper_out_on_the_emulator_holds_the_job_and_recovery_prints_it(emupos, receipt, tmp_path):
    printer = EscposReceiptPrinter(
        "printer", PrinterConnection("network", port=emupos.printer_port), ReceiptLayout()
    )
    hub = DeviceHub(DeviceSet(printer=printer), DeviceJournal(tmp_path / "till.db"), 0.2)
    hub.start()
    before = len(emupos.receipts())
    try:
        emupos.set_fault("paper-out", True)
        status = printer.check_status()
        assert status.paper_out and status.health is Health.OFFLINE
        outcome = hub.sale_completed(receipt, paid_in_cash=False, staff="wang").print_outcome
        assert outcome is not None and outcome.status is JobStatus.WAITING

        emupos.set_fault("paper-out", False)
        wait_for(lambda: hub.journal.job(outcome.job_id).status is JobStatus.DONE, 15, "reprint")
    finally:
        emupos.set_fault("paper-out", False)
        hub.stop()
    wait_for(lambda: len(emupos.receipts()) > before, 15, "emupos to finish the receipt")
    assert "No: S001-T02-261126-00042" in emupos.latest_text()
