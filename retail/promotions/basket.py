"""What the engine prices (lines, context) and what it answers (a priced basket)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from retail.money import round_half_up
from retail.promotions.onsite import OnsiteRecord

GRAMS_PER_KG = 1000


@dataclass(frozen=True, slots=True)
class PricingLine:
    """One basket line at its regular (tax-inclusive) price.

    Counted goods: `qty` units at `unit_price` fen each. Weighed goods
    (`weighed=True`): `qty` grams at `unit_price` fen per kg; a weighed line is
    one indivisible unit for the quantity-based kinds (buy N get M, mix and
    match, bundles), which it never joins.
    """

    line_no: int
    product_id: str
    qty: int
    unit_price: int
    category_id: str | None = None
    brand_id: str | None = None
    member_price: int | None = None
    weighed: bool = False

    def __post_init__(self) -> None:
        for name in ("qty", "unit_price", "line_no"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"PricingLine.{name} must be an int")
        if self.qty <= 0:
            raise ValueError(f"line {self.line_no}: qty must be positive")
        if self.unit_price < 0 or (self.member_price is not None and self.member_price < 0):
            raise ValueError(f"line {self.line_no}: prices must not be negative")

    @property
    def regular_amount(self) -> int:
        """The line at its regular price, fen."""
        if self.weighed:
            return round_half_up(Fraction(self.unit_price * self.qty, GRAMS_PER_KG))
        return self.unit_price * self.qty

    def sort_key(self) -> tuple[object, ...]:
        """A key from the line's content, so line order never changes a price."""
        return (
            self.product_id,
            self.weighed,
            self.unit_price,
            self.qty,
            -1 if self.member_price is None else self.member_price,
            self.category_id or "",
            self.brand_id or "",
            self.line_no,
        )


@dataclass(frozen=True, slots=True)
class MemberInfo:
    """The signed-in member as pricing sees them."""

    member_id: str
    tier: str
    birthday: date | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    """Times each promotion was already applied, per scope, from the ledgers.

    Keys are promotion ids. `member` counts this member's uses, `store` this
    store's, `chain` everyone's.
    """

    chain: Mapping[str, int] = field(default_factory=dict)
    store: Mapping[str, int] = field(default_factory=dict)
    member: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PricingContext:
    """Where and when the basket is priced; `at` is store-local and timezone-aware."""

    store_id: str
    region_id: str | None
    at: datetime
    member: MemberInfo | None = None
    coupon_codes: frozenset[str] = frozenset()
    usage: Usage = field(default_factory=Usage)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("PricingContext.at must be timezone-aware (store-local)")


@dataclass(frozen=True, slots=True)
class LineSaving:
    """A saving on a line, as the receipt explains it."""

    promotion_id: str
    name: str
    amount: int  # fen, positive = money off


@dataclass(frozen=True, slots=True)
class PricedLine:
    line_no: int
    product_id: str
    qty: int
    weighed: bool
    regular_amount: int
    amount: int  # what the customer pays for the line
    savings: tuple[LineSaving, ...]
    points_multiplier: Fraction = Fraction(1)
    points_promotion_id: str | None = None

    @property
    def saving(self) -> int:
        return self.regular_amount - self.amount


@dataclass(frozen=True, slots=True)
class GiftLine:
    """A free item a spend-threshold gift adds to the basket."""

    product_id: str
    qty: int
    promotion_id: str
    name: str
    value: int  # the gift's regular value, fen, for reports


@dataclass(frozen=True, slots=True)
class AppliedPromotion:
    """A promotion that applied, how many times (for quantity limits) and its saving."""

    promotion_id: str
    name: str
    times: int
    saving: int
    coupon_code: str | None = None


@dataclass(frozen=True, slots=True)
class PricedBasket:
    lines: tuple[PricedLine, ...]
    gifts: tuple[GiftLine, ...]
    applied: tuple[AppliedPromotion, ...]
    regular_total: int
    total: int
    onsite: tuple[OnsiteRecord, ...] = ()  # the supervisor adjustments that applied

    @property
    def total_saving(self) -> int:
        return self.regular_total - self.total

    def line(self, line_no: int) -> PricedLine:
        for priced in self.lines:
            if priced.line_no == line_no:
                return priced
        raise KeyError(line_no)
