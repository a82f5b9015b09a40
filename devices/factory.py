"""Building the real adapters from a till's DeviceConfig."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, cast

from PIL import Image

from devices.card_apdus import MEMBER_AID
from devices.cash_drawer import PrinterCashDrawer
from devices.config import DeviceConfig
from devices.escpos_printer import EscposReceiptPrinter
from devices.ports import CardReader, CashDrawer, LineDisplay, ReceiptPrinter, Scanner
from devices.receipt_layout import ReceiptLayout
from devices.serial_scanner import SerialScanner


@dataclass(slots=True)
class DeviceSet:
    """The devices of one till, built but not opened."""

    printer: ReceiptPrinter | None = None
    drawer: CashDrawer | None = None
    scanners: list[Scanner] = field(default_factory=list)
    card_reader: CardReader | None = None
    pole_display: LineDisplay | None = None


def build_devices(config: DeviceConfig) -> DeviceSet:
    devices = DeviceSet()
    if config.printer is not None:
        p = config.printer
        logo = Image.open(p.logo) if p.logo else None
        layout = ReceiptLayout(paper_mm=p.paper_mm, encoding=p.encoding, code=p.code, logo=logo)
        devices.printer = EscposReceiptPrinter("printer", p.connection, layout)
    if config.drawer is not None and devices.printer is not None:
        d = config.drawer
        devices.drawer = PrinterCashDrawer(
            "drawer",
            devices.printer,
            pin=d.pin,
            open_level=cast(Literal["high", "low"], d.open_level),
            reports_state=d.reports_state,
        )
    for s in config.scanners:
        devices.scanners.append(SerialScanner(s.name, s.port, s.fmt, s.baudrate))
    if config.card_reader is not None:
        # pyscard needs libpcsclite at import time: only tills with a reader load it.
        from devices.pcsc_card_reader import PcscCardReader

        c = config.card_reader
        devices.card_reader = PcscCardReader("card-reader", c.reader_match, c.aid or MEMBER_AID)
    if config.pole_display is not None:
        from devices.pole_display import SerialPoleDisplay

        pd = config.pole_display
        devices.pole_display = SerialPoleDisplay("pole", pd.port, pd.protocol, pd.baudrate)
    return devices
