"""Reading a printer's real-time status (DLE EOT n) without confusing "no answer" with "offline"."""

from __future__ import annotations

from dataclasses import dataclass

from devices.lifecycle import Health

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"
DLE_EOT_ERROR_CAUSE = b"\x10\x04\x03"
DLE_EOT_PAPER = b"\x10\x04\x04"

_FIXED_MASK = 0x93  # bits 0, 1, 4 and 7 have fixed values in every DLE EOT reply
_FIXED_VALUE = 0x12


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """One reading of the printer. Fields are None when the printer did not say."""

    health: Health
    cover_open: bool | None = None
    paper_near_end: bool | None = None
    paper_out: bool | None = None
    error: bool | None = None
    drawer_pin3_high: bool | None = None

    @property
    def can_print(self) -> bool:
        return self.health is Health.ONLINE and not self.cover_open and not self.paper_out

    def describe(self) -> str:
        """A short, stable word list for logs and the till screen."""
        words = [self.health.value]
        for flag, word in (
            (self.cover_open, "cover-open"),
            (self.paper_out, "paper-out"),
            (self.paper_near_end, "paper-near-end"),
            (self.error, "error"),
        ):
            if flag:
                words.append(word)
        return " ".join(words)


UNKNOWN_STATUS = PrinterStatus(Health.UNKNOWN)
OFFLINE_STATUS = PrinterStatus(Health.OFFLINE)


def is_status_byte(reply: bytes | None) -> bool:
    """True when `reply` is one byte shaped like a DLE EOT answer."""
    return reply is not None and len(reply) == 1 and reply[0] & _FIXED_MASK == _FIXED_VALUE


def decode_status(
    printer: bytes | None,
    offline_cause: bytes | None,
    paper: bytes | None,
) -> PrinterStatus:
    """Combine the replies to DLE EOT 1, 2 and 4; any missing reply leaves that part unknown."""
    if not is_status_byte(printer):
        return UNKNOWN_STATUS
    assert printer is not None
    p = printer[0]
    health = Health.OFFLINE if p & 0x08 else Health.ONLINE
    cover_open = error = paper_stop = None
    if is_status_byte(offline_cause):
        assert offline_cause is not None
        c = offline_cause[0]
        cover_open = bool(c & 0x04)
        paper_stop = bool(c & 0x20)
        error = bool(c & 0x40)
    near_end = paper_out = None
    if is_status_byte(paper):
        assert paper is not None
        s = paper[0]
        near_end = bool(s & 0x0C)
        paper_out = bool(s & 0x60)
    if paper_out is None and paper_stop is not None:
        paper_out = paper_stop
    return PrinterStatus(
        health=health,
        cover_open=cover_open,
        paper_near_end=near_end,
        paper_out=paper_out,
        error=error,
        drawer_pin3_high=bool(p & 0x04),
    )
