"""`chainpos till devices ...` against a real TCP printer."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from devices.receipt_layout import ReceiptLayout, build_test_page_bytes
from pos_terminal.device_hub.cli import devices
from pos_terminal.device_hub.journal import DeviceJournal, JobStatus, KickReason


@pytest.fixture
def config(tmp_path, tcp_printer):
    path = tmp_path / "devices.json"
    path.write_text(
        json.dumps(
            {
                "till": "T02",
                "printer": {"transport": "network", "port": tcp_printer.port, "paper_mm": 58},
                "drawer": {"pin": 2},
                "scanners": [{"name": "lane", "port": str(tmp_path / "no-such-tty")}],
            }
        )
    )
    return path


def test_list_shows_each_device_and_its_state(config, tcp_printer):
    tcp_printer.state.paper_near_end = True
    result = CliRunner().invoke(devices, ["list", "--config", str(config)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[0] == "printer" and lines[0].endswith("online paper-near-end")
    assert lines[1].startswith("drawer") and "pin 2" in lines[1]
    assert lines[2].startswith("scanner lane") and lines[2].endswith("absent")


def test_test_print_prints_and_journals_a_test_page(config, tcp_printer, tmp_path):
    journal = tmp_path / "till.db"
    result = CliRunner().invoke(
        devices, ["test-print", "--config", str(config), "--journal", str(journal)]
    )
    assert result.exit_code == 0, result.output
    assert "printed" in result.output
    assert bytes(tcp_printer.state.printed) == build_test_page_bytes(ReceiptLayout(paper_mm=58))
    assert [j.status for j in DeviceJournal(journal).jobs()] == [JobStatus.DONE]


def test_test_print_on_a_printer_without_paper_fails_and_says_why(config, tcp_printer, tmp_path):
    tcp_printer.state.paper_out = True
    result = CliRunner().invoke(
        devices, ["test-print", "--config", str(config), "--journal", str(tmp_path / "t.db")]
    )
    assert result.exit_code == 1
    assert "paper out" in result.output


def test_open_drawer_kicks_and_records_it(config, tcp_printer, tmp_path):
    journal = tmp_path / "till.db"
    tcp_printer.state.drawer_pin3_high = True
    result = CliRunner().invoke(
        devices,
        ["open-drawer", "--config", str(config), "--journal", str(journal), "--staff", "li"],
    )
    assert result.exit_code == 0, result.output
    assert "drawer is open" in result.output
    assert b"\x1bp\x00\x32\x32" in bytes(tcp_printer.state.printed)
    [kick] = DeviceJournal(journal).kicks()
    assert (kick.reason, kick.staff) == (KickReason.TEST, "li")


def test_bad_config_names_the_field(tmp_path):
    path = tmp_path / "devices.json"
    path.write_text(json.dumps({"printer": {"paper_mm": 76}}))
    result = CliRunner().invoke(devices, ["list", "--config", str(path)])
    assert result.exit_code == 2
    assert "printer.paper_mm" in result.output
