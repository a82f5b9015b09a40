"""Real stacks for the device integration tests: test printers, emupos, pcscd + a virtual card.

Every helper process is started from scripts/devices/ as a ManagedProcess and stopped by its
process (group) id. A stack that cannot start fails the test with the reason; nothing is
skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from retail.receipt import Receipt, ReceiptLine, ReceiptMember, ReceiptSaving, ReceiptTender
from tests.support.processes import ManagedProcess, free_port

# The test tree has no packages below tests/, so this directory's helpers go on the path.
sys.path.insert(0, str(Path(__file__).parent))
from device_test_support import wait_for
from escpos_test_printer import PtyTestPrinter, TcpTestPrinter

REPO = Path(__file__).resolve().parents[3]
SCRIPTS = REPO / "scripts" / "devices"
HERE = Path(__file__).resolve().parent
VPCD_PORT = 35963  # inside the private network namespace, so it cannot clash


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "devices: runs against real device stacks (pty, TCP printer, emupos, pcscd)"
    )
    config.addinivalue_line("markers", "pcsc: needs pcscd with the vpcd virtual reader")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.devices)


def a_receipt(receipt_no: str = "S001-T02-261126-00042") -> Receipt:
    return Receipt(
        store_name="华联超市 Hualian",
        store_code="S001",
        till_code="T02",
        receipt_no=receipt_no,
        business_day="2026-11-26",
        printed_at="2026-11-26 10:15",
        cashier="Wang 王芳",
        lines=(
            ReceiptLine("可口可乐 Coke 330ml", "2", 350, 600, (ReceiptSaving("2 for 6", 100),)),
            ReceiptLine("Bananas", "0.512kg", 698, 357),
        ),
        total=957,
        tenders=(ReceiptTender("cash", 1000),),
        change=43,
        member=ReceiptMember("138****8000", "C888", 1200, 5000),
    )


@pytest.fixture
def receipt() -> Receipt:
    return a_receipt()


@pytest.fixture
def tcp_printer() -> Iterator[TcpTestPrinter]:
    printer = TcpTestPrinter()
    printer.power_on()
    yield printer
    printer.power_off()


@pytest.fixture
def pty_printer() -> Iterator[PtyTestPrinter]:
    printer = PtyTestPrinter()
    yield printer
    printer.close()


def require(path: Path, what: str) -> None:
    if not path.exists():
        pytest.fail(f"{what} missing at {path}: run scripts/devices/setup.sh (make test does)")


def require_running(process: ManagedProcess) -> bool:
    """Fail the test with the process's log if it died; False otherwise (to chain with `or`)."""
    if not process.is_running:
        pytest.fail(
            f"{process.name} exited with {process.returncode}; its log:\n{process.log_tail()}"
        )
    return False


# --- emupos -----------------------------------------------------------------------------


@dataclass
class Emupos:
    """Two emulated printers: `front` (80 mm, Epson TM-T20III) and `narrow` (58 mm)."""

    printer_port: int
    narrow_port: int
    api_port: int
    process: ManagedProcess

    def api(self, method: str, path: str) -> bytes:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.api_port}/api/v1{path}", method=method
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return bytes(response.read())

    def port_for(self, paper_mm: int) -> int:
        return self.narrow_port if paper_mm == 58 else self.printer_port

    def receipts(self, device: str = "front") -> list[dict[str, object]]:
        return list(json.loads(self.api("GET", f"/devices/{device}/receipts")))

    def latest_text(self, device: str = "front") -> str:
        return self.api("GET", f"/devices/{device}/receipts/latest/text").decode("utf-8")

    def set_fault(self, fault: str, active: bool) -> None:
        self.api("PUT" if active else "DELETE", f"/devices/front/faults/{fault}")


def _emupos_printer(device_id: str, profile: str, port: int) -> str:
    return (
        f"  - id: {device_id}\n"
        "    type: printer\n"
        f"    profile: {profile}\n"
        "    job_idle_timeout_ms: 500\n"
        "    receipts_dir: ./receipts\n"
        "    connections:\n"
        f"      - tcp: {{ host: 127.0.0.1, port: {port} }}\n"
    )


