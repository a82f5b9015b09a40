"""Sending bytes to, and reading status from, a printer through python-escpos's transports."""

from __future__ import annotations

import contextlib
import select
import socket
import time
from dataclasses import dataclass
from typing import Any, Literal

from escpos import printer as escpos_printers
from escpos.escpos import Escpos

from devices.errors import DeviceOfflineError

TransportKind = Literal["network", "serial", "usb", "file"]


@dataclass(frozen=True, slots=True)
class PrinterConnection:
    """Where a printer is: TCP host/port, serial device, USB ids or a device file."""

    kind: TransportKind
    host: str = "127.0.0.1"
    port: int = 9100
    device: str = ""
    baudrate: int = 9600
    usb_vendor: int = 0
    usb_product: int = 0
    timeout: float = 3.0


class EscposTransport:
    """One printer connection that can be dropped and opened again after an unplug."""

    def __init__(self, connection: PrinterConnection) -> None:
        self.connection = connection
        self._printer: Escpos | None = None

    @property
    def connected(self) -> bool:
        return self._printer is not None

    def connect(self) -> None:
        if self._printer is not None:
            return
        printer = self._make()
        try:
            printer.open()
        except Exception as error:  # every transport has its own "not found" exception
            raise DeviceOfflineError(f"{self.describe()}: {error}") from error
        self._printer = printer

    def disconnect(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            # Closing a dead link can fail in any way; it is gone either way.
            with contextlib.suppress(Exception):
                printer.close()

    def send(self, data: bytes) -> None:
        """Write every byte or raise DeviceOfflineError (and drop the link)."""
        if self._printer is not None and self.connection.kind == "network":
            self._reconnect_if_peer_closed()
        self.connect()
        assert self._printer is not None
        try:
            self._printer._raw(data)
            if self.connection.kind == "serial":
                self._printer.device.flush()
        except Exception as error:  # OSError, SerialException, USBError, ...
            self.disconnect()
            raise DeviceOfflineError(f"{self.describe()}: {error}") from error

    def query(self, command: bytes, timeout: float = 0.5) -> bytes | None:
        """Send a real-time command and read its one-byte reply; None when nothing came back."""
        self.connect()
        assert self._printer is not None
        kind = self.connection.kind
        if kind == "file":
            return None  # a device file is write-only: the status is unknown, not offline
        try:
            if kind == "network":
                return self._query_socket(self._printer.device, command, timeout)
            if kind == "serial":
                return self._query_serial(self._printer.device, command, timeout)
            self._printer._raw(command)
            reply = self._printer._read()
            return bytes(reply[-1:]) if reply else None
        except DeviceOfflineError:
            self.disconnect()
            raise
        except Exception as error:
            self.disconnect()
            raise DeviceOfflineError(f"{self.describe()}: {error}") from error

    def _reconnect_if_peer_closed(self) -> None:
        # A printer that was power-cycled closed our socket; a send would vanish into the
        # kernel buffer before the reset came back, so look before writing.
        assert self._printer is not None
        sock = self._printer.device
        try:
            ready, _, _ = select.select([sock], [], [], 0)
            closed = bool(ready) and sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            closed = True
        if closed:
            self.disconnect()

    def describe(self) -> str:
        c = self.connection
        if c.kind == "network":
            return f"tcp://{c.host}:{c.port}"
        if c.kind == "usb":
            return f"usb:{c.usb_vendor:04x}:{c.usb_product:04x}"
        return f"{c.kind}:{c.device}"

    def _make(self) -> Escpos:
        c = self.connection
        if c.kind == "network":
            return escpos_printers.Network(host=c.host, port=c.port, timeout=c.timeout)
        if c.kind == "serial":
            return escpos_printers.Serial(devfile=c.device, baudrate=c.baudrate, timeout=c.timeout)
        if c.kind == "usb":
            return escpos_printers.Usb(idVendor=c.usb_vendor, idProduct=c.usb_product)
        return escpos_printers.File(devfile=c.device)

    @staticmethod
    def _query_socket(sock: Any, command: bytes, timeout: float) -> bytes | None:
        _drain_socket(sock)
        sock.sendall(command)
        ready, _, _ = select.select([sock], [], [], timeout)
        if not ready:
            return None
        reply = sock.recv(1)
        if reply == b"":
            raise DeviceOfflineError("printer closed the connection")
        return bytes(reply)

    @staticmethod
    def _query_serial(port: Any, command: bytes, timeout: float) -> bytes | None:
        port.reset_input_buffer()
        port.write(command)
        port.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if port.in_waiting:
                return bytes(port.read(1))
            time.sleep(0.01)
        return None


def _drain_socket(sock: socket.socket) -> None:
    """Throw away unsolicited bytes (e.g. Automatic Status Back) before a query."""
    while True:
        ready, _, _ = select.select([sock], [], [], 0)
        if not ready:
            return
        if sock.recv(256) == b"":
            raise DeviceOfflineError("printer closed the connection")
