"""EscposReceiptPrinter: a receipt printer (and its drawer kick) on any python-escpos transport."""

from __future__ import annotations

import threading

from devices.errors import DeviceOfflineError
from devices.escpos_transport import EscposTransport, PrinterConnection
from devices.lifecycle import Health
from devices.ports import ReceiptPrinter
from devices.printer_status import (
    DLE_EOT_OFFLINE_CAUSE,
    DLE_EOT_PAPER,
    DLE_EOT_PRINTER,
    OFFLINE_STATUS,
    PrinterStatus,
    decode_status,
)
from devices.receipt_layout import ReceiptLayout

KICK_PULSE_MS = 100


def kick_bytes(pin: int, pulse_ms: int = KICK_PULSE_MS) -> bytes:
    """ESC p m t1 t2: pulse connector pin 2 (m=0) or pin 5 (m=1); times in 2 ms units."""
    if pin not in (2, 5):
        raise ValueError(f"drawer kick pin must be 2 or 5, not {pin}")
    units = max(1, min(255, pulse_ms // 2))
    return b"\x1bp" + bytes([0 if pin == 2 else 1, units, units])


class EscposReceiptPrinter(ReceiptPrinter):
    """Prints over network (TCP 9100), serial, USB or a device file."""

    def __init__(
        self,
        name: str,
        connection: PrinterConnection,
        layout: ReceiptLayout | None = None,
        status_timeout: float = 0.5,
    ) -> None:
        super().__init__(name)
        self.layout = layout or ReceiptLayout()
        self.transport = EscposTransport(connection)
        self.status_timeout = status_timeout
        self._io_lock = threading.Lock()
        self._last_health: Health | None = None

    def _on_claim(self) -> None:
        # An unplugged printer is still claimable: the hub reconnects when it comes back.
        try:
            self.transport.connect()
        except DeviceOfflineError as error:
            self._note_health(Health.OFFLINE, str(error))

    def _on_release(self) -> None:
        self.transport.disconnect()

    def print_bytes(self, data: bytes) -> None:
        self.require_enabled()
        with self._io_lock:
            try:
                self.transport.send(data)
            except DeviceOfflineError as error:
                self._note_health(Health.OFFLINE, str(error))
                raise

    def check_status(self) -> PrinterStatus:
        with self._io_lock:
            try:
                printer = self.transport.query(DLE_EOT_PRINTER, self.status_timeout)
                cause = paper = None
                if printer is not None:
                    cause = self.transport.query(DLE_EOT_OFFLINE_CAUSE, self.status_timeout)
                    paper = self.transport.query(DLE_EOT_PAPER, self.status_timeout)
            except DeviceOfflineError as error:
                self._note_health(Health.OFFLINE, str(error))
                return OFFLINE_STATUS
        status = decode_status(printer, cause, paper)
        self._note_health(status.health, status.describe())
        return status

    def kick_drawer(self, pin: int) -> None:
        self.print_bytes(kick_bytes(pin))

    def _note_health(self, health: Health, detail: str) -> None:
        if health is not self._last_health:
            self._last_health = health
            self.emit(health.value, detail)
