"""A promotion definition: when, where, for whom, on what, and its rule.

Definitions travel down the change feed as plain JSON-able dicts; `from_dict`
and `to_dict` are exact inverses, and the ``format`` field versions the wire
shape. `from_dict` refuses a bad definition with a `PromotionDefinitionError`
naming the field; `load_promotions` refuses a whole batch if any one is bad, so
nothing is ever half-saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import Any

from retail.promotions.rules import (
    ORDER_KINDS,
    RULE_TYPES,
    BundleRule,
    Kind,
    MemberPriceRule,
    Rule,
    ThresholdGiftRule,
)
from retail.promotions.validation import ProductExists, PromotionDefinitionError, Reader

FORMAT = 1


class Stacking(StrEnum):
    EXCLUSIVE = "exclusive"
    STACKABLE = "stackable"


class Status(StrEnum):
    """HQ schedules (active + a future start), pauses and ends a promotion."""

    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class Schedule:
    """Date range [starts_at, ends_at), ISO weekdays (1=Mon) and store-local hours."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    weekdays: frozenset[int] = frozenset()
    hours: tuple[tuple[time, time], ...] = ()


@dataclass(frozen=True, slots=True)
class Audience:
    """Where and for whom: empty sets mean everywhere / everyone."""

    store_ids: frozenset[str] = frozenset()
    region_ids: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    members_only: bool = False
    birthday_week: bool = False
    coupon_code: str | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    """How many times the promotion may apply; None means no limit at that scope."""

    chain: int | None = None
    store: int | None = None
    member: int | None = None
    basket: int | None = None


@dataclass(frozen=True, slots=True)
class ProductTarget:
    """Which goods: everything, or any of the listed products, categories, brands."""

    all: bool = False
    product_ids: frozenset[str] = frozenset()
    category_ids: frozenset[str] = frozenset()
    brand_ids: frozenset[str] = frozenset()
    exclude_product_ids: frozenset[str] = frozenset()

    def matches(self, product_id: str, category_id: str | None, brand_id: str | None) -> bool:
        if product_id in self.exclude_product_ids:
            return False
        return (
            self.all
            or product_id in self.product_ids
            or (category_id is not None and category_id in self.category_ids)
            or (brand_id is not None and brand_id in self.brand_ids)
        )

    @property
    def is_empty(self) -> bool:
        return not (self.all or self.product_ids or self.category_ids or self.brand_ids)


@dataclass(frozen=True, slots=True)
class Promotion:
    """One promotion as HQ defined it."""

    id: str
    name: str
    rule: Rule
    target: ProductTarget
    stacking: Stacking = Stacking.EXCLUSIVE
    priority: int = 0
    status: Status = Status.ACTIVE
    schedule: Schedule = field(default_factory=Schedule)
    audience: Audience = field(default_factory=Audience)
    limits: Limits = field(default_factory=Limits)
    #: Derived from `stacking`; a plain attribute because pricing asks it very often.
    exclusive: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "exclusive", self.stacking is Stacking.EXCLUSIVE)

    @property
    def kind(self) -> Kind:
        return self.rule.KIND


def _sorted(values: Iterable[Any]) -> list[Any]:
    return sorted(values)


def to_dict(promotion: Promotion) -> dict[str, Any]:
    """The wire form of a promotion (plain JSON types, sorted lists)."""
    wire: dict[str, Any]
    p = promotion
    wire = {
        "format": FORMAT,
        "id": p.id,
        "name": p.name,
        "kind": p.kind.value,
        "status": p.status.value,
        "stacking": p.stacking.value,
        "priority": p.priority,
        "schedule": {
            "starts_at": p.schedule.starts_at.isoformat() if p.schedule.starts_at else None,
            "ends_at": p.schedule.ends_at.isoformat() if p.schedule.ends_at else None,
            "weekdays": _sorted(p.schedule.weekdays),
            "hours": [[_clock(a), _clock(b)] for a, b in p.schedule.hours],
        },
        "audience": {
            "store_ids": _sorted(p.audience.store_ids),
            "region_ids": _sorted(p.audience.region_ids),
            "tiers": _sorted(p.audience.tiers),
            "members_only": p.audience.members_only,
            "birthday_week": p.audience.birthday_week,
            "coupon_code": p.audience.coupon_code,
        },
        "limits": {
            "chain": p.limits.chain,
            "store": p.limits.store,
            "member": p.limits.member,
            "basket": p.limits.basket,
        },
        "target": {
            "all": p.target.all,
            "product_ids": _sorted(p.target.product_ids),
            "category_ids": _sorted(p.target.category_ids),
            "brand_ids": _sorted(p.target.brand_ids),
            "exclude_product_ids": _sorted(p.target.exclude_product_ids),
        },
        "rule": p.rule.dump(),
    }
    if isinstance(p.rule, BundleRule):
        del wire["target"]  # a bundle's goods are its components
    return wire


def _clock(moment: time) -> str:
    return "24:00" if moment == time.max else moment.strftime("%H:%M")


