"""Choosing which promotions apply in one phase: stackables in order, exclusives best-first.

Rules
  * An exclusive promotion applies alone: the units it uses carry no other
    promotion of this phase or a later one, and it only uses units no earlier
    promotion touched.
  * Stackable promotions all apply, one after another in priority order (higher
    first, then id), each on the price the previous ones left, on every unit no
    exclusive promotion took.
  * Among the alternatives the engine keeps what saves the customer most.

Algorithm (bounded, deterministic)
  1. Price the phase with the stackables alone (the baseline); note what the
     stack saves on every unit and which units earn a saving together (a
     buy-N-get-M group, a threshold's goods: `StackLoss`).
  2. Evaluate each exclusive alone; its gain is its value minus what the stack
     would lose on the units it takes (a stacked group is lost whole when any of
     its units is taken). Drop those without gain.
  3. Split the exclusives into components that compete for units. In a component
     of at most `EXHAUSTIVE_LIMIT` promotions, search every sequence (each
     promotion in turn takes its best application of the units still free;
     depth-first, memoised on the set of units taken) and keep the largest total
     gain, as long as the basket's budget of `SEARCH_BUDGET` subsets lasts; in a
     bigger component, or once the budget is spent, take the best remaining gain
     repeatedly (lazy greedy), a heuristic.
  4. Apply the chosen exclusives, then the stackables on what is left (reusing
     every stacked result whose units did not change), and keep this outcome
     only if it beats the baseline.
Limits: gains are estimates against the baseline stack; the greedy fallback may
miss the optimum; the item and order phases are chosen one after the other (the
engine then tries giving way to blocked order promotions, and finally compares
the outcome with the stackables alone and each exclusive alone, see `engine`).
Ties go to higher priority, then to the smaller promotion id.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

from retail.promotions.basket import PricingContext
from retail.promotions.definitions import Promotion
from retail.promotions.evaluators import evaluate
from retail.promotions.workspace import Application, Workspace

EXHAUSTIVE_LIMIT = 6
#: Subsets explored exhaustively per phase and basket, over all components together.
SEARCH_BUDGET = 256

SlotsOf = Mapping[str, list[int]]
Taken = tuple[Promotion, Application]


def rank(promotion: Promotion) -> tuple[int, str]:
    return (-promotion.priority, promotion.id)


def _best_on_free(
    promotion: Promotion,
    ws: Workspace,
    slots_of: SlotsOf,
    ctx: PricingContext,
    limits: Mapping[str, int],
) -> Application | None:
    free = ws.free_slots(slots_of[promotion.id], promotion.exclusive)
    return evaluate(promotion, free, ws, ctx, limits[promotion.id])


def _stack(
    ws: Workspace,
    stackables: list[Promotion],
    slots_of: SlotsOf,
    ctx: PricingContext,
    limits: Mapping[str, int],
    earlier: dict[str, Application | None] | None = None,
    changed: set[int] | None = None,
) -> tuple[Workspace, dict[str, Application | None]]:
    """Apply the stackables in order; returns what each one did.

    Given what they did in an `earlier` run and the units that have `changed`
    since, a stackable whose units are all unchanged reuses its earlier result
    (an evaluation depends only on its own units).
    """
    done: dict[str, Application | None] = {}
    for promotion in stackables:
        slots = slots_of[promotion.id]
        if (
            earlier is not None
            and changed is not None
            and promotion.id in earlier
            and changed.isdisjoint(slots)
        ):
            application = earlier[promotion.id]
        else:
            application = _best_on_free(promotion, ws, slots_of, ctx, limits)
            if changed is not None:
                changed.update(slots)
        done[promotion.id] = application
        if application is not None and application.value > 0:
            ws.apply(application)
    return ws, done


class PhaseCache:
    """What one phase learned about a starting workspace, for reruns from the same start.

    The engine reruns the item phase with fewer promotions when it looks for a better
    outcome; evaluations on the same start and the same free units are reused.
    """

    def __init__(self) -> None:
        self.evaluations: dict[tuple[str, frozenset[int]], Application | None] = {}
        self.stacked: dict[str, Application | None] | None = None
        #: The first run's stackables alone (its baseline); only ever copied, never changed.
        self.baseline: Workspace | None = None


class StackLoss:
    """What the stack would lose if an exclusive took some units.

    A stacked per-unit saving is lost with its unit; a stacked group (a buy N get
    M group, a mix-and-match set, a bundle, a threshold's goods) is lost whole as
    soon as any of its units is taken.
    """

    def __init__(self, stack: list[Application], slot_count: int) -> None:
        self.groups_of: list[list[int]] = [[] for _ in range(slot_count)]
        self.values: list[int] = []
        groups_of, values = self.groups_of, self.values
        for application in stack:
            groups = application.groups
            if len(groups) == 1:  # one group (a threshold's goods): no need to split it
                for slot in groups[0]:
                    groups_of[slot].append(len(values))
                values.append(application.value)
                continue
            amounts = dict(application.savings)
            for group in groups:
                for slot in group:
                    groups_of[slot].append(len(values))
                values.append(sum(amounts.get(s, 0) for s in group))

    def lost(self, slots: tuple[int, ...]) -> int:
        groups_of = self.groups_of
        hit = {g for s in slots for g in groups_of[s]}
        return sum(self.values[g] for g in hit)


def _gain(application: Application, stack: StackLoss) -> int:
    return application.value - stack.lost(application.claimed)


def _components(viable: list[tuple[Promotion, Application]]) -> list[list[Promotion]]:
    """Group exclusives whose usable units overlap (union-find over slots)."""
    parent = list(range(len(viable)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_user: dict[int, int] = {}
    for i, (_, application) in enumerate(viable):
        for slot in application.claimed:
            j = first_user.setdefault(slot, i)
            parent[find(i)] = find(j)
    groups: dict[int, list[Promotion]] = {}
    for i, (promotion, _) in enumerate(viable):
        groups.setdefault(find(i), []).append(promotion)
    return [groups[k] for k in sorted(groups, key=lambda k: min(rank(p) for p in groups[k]))]


class _Chooser:
    """Tries exclusives against each other without touching the workspace.

    Exclusives only use untouched units, whose prices are still the phase's
    starting prices, so a trial state is just the set of units already claimed;
    evaluations are memoised on (promotion, its units already claimed).
    """

    def __init__(
        self,
        ws: Workspace,
        slots_of: SlotsOf,
        ctx: PricingContext,
        limits: Mapping[str, int],
        stack: StackLoss,
        evaluations: dict[tuple[str, frozenset[int]], Application | None],
    ) -> None:
        self.ws, self.ctx, self.limits, self.stack = ws, ctx, limits, stack
        self.slots_of = slots_of
        self.free: dict[str, list[int]] = {}
        self.memo: dict[tuple[str, frozenset[int]], tuple[Application | None, int]] = {}
        self.evaluations = evaluations

    def best(self, promotion: Promotion, claimed: frozenset[int]) -> tuple[Application | None, int]:
        """The promotion's best application on unclaimed units, and its gain."""
        usable = self.free.get(promotion.id)
        if usable is None:
            usable = self.ws.free_slots(self.slots_of[promotion.id], exclusive=True)
            self.free[promotion.id] = usable
        taken = claimed.intersection(usable) if claimed else claimed
        key = (promotion.id, taken)
        found = self.memo.get(key)
        if found is None:
            if key in self.evaluations:
                application = self.evaluations[key]
            else:
                free = [s for s in usable if s not in taken] if taken else usable
                limit = self.limits[promotion.id]
                application = evaluate(promotion, free, self.ws, self.ctx, limit)
                self.evaluations[key] = application
            gain = 0 if application is None else _gain(application, self.stack)
            found = self.memo[key] = (application, gain)
        return found

    def exhaustive(self, component: list[Promotion]) -> list[Taken]:
        """The best sequence of applications: depth-first over which applies next."""
        memo: dict[tuple[tuple[str, ...], frozenset[int]], tuple[int, list[Taken]]] = {}

        def solve(
            remaining: tuple[Promotion, ...], claimed: frozenset[int]
        ) -> tuple[int, list[Taken]]:
            key = (tuple(p.id for p in remaining), claimed)
            if key in memo:
                return memo[key]
            best_total, best_taken = 0, []
            for i, promotion in enumerate(remaining):
                application, gain = self.best(promotion, claimed)
                if application is None or gain <= 0:
                    continue
                rest = remaining[:i] + remaining[i + 1 :]
                total, taken = solve(rest, claimed.union(application.claimed))
                if gain + total > best_total:
                    best_total, best_taken = gain + total, [(promotion, application), *taken]
            memo[key] = (best_total, best_taken)
            return memo[key]

        return solve(tuple(component), frozenset())[1]

    def lazy_greedy(self, component: list[Promotion]) -> list[Taken]:
        claimed: frozenset[int] = frozenset()
        heap: list[tuple[int, tuple[int, str], Promotion]] = []
        for promotion in component:
            application, gain = self.best(promotion, claimed)
            if application is not None and gain > 0:
                heap.append((-gain, rank(promotion), promotion))
        heapq.heapify(heap)
        taken: list[Taken] = []
        while heap:
            _, key, promotion = heapq.heappop(heap)
            application, gain = self.best(promotion, claimed)
            if application is None or gain <= 0:
                continue
            if heap and (heap[0][0], heap[0][1]) < (-gain, key):
                heapq.heappush(heap, (-gain, key, promotion))  # stale: another is better now
                continue
            claimed = claimed.union(application.claimed)
            taken.append((promotion, application))
        return taken


def run_phase(
    ws: Workspace,
    promotions: list[Promotion],
    slots_of: SlotsOf,
    ctx: PricingContext,
    limits: Mapping[str, int],
    cache: PhaseCache | None = None,
) -> Workspace:
    """Apply one phase's promotions to a copy of `ws` and return the best outcome.

    Pass the same `cache` only to runs that start from the same `ws`.
    """
    cache = cache or PhaseCache()
    stackables = sorted((p for p in promotions if not p.exclusive), key=rank)
    exclusives = sorted((p for p in promotions if p.exclusive), key=rank)
    if cache.stacked is None:
        baseline, stacked = _stack(ws.copy(), stackables, slots_of, ctx, limits)
        cache.stacked, cache.baseline = stacked, baseline
    else:
        present = {p.id for p in stackables}
        gone = {s for pid in cache.stacked if pid not in present for s in slots_of[pid]}
        baseline, stacked = _stack(
            ws.copy(), stackables, slots_of, ctx, limits, cache.stacked, gone
        )
    if not exclusives:
        return baseline
    stack = StackLoss(baseline.applied[len(ws.applied) :], len(ws.price))
    chooser = _Chooser(ws, slots_of, ctx, limits, stack, cache.evaluations)
    viable = []
    for promotion in exclusives:
        application, gain = chooser.best(promotion, frozenset())
        if application is not None and gain > 0:
            viable.append((promotion, application))
    if not viable:
        return baseline
    chosen: list[tuple[Promotion, Application]] = []
    budget = SEARCH_BUDGET
    for component in _components(viable):
        states = 2 ** len(component)
        if len(component) == 1 or (len(component) <= EXHAUSTIVE_LIMIT and states <= budget):
            budget -= states if len(component) > 1 else 0
            chosen.extend(chooser.exhaustive(component))
        else:
            chosen.extend(chooser.lazy_greedy(component))
    outcome = ws.copy()
    changed: set[int] = set()
    for promotion, application in chosen:
        if any(outcome.owner[s] is not None for s in application.claimed):
            # Rare: components met once their claims shifted; evaluate afresh.
            fresh = _best_on_free(promotion, outcome, slots_of, ctx, limits)
            if fresh is None or _gain(fresh, stack) <= 0:
                continue
            application = fresh
        outcome.apply(application)
        changed.update(application.claimed)
    outcome, _ = _stack(outcome, stackables, slots_of, ctx, limits, stacked, changed)
    return outcome if outcome.total_value > baseline.total_value else baseline
