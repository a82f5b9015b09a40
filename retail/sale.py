"""Ringing up a sale: line amounts, tax, tenders, change and cash rounding. Pure rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from retail.money import round_cash, round_half_up

MAX_QTY = 9999
TENDER_METHODS = ("cash", "bank_card", "mobile_wallet", "stored_value", "points", "coupon")
#: Loyalty tenders: authorised against the member's account before the sale is journaled.
LOYALTY_METHODS = frozenset({"stored_value", "points", "coupon"})
#: Methods whose amount is exact: they never give change.
EXACT_METHODS = frozenset({"bank_card", "mobile_wallet"}) | LOYALTY_METHODS


class SaleError(ValueError):
    """A sale cannot be priced or completed; `code` is stable and `field` names the input."""

    def __init__(self, code: str, message: str, field_name: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field_name


@dataclass(frozen=True, slots=True)
class ItemToPrice:
    """A scanned item with what the catalog says about it."""

    sku: str
    name: str
    barcode: str
    unit_price: int  # per unit, or per kg for weighed items
    tax_rate_bp: int
    qty: int
    weighed: bool = False
    weight_grams: int | None = None
    embedded_price: int | None = None
    category_id: str | None = None
    brand_id: str | None = None


@dataclass(frozen=True, slots=True)
class Saving:
    """Money off a line and the promotion (or onsite discount) that gave it."""

    promotion_id: str
    name: str
    amount: int


@dataclass(frozen=True, slots=True)
class SaleLine:
    line_no: int
    sku: str
    name: str
    barcode: str
    qty: int
    unit_price: int
    amount: int
    tax_rate_bp: int
    weight_grams: int | None = None
    #: Before savings; `amount` is what the customer pays for the line.
    regular_amount: int | None = None
    savings: tuple[Saving, ...] = ()
    gift: bool = False

    @property
    def stock_qty(self) -> int:
        """Units the sale takes from stock: pieces, or grams for weighed items."""
        return self.qty * self.weight_grams if self.weight_grams is not None else self.qty

    @property
    def qty_text(self) -> str:
        if self.weight_grams is not None:
            kg, grams = divmod(self.weight_grams, 1000)
            text = f"{kg}.{grams:03d}kg"
            return text if self.qty == 1 else f"{self.qty}x{text}"
        return str(self.qty)


@dataclass(frozen=True, slots=True)
class Quote:
    lines: tuple[SaleLine, ...]
    total: int
    taxes: dict[int, int] = field(default_factory=dict)  # rate bp -> tax included, fen
    applied: tuple[Saving, ...] = ()  # each promotion that applied, with its whole saving
    #: Times each promotion applied (promotion id -> times), for quantity limits across sales.
    uses: dict[str, int] = field(default_factory=dict)

    @property
    def regular_total(self) -> int:
        return sum(
            line.amount if line.regular_amount is None else line.regular_amount
            for line in self.lines
        )

    @property
    def saving(self) -> int:
        return self.regular_total - self.total


def line_amount(item: ItemToPrice) -> int:
    """What one line costs: units x price, or the scale's weight or price."""
    if not 1 <= item.qty <= MAX_QTY:
        raise SaleError("invalid_quantity", f"quantity must be 1..{MAX_QTY}", "qty")
    if item.embedded_price is not None:
        return item.embedded_price * item.qty
    if item.weight_grams is not None:
        if item.weight_grams <= 0:
            raise SaleError("invalid_weight", "weight on the label must be positive", "barcode")
        per_label = round_half_up(Fraction(item.unit_price * item.weight_grams, 1000))
        return per_label * item.qty
    if item.weighed:
        raise SaleError(
            "weight_required",
            f"{item.sku} is sold by weight: scan the scale label",
            "barcode",
        )
    return item.unit_price * item.qty