@pytest.fixture(scope="session")
def emupos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emupos]:
    require(REPO / ".venv-emupos" / "bin" / "emupos", "the emupos emulator")
    work = tmp_path_factory.mktemp("emupos")
    printer_port, narrow_port, api_port = free_port(), free_port(), free_port()
    config = work / "emupos.yaml"
    config.write_text(
        "schema: 1\n"
        f"api: {{ host: 127.0.0.1, port: {api_port} }}\n"
        "devices:\n"
        + _emupos_printer("front", "epson-tm-t20iii", printer_port)
        + _emupos_printer("narrow", str(HERE / "emupos-58mm-printer.yaml"), narrow_port)
    )
    process = ManagedProcess(
        "emupos",
        [str(SCRIPTS / "run_emupos.sh"), str(config)],
        log_path=work / "emupos.log",
        health_url=f"http://127.0.0.1:{api_port}/api/v1/health",
        startup_timeout=60,
    )
    with process:
        yield Emupos(printer_port, narrow_port, api_port, process)


# --- pcscd with a vpcd virtual reader in a private namespace -----------------------------


@dataclass
class PcscStack:
    work: Path
    namespace: ManagedProcess
    pcscd: ManagedProcess | None = None
    cards: list[ManagedProcess] = field(default_factory=list)

    @property
    def socket(self) -> Path:
        return self.work / "run" / "pcscd.comm"

    @property
    def namespace_pid(self) -> str:
        return str(self.namespace.pid)

    def start_pcscd(self) -> None:
        self.socket.unlink(missing_ok=True)
        self.pcscd = ManagedProcess(
            "pcscd",
            [str(SCRIPTS / "run_pcscd.sh"), self.namespace_pid, str(self.work / "conf")],
            log_path=self.work / "pcscd.log",
        ).start()
        pcscd = self.pcscd
        wait_for(lambda: require_running(pcscd) or self.socket.exists(), 15, "pcscd's socket")

    def stop_pcscd(self) -> None:
        if self.pcscd is not None:
            self.pcscd.terminate()

    def insert_card(self, member_id: str, card_no: str = "", uid: str = "") -> ManagedProcess:
        """Start a virtual card on the reader; terminating it takes the card off."""
        card = ManagedProcess(
            f"virtual-card-{member_id}",
            [
                str(SCRIPTS / "run_virtual_card.sh"),
                self.namespace_pid,
                str(VPCD_PORT),
                member_id,
                card_no,
                uid,
            ],
            log_path=self.work / f"card-{member_id}.log",
        ).start()
        self.cards.append(card)
        return card

    def remove_card(self, card: ManagedProcess, reader: str = "Virtual PCD 00 00") -> None:
        """Take the card off and wait until pcscd has seen it go, so the next card is new."""
        card.terminate()
        wait_for(lambda: not self.card_present(reader), 15, f"pcscd to see the card leave {reader}")

    def card_present(self, reader: str) -> bool:
        from smartcard import scard

        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            return False
        try:
            hresult, states = scard.SCardGetStatusChange(
                context, 0, [(reader, scard.SCARD_STATE_UNAWARE)]
            )
            return hresult == scard.SCARD_S_SUCCESS and bool(
                states[0][1] & scard.SCARD_STATE_PRESENT
            )
        finally:
            scard.SCardReleaseContext(context)

    def stop(self) -> None:
        for card in self.cards:
            card.terminate()
        self.stop_pcscd()
        self.namespace.terminate()


@pytest.fixture(scope="session")
def pcsc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscStack]:
    for tool, what in (
        (Path("/usr/sbin/pcscd"), "pcscd (Debian package pcscd)"),
        (Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so"), "vpcd (Debian vsmartcard-vpcd)"),
        (REPO / ".venv-vicc" / "bin" / "python", "the virtual card environment"),
    ):
        require(tool, what)
    work = tmp_path_factory.mktemp("pcsc")
    subprocess.run(
        [str(SCRIPTS / "write_vpcd_config.sh"), str(work / "conf"), str(VPCD_PORT)], check=True
    )
    # pyscard's libpcsclite reads this once, at its first call: set before any card test.
    os.environ["PCSCLITE_CSOCK_NAME"] = str(work / "run" / "pcscd.comm")
    namespace = ManagedProcess(
        "pcsc-namespace",
        [str(SCRIPTS / "pcsc_namespace.sh"), str(work / "run")],
        log_path=work / "namespace.log",
    ).start()
    stack = PcscStack(work, namespace)
    try:
        wait_for(
            lambda: require_running(namespace) or "ready" in namespace.log_tail(),
            10,
            "the private pcsc namespace",
        )
        stack.start_pcscd()
        yield stack
    finally:
        stack.stop()
