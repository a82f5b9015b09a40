"""How much each kind of promotion saves on the slots it may use.

Every evaluator is pure: given a promotion, the slots it may use (in a stable
order) and the workspace, it returns the best `Application` it can make — or
None — without changing anything. "Best" within one promotion is greedy and
exact for these shapes: the most expensive units form groups first, so the
units a buy-N-get-M frees are as valuable as they can be.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from retail.money import allocate, round_half_up
from retail.promotions.basket import GRAMS_PER_KG, GiftLine, PricingContext, PricingLine
from retail.promotions.definitions import Promotion
from retail.promotions.rules import (
    BundleRule,
    BuyGetRule,
    ItemDiscountRule,
    MemberPriceRule,
    MixMatchRule,
    ThresholdDiscountRule,
    ThresholdGiftRule,
    TierDiscountRule,
)
from retail.promotions.workspace import Application, Workspace

Evaluator = Callable[[Promotion, list[int], Workspace, PricingContext, int], Application | None]


def percent_of(amount: int, percent: Fraction) -> int:
    """`percent` % of a non-negative amount, rounded half up, in integer arithmetic."""
    denominator = percent.denominator * 100
    return (2 * amount * percent.numerator + denominator) // (2 * denominator)


def _per_kg(price_per_kg: int, line: PricingLine) -> int:
    return round_half_up(Fraction(price_per_kg * line.qty, GRAMS_PER_KG))


def _unit_saving(promotion: Promotion, line: PricingLine, price: int, ctx: PricingContext) -> int:
    """The saving one unit (or one weighed line) earns from a per-unit kind."""
    rule = promotion.rule
    if isinstance(rule, ItemDiscountRule):
        if rule.mode == "percent":
            assert rule.percent is not None
            return percent_of(price, rule.percent)
        if rule.mode == "amount":
            assert rule.amount is not None
            off = _per_kg(rule.amount, line) if line.weighed else rule.amount
            return min(off, price)
        assert rule.price is not None
        target = _per_kg(rule.price, line) if line.weighed else rule.price
        return max(price - target, 0)
    if isinstance(rule, MemberPriceRule):
        if ctx.member is None or line.member_price is None:
            return 0
        target = _per_kg(line.member_price, line) if line.weighed else line.member_price
        return max(price - target, 0)
    if isinstance(rule, TierDiscountRule):
        percent = rule.percent_for(ctx.member.tier) if ctx.member is not None else None
        return 0 if percent is None else percent_of(price, percent)
    raise TypeError(f"{promotion.kind} is not a per-unit kind")


def per_unit(
    promotion: Promotion, slots: list[int], ws: Workspace, ctx: PricingContext, max_times: int
) -> Application | None:
    """Item discount, member price, tier discount: each unit on its own."""
    earned = []
    seen: dict[tuple[int, int], int] = {}  # the units of a line mostly share one price
    line_of, prices, lines = ws.line_of, ws.price, ws.lines
    for slot in slots:
        key = (line_of[slot], prices[slot])
        saving = seen.get(key)
        if saving is None:
            saving = min(_unit_saving(promotion, lines[key[0]], key[1], ctx), key[1])
            seen[key] = saving
        if saving > 0:
            earned.append((slot, saving))
    if len(earned) > max_times:  # a limited offer goes to the units that save most
        earned = sorted(earned, key=lambda e: (-e[1], e[0]))[:max_times]
        earned.sort()
    if not earned:
        return None
    slots_used = tuple(s for s, _ in earned)
    return Application(promotion, len(earned), slots_used, tuple(earned))


def _spread(saving: int, group: list[int], ws: Workspace) -> list[tuple[int, int]]:
    """Allocate a group's saving over its units by their current price."""
    parts = allocate(saving, [ws.price[s] for s in group])
    return [(s, p) for s, p in zip(group, parts, strict=True) if p > 0]


def _grouped(
    promotion: Promotion,
    groups: list[tuple[list[int], int]],
    ws: Workspace,
    max_times: int,
) -> Application | None:
    """Keep the groups that save, the best first when the limit bites."""
    groups = [(g, s) for g, s in groups if s > 0]
    if len(groups) > max_times:
        ranked = sorted(range(len(groups)), key=lambda i: (-groups[i][1], i))[:max_times]
        groups = [groups[i] for i in sorted(ranked)]
    if not groups:
        return None
    claimed: list[int] = []
    savings: list[tuple[int, int]] = []
    for group, saving in groups:
        claimed.extend(group)
        savings.extend(_spread(saving, group, ws))
    return Application(
        promotion,
        len(groups),
        tuple(claimed),
        tuple(savings),
        groups=tuple(tuple(g) for g, _ in groups),
    )


def _by_price(slots: list[int], ws: Workspace) -> list[int]:
    """Counted units, dearest first; equal prices keep slot order (the sort is stable)."""
    weighed = ws.weighed
    pool = [s for s in slots if s not in weighed] if weighed else slots
    return sorted(pool, key=ws.price.__getitem__, reverse=True)


