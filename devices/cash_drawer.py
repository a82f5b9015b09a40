"""A cash drawer wired to the receipt printer's kick connector."""

from __future__ import annotations

from typing import Literal

from devices.ports import CashDrawer, ReceiptPrinter


class PrinterCashDrawer(CashDrawer):
    """Kicks through the printer on pin 2 or 5; reads the drawer switch from DLE EOT 1."""

    def __init__(
        self,
        name: str,
        printer: ReceiptPrinter,
        pin: int = 2,
        open_level: Literal["high", "low"] = "high",
        reports_state: bool = True,
    ) -> None:
        super().__init__(name)
        if pin not in (2, 5):
            raise ValueError(f"drawer kick pin must be 2 or 5, not {pin}")
        self.printer = printer
        self.pin = pin
        self.open_level = open_level
        self.reports_state = reports_state

    def open_drawer(self) -> None:
        self.require_enabled()
        self.printer.kick_drawer(self.pin)
        self.emit("kicked", f"pin {self.pin}")

    def is_open(self) -> bool | None:
        if not self.reports_state:
            return None
        status = self.printer.check_status()
        if status.drawer_pin3_high is None:
            return None
        return status.drawer_pin3_high == (self.open_level == "high")