def _line(line_no: int, item: ItemToPrice) -> SaleLine:
    try:
        amount = line_amount(item)
    except SaleError as err:
        # Name the input line at fault, as the cashier's request numbered them (from 0).
        raise SaleError(err.code, err.message, f"lines.{line_no - 1}.{err.field}") from None
    return SaleLine(
        line_no=line_no,
        sku=item.sku,
        name=item.name,
        barcode=item.barcode,
        qty=item.qty,
        unit_price=item.unit_price,
        amount=amount,
        tax_rate_bp=item.tax_rate_bp,
        weight_grams=_weight_of(item),
    )


def _weight_of(item: ItemToPrice) -> int | None:
    """The weight a scale label stands for; a price label's weight is derived from it."""
    if item.weight_grams is not None:
        return item.weight_grams
    if item.embedded_price is not None and item.weighed and item.unit_price > 0:
        return round_half_up(Fraction(item.embedded_price * 1000, item.unit_price))
    return None


def tax_included(amount: int, rate_bp: int) -> int:
    """The VAT contained in a tax-inclusive amount at `rate_bp` basis points."""
    return round_half_up(Fraction(amount * rate_bp, 10_000 + rate_bp))


def build_quote(items: Sequence[ItemToPrice]) -> Quote:
    """Price the items as lines, with the tax included per rate."""
    if not items:
        raise SaleError("empty_sale", "a sale needs at least one line", "lines")
    lines = tuple(_line(i, item) for i, item in enumerate(items, start=1))
    return quote_of(lines)


def quote_of(
    lines: Sequence[SaleLine], applied: Sequence[Saving] = (), uses: dict[str, int] | None = None
) -> Quote:
    """A quote from finished lines: the total and the tax included per rate."""
    by_rate: dict[int, int] = {}
    for line in lines:
        by_rate[line.tax_rate_bp] = by_rate.get(line.tax_rate_bp, 0) + line.amount
    taxes = {rate: tax_included(amount, rate) for rate, amount in sorted(by_rate.items())}
    return Quote(
        lines=tuple(lines),
        total=sum(line.amount for line in lines),
        taxes=taxes,
        applied=tuple(applied),
        uses=dict(uses or {}),
    )


@dataclass(frozen=True, slots=True)
class Tender:
    method: str
    amount: int
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    """How a total was paid: tenders as given, cash rounding, change handed back."""

    tenders: tuple[Tender, ...]
    rounding: int  # added to the total by cash rounding (negative: the customer pays less)
    change: int
    amount_due: int  # the total after rounding


def settle(total: int, tenders: Sequence[Tender], cash_rounding_step: int = 1) -> Settlement:
    """Check the tenders cover `total` and work out rounding and change.

    Exact tenders (bank card, mobile wallet) may not exceed what is due; only cash
    gives change. Cash rounding applies to the part paid in cash.
    """
    if not tenders:
        raise SaleError("no_tender", "a sale needs at least one tender", "tenders")
    for i, tender in enumerate(tenders):
        if tender.method not in TENDER_METHODS:
            raise SaleError(
                "unknown_tender", f"unknown tender method {tender.method!r}", f"tenders.{i}.method"
            )
        if tender.amount <= 0:
            raise SaleError(
                "invalid_amount", "tender amount must be positive", f"tenders.{i}.amount"
            )
    exact = sum(t.amount for t in tenders if t.method in EXACT_METHODS)
    cash = sum(t.amount for t in tenders if t.method == "cash")
    if exact > total:
        raise SaleError(
            "overtendered", "exact (non-cash) tenders may not exceed the total", "tenders"
        )
    cash_due = total - exact
    rounded_cash_due = round_cash(cash_due, cash_rounding_step) if cash else cash_due
    rounding = rounded_cash_due - cash_due
    if cash < rounded_cash_due:
        short = rounded_cash_due - cash
        raise SaleError("tender_short", f"tenders are {short} fen short of the total", "tenders")
    return Settlement(
        tenders=tuple(tenders),
        rounding=rounding,
        change=cash - rounded_cash_due,
        amount_due=total + rounding,
    )
