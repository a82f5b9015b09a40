"""Counting promotion uses across sales, for quantity limits. Pure rules, no I/O.

A sale document records how many times each promotion applied (`promotion_uses`).
HQ adds those up per store and per member and sends the per-store counts of promotions
with a chain or store limit down the change feed (`UsageCounts`); a till prices with
those counts plus its own sales not yet delivered (`usage_for_sale`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from retail.promotions.basket import AppliedPromotion, Usage
from retail.promotions.definitions import Limits

#: Longest promotion id a sale may name (the width of every promotion id column).
MAX_PROMOTION_ID = 64
#: Longest member id a sale may name (HQ's member ids are UUIDs).
MAX_MEMBER_ID = 36


def uses_of(applied: Iterable[AppliedPromotion]) -> dict[str, int]:
    """Times each promotion applied in a priced basket: promotion id -> times."""
    uses: dict[str, int] = {}
    for a in applied:
        if a.times > 0:
            uses[a.promotion_id] = uses.get(a.promotion_id, 0) + a.times
    return uses


def uses_in_sale(body: Mapping[str, Any]) -> dict[str, int]:
    """The `promotion_uses` a sale document body records (none in older sales).

    Raises `ValueError` naming the problem when the record is malformed.
    """
    raw = body.get("promotion_uses")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError("promotion_uses must be an object")
    uses: dict[str, int] = {}
    for promotion_id, times in raw.items():
        if not isinstance(promotion_id, str) or not 0 < len(promotion_id) <= MAX_PROMOTION_ID:
            raise ValueError(f"promotion_uses: bad promotion id {promotion_id!r}")
        if isinstance(times, bool) or not isinstance(times, int) or times <= 0:
            raise ValueError(f"promotion_uses.{promotion_id} must be a positive integer")
        uses[promotion_id] = times
    return uses


def member_of_sale(body: Mapping[str, Any]) -> str | None:
    """The HQ member id a sale was made for, when the member was identified."""
    member = body.get("member")
    if not isinstance(member, Mapping):
        return None
    member_id = member.get("member_id")
    if isinstance(member_id, str) and 0 < len(member_id) <= MAX_MEMBER_ID:
        return member_id
    return None


def add_uses(total: dict[str, int], more: Mapping[str, int]) -> None:
    """Add `more` into `total`, promotion by promotion."""
    for promotion_id, times in more.items():
        total[promotion_id] = total.get(promotion_id, 0) + times


def limits_of(definition: Mapping[str, Any]) -> Limits:
    """The limits of a promotion in wire form, read without validating the rest."""
    raw = definition.get("limits")
    if not isinstance(raw, Mapping):
        return Limits()

    def limit(name: str) -> int | None:
        value = raw.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return Limits(
        chain=limit("chain"), store=limit("store"), member=limit("member"), basket=limit("basket")
    )


def counted_across_stores(limits: Limits) -> bool:
    """Whether the feed must carry the promotion's counts: it has a chain or store limit."""
    return limits.chain is not None or limits.store is not None


def counted_per_member(limits: Limits) -> bool:
    return limits.member is not None


def counted_across_sales(limits: Limits) -> bool:
    """Whether uses in earlier sales matter at all (a basket limit does not count them)."""
    return counted_across_stores(limits) or counted_per_member(limits)


@dataclass(frozen=True, slots=True)
class UsageCounts:
    """One promotion's uses as HQ counted them: per store, and their sum chain-wide.

    The change feed's `promotion_usage` payload (`to_dict` / `from_dict`).
    """

    promotion_id: str
    stores: Mapping[str, int] = field(default_factory=dict)

    @property
    def chain(self) -> int:
        return sum(self.stores.values())

    def at(self, store_code: str) -> int:
        return self.stores.get(store_code, 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "promotion_id": self.promotion_id,
            "chain": self.chain,
            "stores": {code: self.stores[code] for code in sorted(self.stores)},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UsageCounts:
        """Read a feed payload; raises `ValueError` when it is malformed."""
        promotion_id = data.get("promotion_id")
        stores = data.get("stores", {})
        if not isinstance(promotion_id, str) or not promotion_id:
            raise ValueError("promotion_usage needs a promotion_id")
        if not isinstance(stores, Mapping) or not all(
            isinstance(code, str) and isinstance(n, int) and not isinstance(n, bool) and n >= 0
            for code, n in stores.items()
        ):
            raise ValueError("promotion_usage.stores must map store codes to counts")
        return cls(promotion_id, dict(stores))


@dataclass(frozen=True, slots=True)
class CountedUses:
    """What the tier above counted, as a till keeps it: per promotion, chain and this store."""

    chain: Mapping[str, int] = field(default_factory=dict)
    store: Mapping[str, int] = field(default_factory=dict)


def usage_for_sale(
    counted: CountedUses,
    undelivered: Mapping[str, int],
    *,
    member_counted: Mapping[str, int] | None = None,
    member_undelivered: Mapping[str, int] | None = None,
    limited: Collection[str] | None = None,
) -> Usage:
    """The usage a till prices with: HQ's counts plus this till's sales not yet delivered.

    `undelivered` are this till's own sales still in its outbox (they are in this store,
    so they count for the chain and the store); `member_*` the member's uses counted at
    HQ and in those sales. Only promotions in `limited` are kept, when it is given.
    """
    chain, store = dict(counted.chain), dict(counted.store)
    add_uses(chain, undelivered)
    add_uses(store, undelivered)
    member = dict(member_counted or {})
    add_uses(member, member_undelivered or {})
    if limited is not None:
        chain = {k: v for k, v in chain.items() if k in limited}
        store = {k: v for k, v in store.items() if k in limited}
        member = {k: v for k, v in member.items() if k in limited}
    return Usage(chain=chain, store=store, member=member)
