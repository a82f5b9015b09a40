"""Fixtures for device unit tests."""

from __future__ import annotations

import pytest

from retail.receipt import Receipt, ReceiptLine, ReceiptMember, ReceiptSaving, ReceiptTender


def a_receipt(receipt_no: str = "S001-T02-261126-00042", copy_no: int = 0) -> Receipt:
    return Receipt(
        store_name="华联超市 Hualian",
        store_code="S001",
        till_code="T02",
        receipt_no=receipt_no,
        business_day="2026-11-26",
        printed_at="2026-11-26 10:15",
        cashier="王芳 Wang",
        lines=(
            ReceiptLine("可口可乐 Coke 330ml", "2", 350, 600, (ReceiptSaving("2 for 6", 100),)),
            ReceiptLine("Bananas", "0.512kg", 698, 357),
        ),
        total=957,
        tenders=(ReceiptTender("cash", 1000),),
        change=43,
        member=ReceiptMember("138****8000", "C888", 1200, 5000),
        copy_no=copy_no,
    )


@pytest.fixture
def receipt() -> Receipt:
    return a_receipt()


@pytest.fixture
def journal(tmp_path):
    from pos_terminal.device_hub.journal import DeviceJournal

    return DeviceJournal(tmp_path / "till.db")


@pytest.fixture
def printer():
    from devices.fakes import FakeReceiptPrinter

    fake = FakeReceiptPrinter()
    fake.start()
    return fake
