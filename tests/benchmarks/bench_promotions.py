"""Benchmark: price a 100-line basket against 2,000 active promotions.

Run: ``python tests/benchmarks/bench_promotions.py [--baskets 300] [--out result.json]``.
Prints p50/p99 of `price_basket` (the promotion book is built once, as a till
does when the change feed delivers promotions) and writes the figures as JSON.

The book: 5,000 products in 300 categories and 80 brands; 2,000 promotions, all
in their dates: item discounts on products, categories and brands (55 %), buy N
get M (10 %), mix and match (8 %), bundles (7 %), tier discounts (5 %), spend
thresholds on a category or brand (5 %), gifts (3 %), points multipliers (4 %),
member prices (3 %), plus `--whole-basket` whole-basket spend thresholds (4 by
default; they compete with every line, so they are the costliest kind). 30 % are
stackable; 10 % are for gold members, 5 % need a coupon. Baskets: 100 distinct
products, 1-3 units each, 5 % weighed, priced for a gold member.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from retail.promotions import (
    MemberInfo,
    PricingContext,
    PricingLine,
    PromotionBook,
    load_promotions,
    price_basket,
)

PRODUCTS, CATEGORIES, BRANDS = 5000, 300, 80
TZ = timezone(timedelta(hours=8))


def _catalog(rng: random.Random) -> dict[str, tuple[str, str, int]]:
    return {
        f"P{i:05d}": (
            f"C{rng.randrange(CATEGORIES):03d}",
            f"B{rng.randrange(BRANDS):02d}",
            rng.randrange(100, 20000),
        )
        for i in range(PRODUCTS)
    }


def _promotion(
    i: int, rng: random.Random, catalog: dict[str, tuple[str, str, int]]
) -> dict[str, Any]:
    ids = sorted(catalog)

    def some_products(n: int) -> dict[str, Any]:
        return {"product_ids": rng.sample(ids, n)}

    def a_category() -> dict[str, Any]:
        return {"category_ids": [f"C{rng.randrange(CATEGORIES):03d}"]}

    def a_brand() -> dict[str, Any]:
        return {"brand_ids": [f"B{rng.randrange(BRANDS):02d}"]}

    roll = rng.random()
    kind: str
    rule: dict[str, Any]
    target: dict[str, Any] | None
    if roll < 0.40:
        kind, target = "item_discount", some_products(rng.randint(1, 3))
        rule = rng.choice(
            [
                {"mode": "percent", "percent": rng.choice([5, 10, 20, "12.5"])},
                {"mode": "amount", "amount": rng.randrange(10, 200)},
                {"mode": "fixed_price", "price": rng.randrange(100, 5000)},
            ]
        )
    elif roll < 0.50:
        kind, target, rule = "item_discount", a_category(), {"mode": "percent", "percent": 10}
    elif roll < 0.55:
        kind, rule = "item_discount", {"mode": "percent", "percent": 8}
        target = {"brand_ids": [f"B{rng.randrange(BRANDS):02d}"]}
    elif roll < 0.65:
        kind, target = "buy_n_get_m", rng.choice([some_products(2), a_category()])
        rule = {
            "buy": rng.randint(1, 3),
            "get": 1,
            "free_item": rng.choice(["cheapest", "same_item"]),
        }
    elif roll < 0.73:
        kind, target, rule = (
            "mix_match",
            a_category(),
            {"qty": 3, "price": rng.randrange(500, 3000)},
        )
    elif roll < 0.80:
        pair = rng.sample(ids, 2)
        kind, target = "bundle", None
        rule = {
            "components": [{"product_id": p, "qty": 1} for p in pair],
            "price": rng.randrange(500, 10000),
        }
    elif roll < 0.85:
        kind, target = "tier_discount", a_category()
        rule = {"percent_by_tier": {"gold": 10, "silver": 5}}
    elif roll < 0.90:
        kind, target = "spend_threshold_discount", rng.choice([a_category(), a_brand()])
        rule = {"threshold": 30000, "save": 5000, "repeat": rng.random() < 0.5}
    elif roll < 0.93:
        kind, target = "spend_threshold_gift", a_category()
        rule = {"threshold": 20000, "gift_product_id": rng.choice(ids), "gift_value": 990}
    elif roll < 0.97:
        kind, target, rule = "points_multiplier", a_category(), {"multiplier": rng.choice([2, 3])}
    else:
        kind, target, rule = "member_price", a_category(), {}
    data: dict[str, Any] = {
        "id": f"PROMO-{i:05d}",
        "name": f"Promotion {i}",
        "kind": kind,
        "stacking": "stackable" if rng.random() < 0.3 else "exclusive",
        "priority": rng.randrange(10),
        "rule": rule,
        "schedule": {
            "starts_at": "2026-11-01T00:00:00+08:00",
            "ends_at": "2027-01-01T00:00:00+08:00",
        },
    }
    if target is not None:
        data["target"] = target
    return _audience(data, i, rng)


def _whole_basket(i: int, rng: random.Random) -> dict[str, Any]:
    """A whole-basket spend threshold ("spend 300 save 50"), alternately exclusive."""
    data: dict[str, Any] = {
        "id": f"BASKET-{i:03d}",
        "name": f"Spend {300 + 100 * i} save {50 + 10 * i}",
        "kind": "spend_threshold_discount",
        "stacking": "exclusive" if i % 2 == 0 else "stackable",
        "priority": rng.randrange(10),
        "target": {"all": True},
        "rule": {"threshold": 30000 + 10000 * i, "save": 5000 + 1000 * i, "repeat": i % 3 == 0},
    }
    return _audience(data, i, rng)


def _audience(data: dict[str, Any], i: int, rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.1:
        data["audience"] = {"tiers": ["gold"]}
    elif rng.random() < 0.05:
        data["audience"] = {"coupon_code": f"CPN{i}"}
    return data


def _basket(rng: random.Random, catalog: dict[str, tuple[str, str, int]]) -> list[PricingLine]:
    lines = []
    for no, product in enumerate(rng.sample(sorted(catalog), 100), start=1):
        category, brand, price = catalog[product]
        weighed = rng.random() < 0.05
        lines.append(
            PricingLine(
                line_no=no,
                product_id=product,
                qty=rng.randint(200, 1500) if weighed else rng.randint(1, 3),
                unit_price=price,
                category_id=category,
                brand_id=brand,
                member_price=price * 9 // 10 if rng.random() < 0.3 else None,
                weighed=weighed,
            )
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--promotions", type=int, default=2000)
    parser.add_argument("--baskets", type=int, default=300)
    parser.add_argument(
        "--whole-basket",
        type=int,
        default=4,
        help="how many of the promotions are whole-basket spend thresholds (the costliest kind)",
    )
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    catalog = _catalog(rng)
    definitions = [
        _promotion(i, rng, catalog) for i in range(args.promotions - args.whole_basket)
    ] + [_whole_basket(i, rng) for i in range(args.whole_basket)]
    started = time.perf_counter()
    promotions = load_promotions(definitions, catalog.__contains__)
    book = PromotionBook(promotions)
    build_ms = (time.perf_counter() - started) * 1000
    del definitions, promotions  # a till keeps the book, not the JSON it came from
    context = PricingContext(
        store_id="S001",
        region_id="east",
        at=datetime(2026, 11, 26, 10, 0, tzinfo=TZ),
        member=MemberInfo("M1", "gold"),
    )
    basket_seed = rng.randrange(2**32)
    for basket in _baskets(basket_seed, 10, catalog):  # warm up
        price_basket(basket, context, book)
    figures: dict[str, Any] = {
        "case": f"100-line basket, {len(book)} active promotions",
        "whole_basket_thresholds": args.whole_basket,
        "baskets": args.baskets,
        "load_and_index_ms": round(build_ms, 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    # A till loads its promotion book once and then prices for hours: freezing the
    # long-lived objects out of the cyclic GC (gc.freeze) is the recommended setting,
    # so both are measured.
    figures["default_gc"] = _measure(_baskets(basket_seed, args.baskets, catalog), context, book)
    gc.collect()
    gc.freeze()
    figures["gc_frozen_after_load"] = _measure(
        _baskets(basket_seed, args.baskets, catalog), context, book
    )
    for label in ("default_gc", "gc_frozen_after_load"):
        f = figures[label]
        print(
            f"{figures['case']} [{label}]: p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms, "
            f"max {f['max_ms']} ms (CPU p50 {f['cpu_p50_ms']} ms, p99 {f['cpu_p99_ms']} ms; "
            f"load average {f['load_average_1m']} on {figures['cpus']} CPUs)"
        )
    print(f"{figures['baskets']} baskets; load + index {figures['load_and_index_ms']} ms")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")


def _percentile(sorted_values: list[float], fraction: float) -> float:
    return round(sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))], 3)


def _baskets(
    seed: int, count: int, catalog: dict[str, tuple[str, str, int]]
) -> Iterator[list[PricingLine]]:
    """The same baskets for the same seed, made one at a time as a till sees them."""
    rng = random.Random(seed)
    for _ in range(count):
        yield _basket(rng, catalog)


def _measure(
    baskets: Iterable[list[PricingLine]], context: PricingContext, book: PromotionBook
) -> dict[str, float]:
    timings, cpu, savings, applied = [], [], [], []
    for basket in baskets:
        started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        result = price_basket(basket, context, book)
        cpu.append((time.thread_time_ns() - started_cpu) / 1e6)
        timings.append((time.perf_counter_ns() - started) / 1e6)
        savings.append(result.total_saving)
        applied.append(len(result.applied))
    timings.sort()
    cpu.sort()
    return {
        "p50_ms": _percentile(timings, 0.5),
        "p99_ms": _percentile(timings, 0.99),
        "max_ms": round(timings[-1], 3),
        "mean_ms": round(statistics.fmean(timings), 3),
        "cpu_p50_ms": _percentile(cpu, 0.5),
        "cpu_p99_ms": _percentile(cpu, 0.99),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "mean_promotions_applied": round(statistics.fmean(applied), 1),
        "mean_saving_fen": round(statistics.fmean(savings)),
    }


if __name__ == "__main__":
    main()
