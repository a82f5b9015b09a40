"""What each kind of promotion does: one frozen rule dataclass per kind.

A rule holds only the kind-specific parameters; when, where and for whom a
promotion applies lives in `definitions.Promotion`. Amounts are fen, percents
are exact fractions (``Fraction(25, 2)`` is 12.5 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any, ClassVar

from retail.promotions.validation import (
    PromotionDefinitionError,
    Reader,
    format_fraction,
    parse_percent,
)


class Kind(StrEnum):
    """The promotion kinds; the value is the wire name."""

    ITEM_DISCOUNT = "item_discount"
    MEMBER_PRICE = "member_price"
    TIER_DISCOUNT = "tier_discount"
    BUY_N_GET_M = "buy_n_get_m"
    MIX_MATCH = "mix_match"
    BUNDLE = "bundle"
    SPEND_THRESHOLD_DISCOUNT = "spend_threshold_discount"
    SPEND_THRESHOLD_GIFT = "spend_threshold_gift"
    POINTS_MULTIPLIER = "points_multiplier"


#: Kinds that change line prices first; the order phase follows them.
ITEM_KINDS = frozenset(
    {
        Kind.ITEM_DISCOUNT,
        Kind.MEMBER_PRICE,
        Kind.TIER_DISCOUNT,
        Kind.BUY_N_GET_M,
        Kind.MIX_MATCH,
        Kind.BUNDLE,
    }
)
ORDER_KINDS = frozenset({Kind.SPEND_THRESHOLD_DISCOUNT, Kind.SPEND_THRESHOLD_GIFT})


@dataclass(frozen=True, slots=True)
class ItemDiscountRule:
    """Per unit: percent off, an amount off, or a fixed price (per kg when weighed)."""

    KIND: ClassVar[Kind] = Kind.ITEM_DISCOUNT
    mode: str  # "percent" | "amount" | "fixed_price"
    percent: Fraction | None = None
    amount: int | None = None
    price: int | None = None

    @classmethod
    def parse(cls, r: Reader) -> ItemDiscountRule:
        mode = r.choice("mode", ("percent", "amount", "fixed_price"))
        if mode == "percent":
            return cls(mode, percent=r.percent("percent"))
        if mode == "amount":
            return cls(mode, amount=r.integer("amount", minimum=1))
        return cls(mode, price=r.integer("price", minimum=0))

    def dump(self) -> dict[str, Any]:
        if self.mode == "percent":
            assert self.percent is not None
            return {"mode": self.mode, "percent": format_fraction(self.percent)}
        if self.mode == "amount":
            return {"mode": self.mode, "amount": self.amount}
        return {"mode": self.mode, "price": self.price}


@dataclass(frozen=True, slots=True)
class MemberPriceRule:
    """A signed-in member pays the line's member price."""

    KIND: ClassVar[Kind] = Kind.MEMBER_PRICE

    @classmethod
    def parse(cls, r: Reader) -> MemberPriceRule:
        return cls()

    def dump(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, slots=True)
class TierDiscountRule:
    """Percent off by the member's tier; tiers not listed get nothing."""

    KIND: ClassVar[Kind] = Kind.TIER_DISCOUNT
    percent_by_tier: tuple[tuple[str, Fraction], ...]

    def percent_for(self, tier: str) -> Fraction | None:
        return dict(self.percent_by_tier).get(tier)

    @classmethod
    def parse(cls, r: Reader) -> TierDiscountRule:
        table = r.child("percent_by_tier", required=True)
        if not table.data:
            raise PromotionDefinitionError(table.path, "must name at least one tier", "empty")
        pairs = []
        for tier in sorted(table.data):
            pairs.append((tier, parse_percent(table.raw(tier), table.field(tier))))
        return cls(tuple(pairs))

    def dump(self) -> dict[str, Any]:
        return {"percent_by_tier": {t: format_fraction(p) for t, p in self.percent_by_tier}}


@dataclass(frozen=True, slots=True)
class BuyGetRule:
    """Buy `buy`, get `get` free (or `percent_off` off), repeating.

    ``free_item="cheapest"`` groups any target units, the cheapest in each group
    are discounted; ``"same_item"`` groups units of one product only.
    """

    KIND: ClassVar[Kind] = Kind.BUY_N_GET_M
    buy: int
    get: int
    free_item: str = "cheapest"
    percent_off: Fraction = Fraction(100)

    @classmethod
    def parse(cls, r: Reader) -> BuyGetRule:
        return cls(
            buy=r.integer("buy", minimum=1),
            get=r.integer("get", minimum=1),
            free_item=r.choice("free_item", ("cheapest", "same_item"), "cheapest"),
            percent_off=parse_percent(r.raw("percent_off", 100), r.field("percent_off")),
        )

    def dump(self) -> dict[str, Any]:
        return {
            "buy": self.buy,
            "get": self.get,
            "free_item": self.free_item,
            "percent_off": format_fraction(self.percent_off),
        }


