"""A 2x20 customer pole display (VFD) on a serial port, over pyserial."""

from __future__ import annotations

import contextlib
import threading
from typing import Literal

import serial

from devices.errors import DeviceOfflineError
from devices.lifecycle import Health
from devices.ports import LineDisplay

PoleProtocol = Literal["epson", "cd5220"]
WIDTH = 20


def pole_bytes(top: str, bottom: str, protocol: PoleProtocol, encoding: str = "ascii") -> bytes:
    """The bytes that put two lines on the display, each padded/cut to 20 characters."""
    lines = [
        line[:WIDTH].ljust(WIDTH).encode(encoding, errors="replace")[:WIDTH]
        for line in (top, bottom)
    ]
    if protocol == "cd5220":
        return b"\x1bQA" + lines[0] + b"\r" + b"\x1bQB" + lines[1] + b"\r"
    # Epson ESC/POS customer display: clear, write line 1, cursor to column 1 row 2, line 2.
    return b"\x0c" + lines[0] + b"\x1f\x24\x01\x02" + lines[1]


class SerialPoleDisplay(LineDisplay):
    """Writes whole screens; reopens the port on the next write after an unplug."""

    def __init__(
        self,
        name: str,
        port: str,
        protocol: PoleProtocol = "epson",
        baudrate: int = 9600,
        encoding: str = "ascii",
    ) -> None:
        super().__init__(name)
        self.port = port
        self.protocol = protocol
        self.baudrate = baudrate
        self.encoding = encoding
        self._link: serial.Serial | None = None
        self._lock = threading.Lock()

    def _on_claim(self) -> None:
        try:
            self._connect()
        except DeviceOfflineError as error:
            self.emit(Health.OFFLINE.value, str(error))

    def _on_release(self) -> None:
        with self._lock:
            self._drop()

    def show(self, top: str, bottom: str) -> None:
        self.require_enabled()
        data = pole_bytes(top, bottom, self.protocol, self.encoding)
        with self._lock:
            try:
                link = self._connect()
                link.write(data)
                link.flush()
            except (serial.SerialException, OSError) as error:
                self._drop()
                self.emit(Health.OFFLINE.value, str(error))
                raise DeviceOfflineError(f"pole display {self.port}: {error}") from error

    def _connect(self) -> serial.Serial:
        if self._link is None:
            try:
                self._link = serial.Serial(self.port, self.baudrate, timeout=1, write_timeout=1)
            except (serial.SerialException, OSError) as error:
                raise DeviceOfflineError(f"pole display {self.port}: {error}") from error
            if self.protocol == "epson":
                self._link.write(b"\x1b@")
        return self._link

    def _drop(self) -> None:
        if self._link is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                self._link.close()
            self._link = None
