"""A completed sale prints its receipt and, paid in cash, opens the drawer."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import COLA_EAN
from tests.integration.devices.escpos_test_printer import TcpTestPrinter

DRAWER_KICK_PIN2 = b"\x1bp\x00"


@pytest.fixture
def printer() -> Iterator[TcpTestPrinter]:
    printer = TcpTestPrinter()
    printer.power_on()
    yield printer
    printer.power_off()


@pytest.fixture
def devices_config(tmp_path: Path, printer: TcpTestPrinter) -> str:
    path = tmp_path / "devices.json"
    path.write_text(
        json.dumps(
            {
                "till": "T01",
                "printer": {
                    "transport": "network",
                    "host": "127.0.0.1",
                    "port": printer.port,
                    "paper_mm": 80,
                    "code": "qr",
                },
                "drawer": {"pin": 2},
            }
        )
    )
    return str(path)


def _received(printer: TcpTestPrinter, needle: bytes, timeout: float = 5) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in printer.state.received:
            break
        time.sleep(0.05)
    return bytes(printer.state.received)


def test_cash_sale_prints_the_receipt_and_opens_the_drawer(
    till: Any, printer: TcpTestPrinter
) -> None:
    answer = till.sell(
        {
            "lines": [{"barcode": COLA_EAN, "qty": 2}],
            "tenders": [{"method": "cash", "amount": 1000}],
        }
    )
    assert answer.status_code == 201, answer.get_json()
    sale = answer.get_json()
    assert sale["devices"] == {
        "printed": True,
        "print_error": None,
        "drawer_opened": True,
        "drawer_error": None,
    }
    data = _received(printer, DRAWER_KICK_PIN2)
    assert sale["receipt_no"].encode() in data
    assert "合计".encode("gb18030") in data
    assert DRAWER_KICK_PIN2 in data


def test_card_sale_prints_without_opening_the_drawer(till: Any, printer: TcpTestPrinter) -> None:
    quote = till.quote([{"barcode": COLA_EAN, "qty": 1}]).get_json()
    answer = till.sell(
        {
            "lines": [{"barcode": COLA_EAN, "qty": 1}],
            "tenders": [{"method": "bank_card", "amount": quote["total"], "reference": "POS-123"}],
        }
    )
    assert answer.status_code == 201, answer.get_json()
    sale = answer.get_json()
    assert sale["devices"]["printed"] is True
    assert sale["devices"]["drawer_opened"] is False
    data = _received(printer, sale["receipt_no"].encode())
    assert sale["receipt_no"].encode() in data
    assert DRAWER_KICK_PIN2 not in data


def test_sale_stands_when_the_printer_is_off(till: Any, printer: TcpTestPrinter) -> None:
    printer.power_off()
    answer = till.sell(
        {
            "lines": [{"barcode": COLA_EAN, "qty": 1}],
            "tenders": [{"method": "cash", "amount": 1000}],
        }
    )
    assert answer.status_code == 201
    sale = answer.get_json()
    assert sale["devices"]["printed"] is False
    assert till.journal()[0] == 1
