"""Price a basket: the one promotion engine the till, the store and HQ all run.

`price_basket` is pure and deterministic: the same lines in any order, the same
context and promotions give the same prices. Phases, in order:

  1. item promotions (item discount, member price, tier discount, buy N get M,
     mix and match, bundle) — see `search` for exclusivity and best choice;
  2. order promotions (spend-threshold discount and gift) on what is left; when
     item promotions kept an order promotion from some of its goods, the two
     phases are priced again giving way to it (without the exclusive item
     promotions on its goods, and, for an exclusive order promotion, without
     any item promotion on them) and the better outcome for the customer wins;
     finally the outcome is compared with the stackables alone and with each
     exclusive promotion alone, and the best for the customer is kept;
  3. onsite supervisor discounts, lines first, then the order;
  4. points multipliers (no money effect): per line the highest one applies.

Every saving is spread over the units that earned it with largest remainder,
so the line savings add up exactly to each promotion's saving.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from retail.money import allocate, round_half_up
from retail.promotions.basket import (
    AppliedPromotion,
    LineSaving,
    PricedBasket,
    PricedLine,
    PricingContext,
    PricingLine,
)
from retail.promotions.conditions import eligible, remaining_times
from retail.promotions.definitions import ProductTarget, Promotion, Stacking
from retail.promotions.evaluators import evaluate, order_bound
from retail.promotions.index import PromotionBook
from retail.promotions.onsite import OnsiteAdjustment, OnsiteDiscountRefused, OnsiteRecord
from retail.promotions.rules import ITEM_KINDS, ORDER_KINDS, ItemDiscountRule, PointsMultiplierRule
from retail.promotions.search import PhaseCache, rank, run_phase
from retail.promotions.workspace import Application, Workspace


def price_basket(
    lines: Sequence[PricingLine],
    context: PricingContext,
    promotions: PromotionBook | Iterable[Promotion],
    onsite: Sequence[OnsiteAdjustment] = (),
    *,
    ignore_status: bool = False,
) -> PricedBasket:
    """Price `lines` for `context` under `promotions` (build a `PromotionBook` once to reuse)."""
    book = promotions if isinstance(promotions, PromotionBook) else PromotionBook(promotions)
    if len({line.line_no for line in lines}) != len(lines):
        raise ValueError("line numbers must be unique in a basket")
    ordered = tuple(sorted(lines, key=PricingLine.sort_key))
    ws = Workspace.for_lines(ordered)
    slots_by_line: list[list[int]] = [[] for _ in ordered]
    for slot, i in enumerate(ws.line_of):
        slots_by_line[i].append(slot)

    active: list[Promotion] = []
    limits: dict[str, int] = {}
    slots_of: dict[str, list[int]] = {}
    verdict: dict[str, bool] = {}
    points_by_line: list[list[Promotion]] = [[] for _ in ordered]
    for i, line in enumerate(ordered):
        for promotion in book.matching(line):
            admitted = verdict.get(promotion.id)
            if admitted is None:
                times = remaining_times(promotion, context)
                admitted = times > 0 and eligible(promotion, context, ignore_status)
                verdict[promotion.id] = admitted
                if admitted:
                    active.append(promotion)
                    limits[promotion.id] = times
                    slots_of[promotion.id] = []
            if admitted:
                slots_of[promotion.id].extend(slots_by_line[i])
                if isinstance(promotion.rule, PointsMultiplierRule):
                    points_by_line[i].append(promotion)
    active.sort(key=lambda p: p.id)

    ws = _promotion_phases(ws, active, slots_of, context, limits)
    records = _apply_onsite(ws, onsite, slots_by_line)
    return _result(lines, ordered, ws, points_by_line, records)


NOTHING_CLAIMED: frozenset[int] = frozenset()


def _promotion_phases(
    ws: Workspace,
    active: list[Promotion],
    slots_of: dict[str, list[int]],
    context: PricingContext,
    limits: dict[str, int],
) -> Workspace:
    """The searched outcome, unless a baseline is strictly better for the customer.

    The search (`_searched`) estimates each phase on its own and can miss how the
    item phase changes the order phase (an exclusive item promotion displacing a
    limited stackable one onto goods a stackable threshold counts, so they fall
    below it). The baselines cannot be missed: the stackables alone, and every
    exclusive promotion alone, are each priced exactly as `price_basket` would price
    that set of promotions, and the best for the customer wins. Ties keep the
    searched outcome, then the stack, then exclusives by value, priority and id.
    """
    items = [p for p in active if p.kind in ITEM_KINDS]
    orders = [p for p in active if p.kind in ORDER_KINDS]
    cache = PhaseCache()
    best = _searched(ws, items, orders, slots_of, context, limits, cache)
    exclusives = [p for p in (*items, *orders) if p.exclusive]
    if not exclusives:
        return best  # the search priced the stackables alone
    best_value = best.total_value
    # The stackables alone: the item phase's baseline (the search's first run built
    # it from this same start), then the stackable order promotions on what it left;
    # priced only if a bound on what those can add (each at most what it is worth on
    # its goods at the prices the item stack left) could beat the best.
    item_stack = cache.baseline
    assert item_stack is not None
    order_stack = [p for p in orders if not p.exclusive]
    left = item_stack.price
    bound = sum(
        order_bound(p, sum(left[s] for s in slots_of[p.id]), limits[p.id]) for p in order_stack
    )
    if item_stack.total_value + bound > best_value:
        stack = run_phase(item_stack, order_stack, slots_of, context, limits)
        if stack.total_value > best_value:
            best, best_value = stack, stack.total_value
    # Each exclusive alone: its best application at regular prices. The search already
    # evaluated the item ones on this start (cached); an order one is evaluated only if
    # its bound beats the best. The few that beat it are priced in full, by the path
    # `price_basket` would take for that promotion alone.
    regular = ws.price
    contenders: list[tuple[int, tuple[int, str], Promotion]] = []
    for promotion in exclusives:
        limit = limits[promotion.id]
        key = (promotion.id, NOTHING_CLAIMED)
        if key in cache.evaluations:
            application = cache.evaluations[key]
        elif promotion.kind in ORDER_KINDS:
            slots = slots_of[promotion.id]
            if order_bound(promotion, sum(regular[s] for s in slots), limit) <= best_value:
                continue
            application = evaluate(promotion, slots, ws, context, limit)
        else:
            application = evaluate(promotion, slots_of[promotion.id], ws, context, limit)
        if application is not None and application.value > best_value:
            contenders.append((-application.value, rank(promotion), promotion))
    for _, _, promotion in sorted(contenders, key=lambda c: (c[0], c[1])):
        only = [promotion]
        alone = _searched(
            ws,
            only if promotion.kind in ITEM_KINDS else [],
            only if promotion.kind in ORDER_KINDS else [],
            slots_of,
            context,
            limits,
            PhaseCache(),
        )
        if alone.total_value > best_value:
            best, best_value = alone, alone.total_value
    return best


def _searched(
    ws: Workspace,
    items: list[Promotion],
    orders: list[Promotion],
    slots_of: dict[str, list[int]],
    context: PricingContext,
    limits: dict[str, int],
    cache: PhaseCache,
) -> Workspace:
    """Item phase, then order phase; retried without the item promotions that kept an
    order promotion from some of its goods, if that is better for the customer."""
    after_items = run_phase(ws, items, slots_of, context, limits, cache)
    outcome = run_phase(after_items, orders, slots_of, context, limits)
    blocked_any: set[int] = set()  # goods an exclusive order promotion could not use
    blocked_exclusive: set[int] = set()  # goods a stackable order promotion could not use
    held_back: list[Promotion] = []
    for promotion in orders:
        slots = slots_of[promotion.id]
        if promotion.exclusive:
            if any(after_items.touched[s] or after_items.owner[s] for s in slots):
                blocked_any.update(slots)
                held_back.append(promotion)
        elif any(after_items.owner[s] for s in slots):
            blocked_exclusive.update(slots)
            held_back.append(promotion)
    # Alternatives are only worth trying if a held-back order promotion could apply at
    # all on its goods at their regular prices.
    if not any(
        evaluate(p, slots_of[p.id], ws, context, limits[p.id]) is not None for p in held_back
    ):
        return outcome
    # Alternative 1 gives way to stackable order promotions (drops the exclusive item
    # promotions on their goods); alternative 2 also gives way to exclusive ones (drops
    # every item promotion on their goods). A strictly better outcome wins.
    plans: list[frozenset[int]] = []
    if blocked_exclusive:
        plans.append(frozenset())
    if blocked_any:
        plans.append(frozenset(blocked_any))
    best = outcome
    for dropped_goods in plans:
        spared = [
            p
            for p in items
            if dropped_goods.isdisjoint(slots_of[p.id])
            and not (p.exclusive and not blocked_exclusive.isdisjoint(slots_of[p.id]))
        ]
        if len(spared) == len(items):
            continue
        after = run_phase(ws, spared, slots_of, context, limits, cache)
        alternative = run_phase(after, orders, slots_of, context, limits)
        if alternative.total_value > best.total_value:
            best = alternative
    return best


def _onsite_promotion(adjustment: OnsiteAdjustment) -> Promotion:
    # A synthetic stackable promotion lets an onsite discount ride the same bookkeeping.
    rule = (
        ItemDiscountRule("percent", percent=adjustment.percent)
        if adjustment.percent is not None
        else ItemDiscountRule("amount", amount=adjustment.amount)
    )
    return Promotion(
        id=f"onsite:{adjustment.adjustment_id}",
        name=adjustment.label,
        rule=rule,
        target=ProductTarget(all=True),
        stacking=Stacking.STACKABLE,
    )


def _apply_onsite(
    ws: Workspace, adjustments: Sequence[OnsiteAdjustment], slots_by_line: list[list[int]]
) -> list[OnsiteRecord]:
    records = []
    ordered = sorted(adjustments, key=lambda a: (a.scope != "line", a.adjustment_id))
    for adjustment in ordered:
        if adjustment.scope == "line":
            positions = [i for i, line in enumerate(ws.lines) if line.line_no == adjustment.line_no]
            if not positions:
                raise OnsiteDiscountRefused(
                    "unknown_line", "line_no", f"line {adjustment.line_no} is not in the basket"
                )
            slots = [s for s in slots_by_line[positions[0]] if ws.price[s] > 0]
        else:
            slots = [s for s in range(len(ws.price)) if ws.price[s] > 0]
        base = sum(ws.price[s] for s in slots)
        if adjustment.percent is not None:
            saving = round_half_up(base * adjustment.percent / 100)
        else:
            saving = min(adjustment.amount or 0, base)
        parts = allocate(saving, [ws.price[s] for s in slots]) if slots else []
        savings = tuple((s, p) for s, p in zip(slots, parts, strict=True) if p > 0)
        ws.apply(Application(_onsite_promotion(adjustment), 1, tuple(slots), savings))
        records.append(OnsiteRecord(adjustment, saving))
    return records


NO_POINTS: tuple[Fraction, Promotion | None] = (Fraction(1), None)


def _points(candidates: list[Promotion]) -> tuple[Fraction, Promotion | None]:
    """The highest multiplier taking a line (ties: priority, then id); 1 if none."""
    best = NO_POINTS
    for promotion in sorted(candidates, key=rank):
        rule = promotion.rule
        assert isinstance(rule, PointsMultiplierRule)
        if rule.multiplier > best[0]:
            best = (rule.multiplier, promotion)
    return best


def _result(
    original: Sequence[PricingLine],
    ordered: tuple[PricingLine, ...],
    ws: Workspace,
    points_by_line: list[list[Promotion]],
    records: list[OnsiteRecord],
) -> PricedBasket:
    names = {a.promotion.id: a.promotion.name for a in ws.applied}
    priced: dict[int, PricedLine] = {}
    points_used: dict[str, Promotion] = {}
    per_line: list[dict[str, int]] = [{} for _ in ordered]  # in the order applied
    for application in ws.applied:
        promotion_id = application.promotion.id
        for slot, amount in application.savings:
            on_line = per_line[ws.line_of[slot]]
            on_line[promotion_id] = on_line.get(promotion_id, 0) + amount
    for i, line in enumerate(ordered):
        multiplier, points_promotion = NO_POINTS
        if points_by_line[i]:
            multiplier, points_promotion = _points(points_by_line[i])
        if points_promotion is not None:
            points_used[points_promotion.id] = points_promotion
        savings = tuple(LineSaving(pid, names[pid], amount) for pid, amount in per_line[i].items())
        regular = line.regular_amount
        priced[line.line_no] = PricedLine(
            line_no=line.line_no,
            product_id=line.product_id,
            qty=line.qty,
            weighed=line.weighed,
            regular_amount=regular,
            amount=regular - sum(s.amount for s in savings),
            savings=savings,
            points_multiplier=multiplier,
            points_promotion_id=points_promotion.id if points_promotion else None,
        )
    applied: dict[str, AppliedPromotion] = {}
    for application in ws.applied:
        p = application.promotion
        earlier = applied.get(p.id)
        applied[p.id] = AppliedPromotion(
            p.id,
            p.name,
            application.times + (earlier.times if earlier else 0),
            application.saving + (earlier.saving if earlier else 0),
            p.audience.coupon_code,
        )
    for promotion in points_used.values():
        applied[promotion.id] = AppliedPromotion(
            promotion.id, promotion.name, 1, 0, promotion.audience.coupon_code
        )
    lines_out = tuple(priced[line.line_no] for line in original)
    return PricedBasket(
        lines=lines_out,
        gifts=tuple(g for a in ws.applied for g in a.gifts),
        applied=tuple(applied[k] for k in sorted(applied)),
        regular_total=sum(line.regular_amount for line in lines_out),
        total=sum(line.amount for line in lines_out),
        onsite=tuple(records),
    )
