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
