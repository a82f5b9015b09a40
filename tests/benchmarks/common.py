"""Shared pieces of the benchmarks: percentiles, progress, a till seeded without HQ."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from chainpos.auth import hash_secret
from chainpos.db import make_engine, make_session_factory, migrate, unit_of_work, utcnow
from chainpos.master_copy import MasterTables, apply_changes
from retail.demo_catalog import DemoProduct, categories, generate_catalog


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of `samples` (seconds in, milliseconds out)."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank] * 1000


def latency_summary(samples: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50), 3),
        "p99_ms": round(percentile(samples, 99), 3),
        "max_ms": round(max(samples) * 1000, 3),
    }


@contextmanager
def timed(label: str) -> Iterator[dict[str, float]]:
    result: dict[str, float] = {}
    started = time.perf_counter()
    yield result
    result["seconds"] = time.perf_counter() - started
    say(f"{label}: {result['seconds']:.1f}s")


def product_change(product: DemoProduct, tax_by_category: dict[str, int]) -> dict[str, Any]:
    since = (utcnow() - timedelta(days=1)).isoformat()
    return {
        "entity": "product",
        "key": product.sku,
        "payload": {
            "sku": product.sku,
            "name_zh": product.name_zh,
            "name_en": product.name_en,
            "category_code": product.category_code,
            "category_name": product.category_code,
            "brand_code": product.brand_code,
            "brand_name": None,
            "unit": product.unit,
            "weighed": product.weighed,
            "tax_rate_bp": tax_by_category[product.category_code],
            "active": True,
            "barcodes": [product.barcode],
            "prices": [
                {
                    "id": f"price-{product.sku}",
                    "price": product.price_fen,
                    "store": None,
                    "effective_from": since,
                }
            ],
        },
    }


def seed_till_copy(db_url: str, tables: MasterTables, products: int, store: str = "S001") -> None:
    """A till's local catalog filled as if synced, without running HQ or a store."""
    migrate(db_url, "till", quiet=True)
    factory = make_session_factory(make_engine(db_url, durable=False))
    tax = {c.code: c.tax_rate_bp for c in categories()}
    with unit_of_work(factory) as session:
        apply_changes(
            session,
            tables,
            [
                {
                    "entity": "store",
                    "key": store,
                    "payload": {
                        "code": store,
                        "name": "Bench store",
                        "timezone": "Asia/Shanghai",
                        "cash_rounding_step": 10,
                        "active": True,
                    },
                },
                {
                    "entity": "staff",
                    "key": "1001",
                    "payload": {
                        "code": "1001",
                        "name": "Bench cashier",
                        "role": "cashier",
                        "pin_hash": hash_secret("1234"),
                        "store": None,
                        "active": True,
                    },
                },
            ],
        )
    catalog = generate_catalog(products)
    while batch := list(islice(catalog, 5000)):
        with unit_of_work(factory) as session:
            apply_changes(session, tables, [product_change(p, tax) for p in batch])


def write_json(path: Path, data: Any) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))


def promotion_changes(count: int, seed: int = 11) -> list[dict[str, Any]]:
    """`count` promotions over the demo catalog, as the feed delivers them to a till.

    A realistic mix: item discounts on products (55 %), category discounts (15 %),
    buy N get M on categories (10 %), brand discounts (10 %), spend thresholds on a
    category (10 %); a quarter stackable; all in force for a year around now.
    """
    import random

    from retail.promotions.definitions import from_dict, to_dict

    rng = random.Random(seed)
    skus = [p.sku for p in generate_catalog(20_000)]
    cats = [c.code for c in categories()]
    from retail.demo_catalog import brands

    brand_codes = [b.code for b in brands()]
    start = (utcnow() - timedelta(days=180)).isoformat()
    end = (utcnow() + timedelta(days=180)).isoformat()
    out = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.55:
            kind, target = "item_discount", {"product_ids": rng.sample(skus, rng.randint(1, 3))}
            rule: dict[str, Any] = rng.choice(
                [
                    {"mode": "percent", "percent": rng.choice([5, 10, 20])},
                    {"mode": "amount", "amount": rng.randrange(10, 100)},
                ]
            )
        elif roll < 0.70:
            kind, target = "item_discount", {"category_ids": [rng.choice(cats)]}
            rule = {"mode": "percent", "percent": 5}
        elif roll < 0.80:
            kind, target = "buy_n_get_m", {"category_ids": [rng.choice(cats)]}
            rule = {"buy": 2, "get": 1, "free_item": "cheapest"}
        elif roll < 0.90:
            kind, target = "item_discount", {"brand_ids": [rng.choice(brand_codes)]}
            rule = {"mode": "percent", "percent": 8}
        else:
            kind, target = "spend_threshold_discount", {"category_ids": [rng.choice(cats)]}
            rule = {"threshold": 30000, "save": 5000, "repeat": False}
        definition = {
            "id": f"BENCH-{i:05d}",
            "name": f"Promotion {i}",
            "kind": kind,
            "stacking": "stackable" if rng.random() < 0.25 else "exclusive",
            "priority": rng.randrange(10),
            "target": target,
            "rule": rule,
            "schedule": {"starts_at": start, "ends_at": end},
        }
        out.append(
            {
                "entity": "promotion",
                "key": definition["id"],
                "payload": to_dict(from_dict(definition)),
            }
        )
    return out
