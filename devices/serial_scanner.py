"""A barcode scanner on a serial port over pyserial, reconnecting after an unplug."""

from __future__ import annotations

import logging
import threading

import serial

from devices.lifecycle import Health
from devices.ports import Scanner
from devices.scan_framing import ScanFormat, ScanFramer

log = logging.getLogger(__name__)


class SerialScanner(Scanner):
    """Reads scans on a background thread while claimed; delivers them while enabled."""

    def __init__(
        self,
        name: str,
        port: str,
        fmt: ScanFormat | None = None,
        baudrate: int = 9600,
        retry_interval: float = 0.5,
    ) -> None:
        super().__init__(name)
        self.port = port
        self.baudrate = baudrate
        self.retry_interval = retry_interval
        self._framer = ScanFramer(fmt or ScanFormat())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._health: Health | None = None
        self.connected = threading.Event()

    def _on_claim(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"scanner-{self.name}", daemon=True)
        self._thread.start()

    def _on_release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            link = self._connect()
            if link is None:
                self._stop.wait(self.retry_interval)
                continue
            try:
                self._read_until_lost(link)
            finally:
                link.close()
                self.connected.clear()
                self._framer.reset()

    def _connect(self) -> serial.Serial | None:
        try:
            link = serial.Serial(self.port, self.baudrate, timeout=0.2)
        except (serial.SerialException, OSError) as error:
            self._note(Health.OFFLINE, str(error))
            return None
        self._note(Health.ONLINE, self.port)
        self.connected.set()
        return link

    def _read_until_lost(self, link: serial.Serial) -> None:
        while not self._stop.is_set():
            try:
                chunk = link.read(link.in_waiting or 1)
            except (serial.SerialException, OSError) as error:
                self._note(Health.OFFLINE, str(error))
                return
            for scan in self._framer.feed(chunk):
                self.deliver(scan)

    def _note(self, health: Health, detail: str) -> None:
        if health is not self._health:
            self._health = health
            log.info("scanner %s is %s (%s)", self.name, health.value, detail)
            self.emit(health.value, detail)
