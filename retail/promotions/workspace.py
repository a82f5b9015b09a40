"""The engine's working state: the basket as unit slots with their current prices.

A counted line of qty 3 is three slots; a weighed line is one slot worth the
whole line. Promotions read and reduce slot prices, so stacked promotions see
the price left by the ones before them, and a saving is always spread over the
very units that earned it (which is what lets a return unwind it exactly).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from retail.money import allocate
from retail.promotions.basket import GiftLine, PricingLine
from retail.promotions.definitions import Promotion

Spread = tuple[int, tuple[int, ...], tuple[int, ...]]  # (total fen, slots, weights)


class Application:
    """One promotion applied once or more on a set of slots.

    Savings come either as ``(slot, fen)`` pairs or as a spread (a total to
    allocate over slots by weight), allocated only when read: the search
    evaluates far more applications than it ever applies.
    """

    __slots__ = (
        "_groups",
        "_savings",
        "_spread",
        "claimed",
        "gifts",
        "promotion",
        "saving",
        "times",
        "value",
    )

    def __init__(
        self,
        promotion: Promotion,
        times: int,
        claimed: tuple[int, ...],
        savings: tuple[tuple[int, int], ...] = (),
        gifts: tuple[GiftLine, ...] = (),
        spread: Spread | None = None,
        groups: tuple[tuple[int, ...], ...] | None = None,
    ) -> None:
        self.promotion = promotion
        self.times = times
        self.claimed = claimed  # slots it uses (an exclusive promotion owns them)
        self.gifts = gifts
        self._savings: tuple[tuple[int, int], ...] | None = None if spread else savings
        self._spread = spread
        self._groups = groups
        self.saving: int = spread[0] if spread else sum(amount for _, amount in savings)
        self.value: int = self.saving + sum(g.value for g in gifts)  # saving + gifts' value

    @property
    def groups(self) -> tuple[tuple[int, ...], ...]:
        """Units that earn the saving together; each unit alone unless given."""
        if self._groups is None:
            return tuple((s,) for s in self.claimed)
        return self._groups

    @property
    def savings(self) -> tuple[tuple[int, int], ...]:
        """``(slot, fen)`` pairs with fen > 0, summing to `saving`."""
        if self._savings is None:
            assert self._spread is not None
            total, slots, weights = self._spread
            parts = allocate(total, weights)
            self._savings = tuple((s, p) for s, p in zip(slots, parts, strict=True) if p > 0)
        return self._savings


@dataclass(slots=True)
class Workspace:
    lines: tuple[PricingLine, ...]  # in content order, see PricingLine.sort_key
    line_of: list[int]  # slot -> index into lines
    price: list[int]  # slot -> current price, fen
    owner: list[str | None] = field(default_factory=list)  # exclusive promotion id
    touched: list[bool] = field(default_factory=list)  # carries any saving
    applied: list[Application] = field(default_factory=list)  # in the order applied
    weighed: frozenset[int] = frozenset()  # slots of weighed lines (one per line)

    @classmethod
    def for_lines(cls, lines: tuple[PricingLine, ...]) -> Workspace:
        line_of: list[int] = []
        price: list[int] = []
        for i, line in enumerate(lines):
            if line.weighed:
                line_of.append(i)
                price.append(line.regular_amount)
            else:
                line_of.extend([i] * line.qty)
                price.extend([line.unit_price] * line.qty)
        n = len(price)
        weighed = frozenset(s for s in range(n) if lines[line_of[s]].weighed)
        return cls(lines, line_of, price, [None] * n, [False] * n, [], weighed)

    def copy(self) -> Workspace:
        return Workspace(
            self.lines,
            self.line_of,
            self.price.copy(),
            self.owner.copy(),
            self.touched.copy(),
            self.applied.copy(),
            self.weighed,
        )

    def line(self, slot: int) -> PricingLine:
        return self.lines[self.line_of[slot]]

    def free_slots(self, slots: list[int], exclusive: bool) -> list[int]:
        """Slots a promotion may use: never another exclusive's; untouched if exclusive."""
        owner, touched = self.owner, self.touched
        if exclusive:
            return [s for s in slots if owner[s] is None and not touched[s]]
        return [s for s in slots if owner[s] is None]

    def apply(self, application: Application) -> None:
        promotion = application.promotion
        price, touched = self.price, self.touched
        for slot, amount in application.savings:
            if amount > price[slot]:
                raise AssertionError("a saving may never exceed the unit's price")
            price[slot] -= amount
            touched[slot] = True
        if promotion.exclusive:
            owner = self.owner
            for slot in application.claimed:
                owner[slot] = promotion.id
        self.applied.append(application)

    @property
    def total_value(self) -> int:
        return sum(a.value for a in self.applied)