def from_dict(data: Mapping[str, Any], product_exists: ProductExists | None = None) -> Promotion:
    """Parse and validate one definition; raises `PromotionDefinitionError`."""
    r = Reader(data)
    version = r.integer("format", default=FORMAT)
    if version != FORMAT:
        raise PromotionDefinitionError(
            "format",
            f"version {version} is not supported (expected {FORMAT})",
            "unsupported_format",
        )
    promo_id = r.string("id")
    name = r.string("name")
    kind_name = r.choice("kind", tuple(k.value for k in Kind))
    rule_reader = r.child("rule")
    rule = RULE_TYPES[Kind(kind_name)].parse(rule_reader)
    rule_reader.finish()
    target = _parse_target(r, rule)
    promotion = Promotion(
        id=promo_id,
        name=name,
        rule=rule,
        target=target,
        stacking=Stacking(r.choice("stacking", tuple(s.value for s in Stacking), "exclusive")),
        priority=r.integer("priority", default=0),
        status=Status(r.choice("status", tuple(s.value for s in Status), "active")),
        schedule=_parse_schedule(r.child("schedule")),
        audience=_parse_audience(r.child("audience")),
        limits=_parse_limits(r.child("limits")),
    )
    r.finish()
    if product_exists is not None:
        _check_products(promotion, product_exists)
    return promotion


def _parse_target(r: Reader, rule: Rule) -> ProductTarget:
    if isinstance(rule, BundleRule):
        if r.has("target"):
            raise PromotionDefinitionError(
                "target", "a bundle's goods are its components; leave target out", "unknown_field"
            )
        return ProductTarget(product_ids=frozenset(p for p, _ in rule.components))
    if not r.has("target") and (rule.KIND in ORDER_KINDS or isinstance(rule, MemberPriceRule)):
        return ProductTarget(all=True)  # whole-basket kinds default to every product
    t = r.child("target", required=True)
    target = ProductTarget(
        all=t.boolean("all"),
        product_ids=t.string_set("product_ids"),
        category_ids=t.string_set("category_ids"),
        brand_ids=t.string_set("brand_ids"),
        exclude_product_ids=t.string_set("exclude_product_ids"),
    )
    t.finish()
    if target.is_empty:
        raise PromotionDefinitionError(
            "target",
            "names no products, categories or brands (set all=true for every product)",
            "empty_target",
        )
    return target


def _parse_schedule(s: Reader) -> Schedule:
    starts_at, ends_at = s.aware_datetime("starts_at"), s.aware_datetime("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        raise PromotionDefinitionError(
            s.field("ends_at"), "must be after starts_at", "end_before_start"
        )
    weekdays = s.raw("weekdays", [])
    if not isinstance(weekdays, list) or any(
        isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 7 for d in weekdays
    ):
        raise PromotionDefinitionError(
            s.field("weekdays"),
            "must be a list of ISO weekdays 1 (Monday) to 7 (Sunday)",
            "invalid_value",
        )
    hours = []
    for i, window in enumerate(s.raw("hours", [])):
        where = f"{s.field('hours')}[{i}]"
        if not isinstance(window, list) or len(window) != 2:
            raise PromotionDefinitionError(
                where, 'must be a pair ["HH:MM", "HH:MM"]', "invalid_type"
            )
        start, end = s.clock(window[0], where), s.clock(window[1], where)
        if end <= start:
            raise PromotionDefinitionError(where, "must end after it starts", "end_before_start")
        hours.append((start, end))
    s.finish()
    return Schedule(starts_at, ends_at, frozenset(weekdays), tuple(sorted(hours)))


def _parse_audience(a: Reader) -> Audience:
    audience = Audience(
        store_ids=a.string_set("store_ids"),
        region_ids=a.string_set("region_ids"),
        tiers=a.string_set("tiers"),
        members_only=a.boolean("members_only"),
        birthday_week=a.boolean("birthday_week"),
        coupon_code=a.optional_string("coupon_code"),
    )
    a.finish()
    return audience


def _parse_limits(lim: Reader) -> Limits:
    limits = Limits(
        *(lim.optional_integer(k, minimum=1) for k in ("chain", "store", "member", "basket"))
    )
    lim.finish()
    return limits


def _check_products(promotion: Promotion, product_exists: ProductExists) -> None:
    rule = promotion.rule
    if isinstance(rule, BundleRule):
        for i, (product, _) in enumerate(rule.components):
            if not product_exists(product):
                raise PromotionDefinitionError(
                    f"rule.components[{i}].product_id",
                    f"unknown product {product!r}",
                    "unknown_product",
                )
    else:
        for key, ids in (
            ("product_ids", promotion.target.product_ids),
            ("exclude_product_ids", promotion.target.exclude_product_ids),
        ):
            for product in sorted(ids):
                if not product_exists(product):
                    raise PromotionDefinitionError(
                        f"target.{key}", f"unknown product {product!r}", "unknown_product"
                    )
    if isinstance(rule, ThresholdGiftRule) and not product_exists(rule.gift_product_id):
        raise PromotionDefinitionError(
            "rule.gift_product_id", f"unknown product {rule.gift_product_id!r}", "unknown_product"
        )


def load_promotions(
    items: Iterable[Mapping[str, Any]], product_exists: ProductExists | None = None
) -> tuple[Promotion, ...]:
    """Validate a batch all-or-nothing; the error's field is prefixed with the index."""
    loaded: list[Promotion] = []
    where: dict[str, int] = {}
    for i, item in enumerate(items):
        try:
            promotion = from_dict(item, product_exists)
        except PromotionDefinitionError as error:
            raise PromotionDefinitionError(
                f"[{i}].{error.field}", error.message, error.code
            ) from None
        if promotion.id in where:
            raise PromotionDefinitionError(
                f"[{i}].id",
                f"duplicate id {promotion.id!r} (also at [{where[promotion.id]}])",
                "duplicate_id",
            )
        where[promotion.id] = i
        loaded.append(promotion)
    return tuple(loaded)