@dataclass(frozen=True, slots=True)
class MixMatchRule:
    """Any `qty` units from the target group for `price` fen, repeating."""

    KIND: ClassVar[Kind] = Kind.MIX_MATCH
    qty: int
    price: int

    @classmethod
    def parse(cls, r: Reader) -> MixMatchRule:
        return cls(qty=r.integer("qty", minimum=2), price=r.integer("price", minimum=0))

    def dump(self) -> dict[str, Any]:
        return {"qty": self.qty, "price": self.price}


@dataclass(frozen=True, slots=True)
class BundleRule:
    """A fixed set of products (with quantities) for `price` fen, repeating."""

    KIND: ClassVar[Kind] = Kind.BUNDLE
    components: tuple[tuple[str, int], ...]
    price: int

    @classmethod
    def parse(cls, r: Reader) -> BundleRule:
        items = r.items("components")
        if not items:
            raise PromotionDefinitionError(
                r.field("components"), "must not be empty", "empty_target"
            )
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            c = Reader(item, f"{r.field('components')}[{i}]")
            product = c.string("product_id")
            if product in seen:
                raise PromotionDefinitionError(
                    c.field("product_id"), "is listed twice", "duplicate"
                )
            seen[product] = c.integer("qty", minimum=1)
            c.finish()
        if sum(seen.values()) < 2:
            raise PromotionDefinitionError(
                r.field("components"), "a bundle needs at least two units", "out_of_range"
            )
        return cls(tuple(sorted(seen.items())), r.integer("price", minimum=0))

    def dump(self) -> dict[str, Any]:
        return {
            "components": [{"product_id": p, "qty": q} for p, q in self.components],
            "price": self.price,
        }


@dataclass(frozen=True, slots=True)
class ThresholdDiscountRule:
    """Spend `threshold` on target goods, save `save`; once or per step."""

    KIND: ClassVar[Kind] = Kind.SPEND_THRESHOLD_DISCOUNT
    threshold: int
    save: int
    repeat: bool = False
    max_repeats: int | None = None

    @classmethod
    def parse(cls, r: Reader) -> ThresholdDiscountRule:
        rule = cls(
            threshold=r.integer("threshold", minimum=0),
            save=r.integer("save", minimum=1),
            repeat=r.boolean("repeat"),
            max_repeats=r.optional_integer("max_repeats", minimum=1),
        )
        if rule.repeat and rule.threshold == 0:
            raise PromotionDefinitionError(
                r.field("threshold"), "a repeating threshold must be above 0", "out_of_range"
            )
        return rule

    def dump(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "save": self.save,
            "repeat": self.repeat,
            "max_repeats": self.max_repeats,
        }


@dataclass(frozen=True, slots=True)
class ThresholdGiftRule:
    """Spend `threshold` on target goods, get `gift_qty` of a product added free.

    `gift_value` (fen, the gift's regular price, required) is what the engine
    weighs when it compares a gift with a money saving, and what reports count.
    """

    KIND: ClassVar[Kind] = Kind.SPEND_THRESHOLD_GIFT
    threshold: int
    gift_product_id: str
    gift_value: int
    gift_qty: int = 1
    repeat: bool = False

    @classmethod
    def parse(cls, r: Reader) -> ThresholdGiftRule:
        rule = cls(
            threshold=r.integer("threshold", minimum=0),
            gift_product_id=r.string("gift_product_id"),
            gift_qty=r.integer("gift_qty", minimum=1, default=1),
            gift_value=r.integer("gift_value", minimum=1),
            repeat=r.boolean("repeat"),
        )
        if rule.repeat and rule.threshold == 0:
            raise PromotionDefinitionError(
                r.field("threshold"), "a repeating threshold must be above 0", "out_of_range"
            )
        return rule

    def dump(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "gift_product_id": self.gift_product_id,
            "gift_qty": self.gift_qty,
            "gift_value": self.gift_value,
            "repeat": self.repeat,
        }


@dataclass(frozen=True, slots=True)
class PointsMultiplierRule:
    """Target lines earn points times `multiplier` (e.g. 2, or "1.5")."""

    KIND: ClassVar[Kind] = Kind.POINTS_MULTIPLIER
    multiplier: Fraction

    @classmethod
    def parse(cls, r: Reader) -> PointsMultiplierRule:
        raw = r.required("multiplier")
        # A multiplier is a "percent" scaled by 100; reuse the exact decimal parser.
        value = parse_percent(raw, r.field("multiplier")) if raw != 0 else Fraction(0)
        if value <= 1 or value > 20:
            raise PromotionDefinitionError(
                r.field("multiplier"), "must be above 1 and at most 20", "out_of_range"
            )
        return cls(value)

    def dump(self) -> dict[str, Any]:
        return {"multiplier": format_fraction(self.multiplier)}


Rule = (
    ItemDiscountRule
    | MemberPriceRule
    | TierDiscountRule
    | BuyGetRule
    | MixMatchRule
    | BundleRule
    | ThresholdDiscountRule
    | ThresholdGiftRule
    | PointsMultiplierRule
)

RULE_TYPES: dict[Kind, type[Rule]] = {
    cls.KIND: cls
    for cls in (
        ItemDiscountRule,
        MemberPriceRule,
        TierDiscountRule,
        BuyGetRule,
        MixMatchRule,
        BundleRule,
        ThresholdDiscountRule,
        ThresholdGiftRule,
        PointsMultiplierRule,
    )
}
