"""The ESC/POS bytes of a receipt, built without any printer attached.

The layout follows `retail.receipt.render_text` line for line, so what the emulator
renders can be compared with the plain-text receipt the till shows.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from typing import Literal

from escpos.printer import Dummy
from PIL import Image

from retail.receipt import PAPER_COLUMNS, Receipt, render_text

ESC_INIT = b"\x1b@"
FS_CHINESE_ON = b"\x1c&"  # select Kanji/Chinese mode so GB18030 double bytes print as Hanzi
FS_CHINESE_OFF = b"\x1c."
ALIGN_LEFT = b"\x1ba\x00"
ALIGN_CENTRE = b"\x1ba\x01"
BOLD_ON = b"\x1bE\x01"
BOLD_OFF = b"\x1bE\x00"
LF = b"\n"

# Printers paint control bytes as commands: a product name must never smuggle one in.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

CodeKind = Literal["qr", "barcode", "none"]
TextEncoding = Literal["gb18030", "ascii"]


@dataclass(frozen=True, slots=True)
class ReceiptLayout:
    """How a till's printer wants its receipts: paper width, code, logo, cut."""

    paper_mm: int = 80
    encoding: TextEncoding = "gb18030"
    code: CodeKind = "qr"
    logo: Image.Image | None = None
    cut: bool = True

    @property
    def columns(self) -> int:
        return PAPER_COLUMNS[self.paper_mm]

    @property
    def dots(self) -> int:
        return 384 if self.paper_mm == 58 else 576


def encode_text(text: str, encoding: TextEncoding) -> bytes:
    """One line of receipt text as printer bytes; unprintable characters become '?'."""
    clean = _CONTROL.sub("", text)
    return clean.encode(encoding, errors="replace")


def build_receipt_bytes(receipt: Receipt, layout: ReceiptLayout) -> bytes:
    """Every byte of one receipt job, from initialise to cut."""
    text_lines = render_text(receipt, layout.columns).splitlines()
    out = bytearray(ESC_INIT)
    if layout.encoding == "gb18030":
        out += FS_CHINESE_ON
    if layout.logo is not None:
        out += _logo_bytes(layout.logo, layout.dots)
    out += ALIGN_CENTRE + BOLD_ON + encode_text(text_lines[0].strip(), layout.encoding) + LF
    out += BOLD_OFF + ALIGN_LEFT
    for index, line in enumerate(text_lines[1:], start=1):
        emphasised = receipt.is_copy and index == 1
        if emphasised:
            out += BOLD_ON
        out += encode_text(line, layout.encoding) + LF
        if emphasised:
            out += BOLD_OFF
    out += _code_bytes(receipt.receipt_no, layout.code)
    if layout.encoding == "gb18030":
        out += FS_CHINESE_OFF
    if layout.cut:
        out += _cut_bytes()
    return bytes(out)


def build_test_page_bytes(layout: ReceiptLayout, title: str = "chainpos test page") -> bytes:
    """A short page that proves the transport, the Chinese font and the cutter."""
    out = bytearray(ESC_INIT)
    if layout.encoding == "gb18030":
        out += FS_CHINESE_ON
    for line in (title, "打印测试 Printer test", "-" * layout.columns, f"{layout.paper_mm} mm"):
        out += encode_text(line, layout.encoding) + LF
    if layout.encoding == "gb18030":
        out += FS_CHINESE_OFF
    if layout.cut:
        out += _cut_bytes()
    return bytes(out)


def _code_bytes(receipt_no: str, kind: CodeKind) -> bytes:
    if kind == "none":
        return b""
    printer = Dummy()
    printer.set(align="center")
    if kind == "qr":
        printer.qr(receipt_no, native=True, size=4)
    else:
        data = "".join(ch for ch in receipt_no if (ch.isascii() and ch.isalnum()) or ch == "-")
        # python-escpos prints a notice on stdout when it uses the printer's own barcode engine.
        with contextlib.redirect_stdout(io.StringIO()):
            printer.barcode("{B" + data, "CODE128", function_type="B", pos="BELOW", width=2)
    printer.set(align="left")
    return bytes(printer.output)


def _logo_bytes(logo: Image.Image, max_dots: int) -> bytes:
    image = logo
    if image.width > max_dots:
        image = image.resize((max_dots, max(1, image.height * max_dots // image.width)))
    printer = Dummy()
    printer.image(image, center=False)
    return ALIGN_CENTRE + bytes(printer.output) + ALIGN_LEFT


def _cut_bytes() -> bytes:
    printer = Dummy()
    printer.cut(mode="PART")
    return bytes(printer.output)
