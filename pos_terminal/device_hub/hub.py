"""DeviceHub: the till's devices started together, wired to the sale, recovering on their own.

Usable without Flask: the till service creates one hub at start-up and the blueprint
only reads from it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from devices.config import load_device_config
from devices.errors import DeviceError
from devices.events import CardEvent, MemberCard, ScanEvent
from devices.factory import DeviceSet, build_devices
from devices.lifecycle import Device, StatusEvent
from pos_terminal.device_hub.customer_display import CustomerDisplay
from pos_terminal.device_hub.drawer import DrawerService
from pos_terminal.device_hub.errors import DeviceNotConfiguredError
from pos_terminal.device_hub.event_stream import EventBroker, HubEvent
from pos_terminal.device_hub.journal import DeviceJournal, DrawerKick
from pos_terminal.device_hub.printing import PrintOutcome, PrintSpooler
from retail.receipt import Receipt

log = logging.getLogger(__name__)

MAX_WEDGE_SCAN = 128


@dataclass(frozen=True, slots=True)
class SaleDeviceResult:
    print_outcome: PrintOutcome | None
    drawer_kick: DrawerKick | None
    drawer_error: str = ""


class DeviceHub:
    """Owns the till's devices, the print spooler, the drawer log and the event streams."""

    def __init__(
        self, devices: DeviceSet, journal: DeviceJournal, recovery_interval: float = 1.0
    ) -> None:
        self.devices = devices
        self.journal = journal
        self.recovery_interval = recovery_interval
        self.till_events = EventBroker()  # scans, cards and device status for the cashier page
        self.display_events = EventBroker()  # the customer-facing page
        self.spooler = PrintSpooler(devices.printer, journal) if devices.printer else None
        self.drawer = DrawerService(devices.drawer, journal)
        self.customer_display = CustomerDisplay(devices.pole_display, self.display_events)
        self.device_status: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._recover_now = threading.Event()

    @classmethod
    def from_config(
        cls, config_path: str | Path, database: str | Path, recovery_interval: float = 1.0
    ) -> DeviceHub:
        """The hub for a till's device config file, journaling into `database` (path or URL)."""
        config = load_device_config(config_path)
        return cls(build_devices(config), DeviceJournal(database), recovery_interval)

    def _all(self) -> list[Device]:
        d = self.devices
        found: list[Device | None] = [
            d.printer,
            d.drawer,
            *d.scanners,
            d.card_reader,
            d.pole_display,
        ]
        return [device for device in found if device is not None]

    def start(self) -> None:
        """Start every device; one that fails to start is reported, not fatal."""
        interrupted = self.journal.recover_after_restart()
        if interrupted:
            log.warning("%d print job(s) were cut off by a restart; they will reprint", interrupted)
        for scanner in self.devices.scanners:
            scanner.add_scan_listener(self._on_scan)
        if self.devices.card_reader is not None:
            self.devices.card_reader.add_card_listener(self._on_card)
        for device in self._all():
            device.add_status_listener(self._on_status)
            try:
                device.start()
            except DeviceError as error:
                log.error("device %s did not start: %s", device.name, error)
                self.device_status[device.name] = f"error: {error}"
        self._stop.clear()
        self._thread = threading.Thread(target=self._recovery_loop, name="device-hub", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._recover_now.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        for device in reversed(self._all()):
            try:
                device.close()
            except DeviceError as error:
                log.warning("device %s did not close cleanly: %s", device.name, error)

    def sale_completed(
        self, receipt: Receipt, *, paid_in_cash: bool, staff: str
    ) -> SaleDeviceResult:
        """Print the receipt and, for cash, open the drawer; neither failure undoes the sale."""
        outcome = self.spooler.print_receipt(receipt) if self.spooler else None
        if outcome is not None and not outcome.printed:
            self._recover_now.set()
        kick, error = None, ""
        if paid_in_cash and self.devices.drawer is not None:
            try:
                kick = self.drawer.kick_for_cash_sale(receipt.receipt_no, staff)
            except DeviceError as failure:
                error = str(failure)
        return SaleDeviceResult(outcome, kick, error)

    def print_test_page(self) -> PrintOutcome:
        if self.spooler is None:
            raise DeviceNotConfiguredError("this till has no receipt printer")
        return self.spooler.print_test_page()

    def read_card(self) -> MemberCard | None:
        if self.devices.card_reader is None:
            raise DeviceNotConfiguredError("this till has no card reader")
        return self.devices.card_reader.current_card()

    def accept_wedge_scan(self, data: str) -> ScanEvent:
        """A keyboard-wedge scan the cashier page recognised by its key timing."""
        clean = "".join(ch for ch in data if ch.isprintable()).strip()[:MAX_WEDGE_SCAN]
        if not clean:
            raise ValueError("empty scan")
        event = ScanEvent("wedge", clean)
        self._on_scan(event)
        return event

    def recover_now(self) -> list[PrintOutcome]:
        """Retry open print jobs at once (also what the background loop does)."""
        return self.spooler.recover() if self.spooler else []

    def _recovery_loop(self) -> None:
        while not self._stop.is_set():
            self._recover_now.wait(self.recovery_interval)
            self._recover_now.clear()
            if self._stop.is_set() or self.spooler is None:
                continue
            try:
                if self.spooler.pending():
                    for outcome in self.spooler.recover():
                        self.till_events.publish(
                            HubEvent(
                                "print",
                                {
                                    "job": outcome.job_id,
                                    "status": outcome.status.value,
                                    "copy_no": outcome.copy_no,
                                    "error": outcome.error,
                                },
                            )
                        )
            except Exception:  # the loop must outlive any single failure
                log.exception("print recovery failed")

    def _on_scan(self, event: ScanEvent) -> None:
        self.till_events.publish(
            HubEvent(
                "scan", {"source": event.source, "data": event.data, "at": event.at.isoformat()}
            )
        )

    def _on_card(self, event: CardEvent) -> None:
        card = event.card
        self.till_events.publish(
            HubEvent(
                "card",
                {
                    "kind": event.kind.value,
                    "reader": event.reader,
                    "uid": card.uid if card else None,
                    "member_id": card.member_id if card else None,
                    "at": event.at.isoformat(),
                },
            )
        )

    def _on_status(self, event: StatusEvent) -> None:
        self.device_status[event.device] = event.status
        self.till_events.publish(
            HubEvent(
                "device", {"device": event.device, "status": event.status, "detail": event.detail}
            )
        )
        if event.device == "printer" and event.status == "online":
            self._recover_now.set()
