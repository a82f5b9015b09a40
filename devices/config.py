"""Per-till device configuration, read from a JSON file and checked field by field."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from devices.errors import DeviceError
from devices.escpos_transport import PrinterConnection, TransportKind
from devices.pole_display import PoleProtocol
from devices.receipt_layout import CodeKind, TextEncoding
from devices.scan_framing import ScanFormat, Terminator


class DeviceConfigError(DeviceError):
    """The device configuration is wrong; `field` names the offending entry."""

    code = "device_config_invalid"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, slots=True)
class PrinterConfig:
    connection: PrinterConnection
    paper_mm: int = 80
    encoding: TextEncoding = "gb18030"
    code: CodeKind = "qr"
    logo: str | None = None


@dataclass(frozen=True, slots=True)
class DrawerConfig:
    pin: int = 2
    open_level: str = "high"
    reports_state: bool = True


@dataclass(frozen=True, slots=True)
class ScannerConfig:
    name: str
    port: str
    baudrate: int = 9600
    fmt: ScanFormat = field(default_factory=ScanFormat)


@dataclass(frozen=True, slots=True)
class CardReaderConfig:
    reader_match: str = ""
    aid: bytes | None = None


@dataclass(frozen=True, slots=True)
class PoleDisplayConfig:
    port: str
    protocol: PoleProtocol = "epson"
    baudrate: int = 9600


@dataclass(frozen=True, slots=True)
class DeviceConfig:
    """Everything plugged into one till; any part may be absent."""

    till: str = ""
    printer: PrinterConfig | None = None
    drawer: DrawerConfig | None = None
    scanners: tuple[ScannerConfig, ...] = field(default_factory=tuple)
    card_reader: CardReaderConfig | None = None
    pole_display: PoleDisplayConfig | None = None


def load_device_config(path: str | Path) -> DeviceConfig:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise DeviceConfigError("config", f"no such file {path}") from error
    except json.JSONDecodeError as error:
        raise DeviceConfigError("config", f"not JSON: {error}") from error
    return parse_device_config(raw)


def parse_device_config(raw: object) -> DeviceConfig:
    doc = _obj(raw, "config")
    printer = _printer(_obj(doc["printer"], "printer")) if doc.get("printer") else None
    drawer = _drawer(_obj(doc["drawer"], "drawer")) if doc.get("drawer") else None
    if drawer is not None and printer is None:
        raise DeviceConfigError("drawer", "a drawer is kicked through the printer: add a printer")
    scanners = tuple(
        _scanner(_obj(item, f"scanners[{i}]"), f"scanners[{i}]")
        for i, item in enumerate(_list(doc.get("scanners", []), "scanners"))
    )
    reader = _card_reader(_obj(doc["card_reader"], "card_reader")) if "card_reader" in doc else None
    pole = _pole(_obj(doc["pole_display"], "pole_display")) if doc.get("pole_display") else None
    return DeviceConfig(
        till=_str(doc.get("till", ""), "till"),
        printer=printer,
        drawer=drawer,
        scanners=scanners,
        card_reader=reader,
        pole_display=pole,
    )


def _printer(doc: dict[str, Any]) -> PrinterConfig:
    kind = _choice(
        doc.get("transport", "network"), "printer.transport", ("network", "serial", "usb", "file")
    )
    if kind in ("serial", "file") and not doc.get("device"):
        raise DeviceConfigError("printer.device", f"required for a {kind} printer")
    connection = PrinterConnection(
        kind=cast(TransportKind, kind),
        host=_str(doc.get("host", "127.0.0.1"), "printer.host"),
        port=_int(doc.get("port", 9100), "printer.port", 1, 65535),
        device=_str(doc.get("device", ""), "printer.device"),
        baudrate=_int(doc.get("baudrate", 9600), "printer.baudrate", 1200, 921600),
        usb_vendor=_hex_int(doc.get("usb_vendor", 0), "printer.usb_vendor"),
        usb_product=_hex_int(doc.get("usb_product", 0), "printer.usb_product"),
        timeout=float(doc.get("timeout", 3.0)),
    )
    paper = _int(doc.get("paper_mm", 80), "printer.paper_mm", 58, 80)
    if paper not in (58, 80):
        raise DeviceConfigError("printer.paper_mm", "must be 58 or 80")
    return PrinterConfig(
        connection=connection,
        paper_mm=paper,
        encoding=cast(
            TextEncoding,
            _choice(doc.get("encoding", "gb18030"), "printer.encoding", ("gb18030", "ascii")),
        ),
        code=cast(
            CodeKind, _choice(doc.get("code", "qr"), "printer.code", ("qr", "barcode", "none"))
        ),
        logo=_str(doc["logo"], "printer.logo") if doc.get("logo") else None,
    )


def _drawer(doc: dict[str, Any]) -> DrawerConfig:
    pin = _int(doc.get("pin", 2), "drawer.pin", 2, 5)
    if pin not in (2, 5):
        raise DeviceConfigError("drawer.pin", "must be 2 or 5")
    return DrawerConfig(
        pin=pin,
        open_level=_choice(doc.get("open_level", "high"), "drawer.open_level", ("high", "low")),
        reports_state=bool(doc.get("reports_state", True)),
    )


def _scanner(doc: dict[str, Any], where: str) -> ScannerConfig:
    return ScannerConfig(
        name=_str(doc.get("name", "scanner"), f"{where}.name"),
        port=_str(doc.get("port", ""), f"{where}.port") or _missing(f"{where}.port"),
        baudrate=_int(doc.get("baudrate", 9600), f"{where}.baudrate", 1200, 921600),
        fmt=ScanFormat(
            prefix=_str(doc.get("prefix", ""), f"{where}.prefix"),
            suffix=_str(doc.get("suffix", ""), f"{where}.suffix"),
            terminator=cast(
                Terminator,
                _choice(doc.get("terminator", "CR"), f"{where}.terminator", ("CR", "LF", "CRLF")),
            ),
        ),
    )


def _card_reader(doc: dict[str, Any]) -> CardReaderConfig:
    aid = doc.get("aid")
    try:
        aid_bytes = bytes.fromhex(_str(aid, "card_reader.aid")) if aid else None
    except ValueError as error:
        raise DeviceConfigError("card_reader.aid", "must be hex") from error
    return CardReaderConfig(
        reader_match=_str(doc.get("reader_match", ""), "card_reader.reader_match"), aid=aid_bytes
    )


def _pole(doc: dict[str, Any]) -> PoleDisplayConfig:
    return PoleDisplayConfig(
        port=_str(doc.get("port", ""), "pole_display.port") or _missing("pole_display.port"),
        protocol=cast(
            PoleProtocol,
            _choice(doc.get("protocol", "epson"), "pole_display.protocol", ("epson", "cd5220")),
        ),
        baudrate=_int(doc.get("baudrate", 9600), "pole_display.baudrate", 1200, 921600),
    )


def _obj(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DeviceConfigError(where, "must be an object")
    return cast(dict[str, Any], value)


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise DeviceConfigError(where, "must be a list")
    return value


def _str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise DeviceConfigError(where, "must be a string")
    return value


def _int(value: object, where: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DeviceConfigError(where, f"must be a whole number from {low} to {high}")
    return value


def _hex_int(value: object, where: str) -> int:
    if isinstance(value, str):
        try:
            return int(value, 16)
        except ValueError as error:
            raise DeviceConfigError(where, "must be a hex number like 0x04b8") from error
    return _int(value, where, 0, 0xFFFF)


def _choice(value: object, where: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise DeviceConfigError(where, f"must be one of {', '.join(choices)}")
    return cast(str, value)


def _missing(where: str) -> str:
    raise DeviceConfigError(where, "required")
