"""The ports the till programs against; adapters and fakes implement them."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Generic, TypeVar

from devices.events import CardEvent, MemberCard, ScanEvent
from devices.lifecycle import Device, DeviceState
from devices.printer_status import PrinterStatus
from devices.receipt_layout import ReceiptLayout, build_receipt_bytes
from retail.receipt import Receipt

ScanListener = Callable[[ScanEvent], None]
CardListener = Callable[[CardEvent], None]


class ReceiptPrinter(Device, ABC):
    """A receipt printer: raw jobs, status before/after, and the drawer kick it drives."""

    layout: ReceiptLayout

    @abstractmethod
    def print_bytes(self, data: bytes) -> None:
        """Send one whole job; raises DeviceOfflineError when the printer cannot be reached."""

    @abstractmethod
    def check_status(self) -> PrinterStatus:
        """Ask the printer how it is (DLE EOT); never raises."""

    @abstractmethod
    def kick_drawer(self, pin: int) -> None:
        """Pulse the drawer kick connector on pin 2 or pin 5."""

    def print_receipt(self, receipt: Receipt) -> bytes:
        """Lay out and print `receipt`; returns the bytes sent."""
        data = build_receipt_bytes(receipt, self.layout)
        self.print_bytes(data)
        return data


class CashDrawer(Device, ABC):
    @abstractmethod
    def open_drawer(self) -> None:
        """Fire the kick."""

    @abstractmethod
    def is_open(self) -> bool | None:
        """The drawer switch as the printer reports it; None when it does not say."""


T = TypeVar("T")


class _Listeners(Generic[T]):
    """A thread-safe list of callbacks fed from driver threads."""

    def __init__(self) -> None:
        self._items: list[Callable[[T], None]] = []
        self._lock = threading.Lock()

    def add(self, callback: Callable[[T], None]) -> None:
        with self._lock:
            self._items.append(callback)

    def __call__(self, event: T) -> None:
        with self._lock:
            items = list(self._items)
        for callback in items:
            callback(event)


class Scanner(Device, ABC):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._scan_listeners: _Listeners[ScanEvent] = _Listeners()
        self.dropped_while_disabled = 0

    def add_scan_listener(self, listener: ScanListener) -> None:
        self._scan_listeners.add(listener)

    def deliver(self, data: str) -> None:
        """Hand one decoded scan to the till, only while enabled (UnifiedPOS DataEvent)."""
        if self.state is DeviceState.ENABLED:
            self._scan_listeners(ScanEvent(self.name, data))
        else:
            self.dropped_while_disabled += 1


class CardReader(Device, ABC):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._card_listeners: _Listeners[CardEvent] = _Listeners()

    def add_card_listener(self, listener: CardListener) -> None:
        self._card_listeners.add(listener)

    def deliver(self, event: CardEvent) -> None:
        if self.state is DeviceState.ENABLED:
            self._card_listeners(event)

    @abstractmethod
    def current_card(self) -> MemberCard | None:
        """The card in the reader now, read afresh; None when there is none."""


class LineDisplay(Device, ABC):
    @abstractmethod
    def show(self, top: str, bottom: str) -> None:
        """Show two lines (each cut or padded to the display's width)."""