def buy_get(
    promotion: Promotion, slots: list[int], ws: Workspace, ctx: PricingContext, max_times: int
) -> Application | None:
    """Buy N get M: in each group of N+M units, the M cheapest are free (or percent off)."""
    rule = promotion.rule
    assert isinstance(rule, BuyGetRule)
    size = rule.buy + rule.get
    pools: list[list[int]]
    if rule.free_item == "same_item":
        by_product: dict[str, list[int]] = {}
        for slot in slots:
            by_product.setdefault(ws.line(slot).product_id, []).append(slot)
        pools = [_by_price(by_product[p], ws) for p in sorted(by_product)]
    else:
        pools = [_by_price(slots, ws)]
    groups = []
    for pool in pools:
        for start in range(0, len(pool) - size + 1, size):
            group = pool[start : start + size]
            free_value = sum(ws.price[s] for s in group[rule.buy :])
            groups.append((group, percent_of(free_value, rule.percent_off)))
    return _grouped(promotion, groups, ws, max_times)


def _priced_sets(sets: list[list[int]], price: int, ws: Workspace) -> list[tuple[list[int], int]]:
    return [(group, sum(ws.price[s] for s in group) - price) for group in sets]


def mix_match(
    promotion: Promotion, slots: list[int], ws: Workspace, ctx: PricingContext, max_times: int
) -> Application | None:
    """Any `qty` target units for a set price; the dearest units are grouped first."""
    rule = promotion.rule
    assert isinstance(rule, MixMatchRule)
    pool = _by_price(slots, ws)
    sets = [pool[i : i + rule.qty] for i in range(0, len(pool) - rule.qty + 1, rule.qty)]
    return _grouped(promotion, _priced_sets(sets, rule.price, ws), ws, max_times)


def bundle(
    promotion: Promotion, slots: list[int], ws: Workspace, ctx: PricingContext, max_times: int
) -> Application | None:
    """Complete sets of the bundle's components for the bundle price."""
    rule = promotion.rule
    assert isinstance(rule, BundleRule)
    by_product: dict[str, list[int]] = {}
    for slot in _by_price(slots, ws):
        by_product.setdefault(ws.line(slot).product_id, []).append(slot)
    count = min(len(by_product.get(p, ())) // q for p, q in rule.components)
    sets = []
    for k in range(count):
        group: list[int] = []
        for product, qty in rule.components:
            group.extend(by_product[product][k * qty : (k + 1) * qty])
        sets.append(group)
    return _grouped(promotion, _priced_sets(sets, rule.price, ws), ws, max_times)


def _steps(base: int, threshold: int, repeat: bool, cap: int | None, max_times: int) -> int:
    if base <= 0 or base < threshold:
        return 0
    steps = base // threshold if repeat and threshold > 0 else 1
    if cap is not None:
        steps = min(steps, cap)
    return min(steps, max_times)


def order_bound(promotion: Promotion, total: int, max_times: int) -> int:
    """At most what an order promotion can be worth on goods priced `total` in all."""
    rule = promotion.rule
    if isinstance(rule, ThresholdDiscountRule):
        steps = _steps(total, rule.threshold, rule.repeat, rule.max_repeats, max_times)
        return min(rule.save * steps, total)
    assert isinstance(rule, ThresholdGiftRule)
    steps = _steps(total, rule.threshold, rule.repeat, None, max_times)
    return rule.gift_value * rule.gift_qty * steps


def threshold_discount(
    promotion: Promotion, slots: list[int], ws: Workspace, ctx: PricingContext, max_times: int
) -> Application | None:
    """Spend the threshold on target goods (after item promotions), save an amount."""
    rule = promotion.rule
    assert isinstance(rule, ThresholdDiscountRule)
    used, weights = _priced(slots, ws)
    base = sum(weights)
    steps = _steps(base, rule.threshold, rule.repeat, rule.max_repeats, max_times)
    if not steps:
        return None
    saving = min(rule.save * steps, base)
    return Application(promotion, steps, used, spread=(saving, used, weights), groups=(used,))


def _priced(slots: list[int], ws: Workspace) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The slots still worth something, with their prices."""
    prices = ws.price
    used = tuple(s for s in slots if prices[s] > 0)
    return used, tuple(prices[s] for s in used)


def threshold_gift(
    promotion: Promotion, slots: list[int], ws: Workspace, ctx: PricingContext, max_times: int
) -> Application | None:
    """Spend the threshold on target goods, a gift is added free."""
    rule = promotion.rule
    assert isinstance(rule, ThresholdGiftRule)
    used, weights = _priced(slots, ws)
    steps = _steps(sum(weights), rule.threshold, rule.repeat, None, max_times)
    if not steps:
        return None
    qty = rule.gift_qty * steps
    gift = GiftLine(rule.gift_product_id, qty, promotion.id, promotion.name, rule.gift_value * qty)
    return Application(promotion, steps, used, gifts=(gift,), groups=(used,))


EVALUATORS: dict[type, Evaluator] = {
    ItemDiscountRule: per_unit,
    MemberPriceRule: per_unit,
    TierDiscountRule: per_unit,
    BuyGetRule: buy_get,
    MixMatchRule: mix_match,
    BundleRule: bundle,
    ThresholdDiscountRule: threshold_discount,
    ThresholdGiftRule: threshold_gift,
}


def evaluate(
    promotion: Promotion, slots: list[int], ws: Workspace, ctx: PricingContext, max_times: int
) -> Application | None:
    """The best single application of `promotion` on `slots`, or None."""
    if not slots or max_times <= 0:
        return None
    return EVALUATORS[type(promotion.rule)](promotion, slots, ws, ctx, max_times)
