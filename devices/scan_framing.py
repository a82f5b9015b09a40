"""Cutting a serial scanner's byte stream into scans: prefix, suffix, CR or CRLF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Terminator = Literal["CR", "LF", "CRLF"]
_TERMINATORS: dict[str, bytes] = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n"}
MAX_SCAN_BYTES = 512  # longer than any barcode: a stream without terminators is noise


@dataclass(frozen=True, slots=True)
class ScanFormat:
    """How the scanner is programmed: what it puts before and after each barcode."""

    prefix: str = ""
    suffix: str = ""
    terminator: Terminator = "CR"
    encoding: str = "ascii"


class ScanFramer:
    """Feed it bytes as they arrive; it returns the complete scans they finish."""

    def __init__(self, fmt: ScanFormat) -> None:
        self.fmt = fmt
        self._buffer = bytearray()

    def feed(self, chunk: bytes) -> list[str]:
        self._buffer += chunk
        scans: list[str] = []
        while True:
            record = self._next_record()
            if record is None:
                break
            scan = self._strip(record)
            if scan:
                scans.append(scan)
        if len(self._buffer) > MAX_SCAN_BYTES:
            self._buffer.clear()
        return scans

    def reset(self) -> None:
        """Forget a half-received scan (after an unplug)."""
        self._buffer.clear()

    def _next_record(self) -> bytes | None:
        if self.fmt.terminator == "CR" or self.fmt.terminator == "LF":
            end = self._buffer.find(_TERMINATORS[self.fmt.terminator])
            if end < 0:
                return None
            record = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            return record.strip(b"\r\n")  # tolerate a scanner sending CRLF when set to CR
        end = self._buffer.find(b"\r\n")
        if end < 0:
            return None
        record = bytes(self._buffer[:end])
        del self._buffer[: end + 2]
        return record

    def _strip(self, record: bytes) -> str:
        text = record.decode(self.fmt.encoding, errors="replace")
        if self.fmt.prefix and text.startswith(self.fmt.prefix):
            text = text[len(self.fmt.prefix) :]
        if self.fmt.suffix and text.endswith(self.fmt.suffix):
            text = text[: -len(self.fmt.suffix)]
        return text.strip()
