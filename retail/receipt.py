"""The receipt as structured data, and its plain-text rendering for a given paper width.

Building the bytes for a printer (ESC/POS) lives in devices/; this module only says
what a receipt contains and how it reads as text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from retail.money import format_minor

#: Characters per line for common paper widths with the printer's default font.
PAPER_COLUMNS = {58: 32, 80: 48}


@dataclass(frozen=True, slots=True)
class ReceiptSaving:
    """A saving explained under the line it applies to (promotion or discount)."""

    label: str
    amount: int  # fen, positive = money off


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    name: str
    qty_text: str  # "2" or "0.512kg"
    unit_price: int
    amount: int  # after savings
    savings: tuple[ReceiptSaving, ...] = ()


@dataclass(frozen=True, slots=True)
class ReceiptTender:
    method: str
    amount: int
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class ReceiptTax:
    rate_label: str  # "13%"
    tax: int


@dataclass(frozen=True, slots=True)
class ReceiptMember:
    masked_mobile: str
    card_no: str | None = None
    points_balance: int | None = None
    stored_value_balance: int | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """Everything a sale receipt shows, in fen and plain strings."""

    store_name: str
    store_code: str
    till_code: str
    receipt_no: str
    business_day: str
    printed_at: str  # store-local "YYYY-MM-DD HH:MM"
    cashier: str
    lines: tuple[ReceiptLine, ...]
    total: int
    tenders: tuple[ReceiptTender, ...]
    change: int = 0
    rounding: int = 0
    taxes: tuple[ReceiptTax, ...] = ()
    member: ReceiptMember | None = None
    footer: tuple[str, ...] = ("谢谢惠顾 Thank you",)
    copy_no: int = 0  # 0 for the original; n for the n-th reprint
    kind: str = "SALE"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_copy(self) -> bool:
        return self.copy_no > 0

    @property
    def total_savings(self) -> int:
        return sum(s.amount for line in self.lines for s in line.savings)


def display_width(text: str) -> int:
    """Columns `text` takes on a receipt.

    Wide, full-width and ambiguous characters take two: in GB18030 the ambiguous ones
    (×, ℃, ①) are two-byte characters that a Chinese ESC/POS printer draws full-width.
    Combining marks take none.
    """
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1
    return width


def fit(text: str, width: int) -> str:
    """Cut `text` to at most `width` columns."""
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def two_columns(left: str, right: str, width: int) -> str:
    """`left` flush left and `right` flush right on one line of `width` columns."""
    right_w = display_width(right)
    left = fit(left, max(width - right_w - 1, 0))
    gap = width - display_width(left) - right_w
    return left + " " * max(gap, 1) + right


def centred(text: str, width: int) -> str:
    text = fit(text, width)
    pad = (width - display_width(text)) // 2
    return " " * pad + text


def render_text(receipt: Receipt, columns: int = 32) -> str:
    """The receipt as lines of text no wider than `columns` display columns."""
    rule = "-" * columns
    out: list[str] = [centred(receipt.store_name, columns)]
    if receipt.is_copy:
        out.append(centred(f"*** COPY {receipt.copy_no} 重印 ***", columns))
    if receipt.kind != "SALE":
        out.append(centred(receipt.kind, columns))
    out += [
        fit(f"No: {receipt.receipt_no}", columns),
        two_columns(f"{receipt.store_code} {receipt.till_code}", receipt.printed_at, columns),
        fit(f"Cashier 收银员: {receipt.cashier}", columns),
    ]
    out += [fit(f"{label}: {value}", columns) for label, value in receipt.extra.items()]
    out.append(rule)
    for line in receipt.lines:
        out.append(fit(line.name, columns).rstrip())
        out.append(
            two_columns(
                f"  {line.qty_text} x {format_minor(line.unit_price)}",
                format_minor(line.amount),
                columns,
            )
        )
        for saving in line.savings:
            out.append(two_columns(f"  {saving.label}", f"-{format_minor(saving.amount)}", columns))
    out.append(rule)
    if receipt.total_savings:
        out.append(two_columns("Savings 优惠", format_minor(receipt.total_savings), columns))
    out.append(two_columns("TOTAL 合计", format_minor(receipt.total), columns))
    if receipt.rounding:
        out.append(two_columns("Rounding 舍入", format_minor(receipt.rounding), columns))
    for tender in receipt.tenders:
        out.append(two_columns(tender.method.upper(), format_minor(tender.amount), columns))
    if receipt.change:
        out.append(two_columns("Change 找零", format_minor(receipt.change), columns))
    for tax in receipt.taxes:
        out.append(two_columns(f"Tax 税 {tax.rate_label}", format_minor(tax.tax), columns))
    if receipt.member is not None:
        out.append(rule)
        out.append(fit(f"Member 会员: {receipt.member.masked_mobile}", columns))
        if receipt.member.points_balance is not None:
            out.append(two_columns("Points 积分", str(receipt.member.points_balance), columns))
        if receipt.member.stored_value_balance is not None:
            out.append(
                two_columns(
                    "Balance 余额", format_minor(receipt.member.stored_value_balance), columns
                )
            )
    out.append(rule)
    out += [centred(text, columns) for text in receipt.footer]
    return "\n".join(out) + "\n"
