"""HQ ingestion of 20-line sales on PostgreSQL, next to pgbench TPC-B on the same cluster."""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any

from chainpos.config import HqConfig
from chainpos.db import make_engine, make_session_factory, unit_of_work, utcnow
from chainpos.ids import new_id
from chainpos.signing import Credentials, sign
from hq_server import demo_seed
from hq_server.app import create_app
from hq_server.models import Barcode, Product
from tests.benchmarks.common import say
from tests.support.pgbench import Pgbench
from tests.support.postgres import PostgresCluster

LINES = 20
BATCH = 100


def _sale(store: str, till: str, seq: int, skus: list[str], rng: random.Random) -> dict[str, Any]:
    lines = []
    for n, sku in enumerate(rng.sample(skus, LINES), start=1):
        qty = rng.randint(1, 3)
        lines.append(
            {
                "line_no": n,
                "sku": sku,
                "name": sku,
                "barcode": "0",
                "qty": qty,
                "unit_price": 990,
                "amount": 990 * qty,
                "tax_rate_bp": 1300,
                "stock_qty": qty,
                "weight_grams": None,
            }
        )
    total = sum(line["amount"] for line in lines)
    return {
        "id": new_id(),
        "type": "sale",
        "origin_store": store,
        "origin_till": till,
        "business_day": "2026-11-26",
        "seq": seq,
        "created_at": utcnow().isoformat(),
        "body": {
            "sale_id": new_id(),
            "receipt_no": f"{till}-{seq:06d}",
            "cashier": "1001",
            "lines": lines,
            "total": total,
            "rounding": 0,
            "change": 0,
            "tenders": [{"method": "cash", "amount": total}],
        },
    }


def _ingest(app: Any, store: str, secret: str, docs: list[dict[str, Any]]) -> None:
    client = app.test_client()
    creds = Credentials(store, secret)
    for start in range(0, len(docs), BATCH):
        body = json.dumps({"documents": docs[start : start + BATCH]}).encode()
        headers = sign(creds, "POST", "/api/v1/sync/documents", body)
        answer = client.post(
            "/api/v1/sync/documents",
            data=body,
            headers={**headers, "Content-Type": "application/json"},
        )
        acks = answer.get_json()["acks"]
        if answer.status_code != 200 or any(a["status"] != "applied" for a in acks):
            raise RuntimeError(f"ingestion failed: {answer.status_code} {acks[:2]}")


def run(sales: int = 4000, pgbench_seconds: int = 20) -> dict[str, Any]:
    cluster = PostgresCluster(durable=True).start()
    try:
        url = cluster.create_database("bench_hq")
        cluster.create_database("bench_pgbench")
        app = create_app(HqConfig(database_url=url, secret_key="bench"))
        factory = make_session_factory(make_engine(url))
        say("seeding HQ on PostgreSQL (2,000 products, two stores)")
        demo_seed.seed_catalog(factory, 2000)
        creds = demo_seed.seed_organisation(factory, "bench-password")
        with unit_of_work(factory) as session:
            skus = [
                sku
                for (sku,) in session.execute(
                    Product.__table__.select().with_only_columns(Product.sku)
                )
            ]
            assert session.query(Barcode).count() >= 2000
        rng = random.Random(3)
        streams = {
            store: [
                _sale(store, f"{store}-T01", seq, skus, rng) for seq in range(1, sales // 2 + 1)
            ]
            for store in ("S001", "S002")
        }
        say(f"ingesting {sales:,} sales of {LINES} lines in batches of {BATCH}, two stores at once")
        threads = [
            threading.Thread(target=_ingest, args=(app, store, creds.stores[store], docs))
            for store, docs in streams.items()
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        with unit_of_work(factory) as session:
            stored = session.execute(
                Product.__table__.select().with_only_columns(Product.sku).limit(1)
            ).all()
        assert stored
        rate = sales / elapsed
        say(f"HQ ingested {rate:,.0f} sales/s ({rate * LINES:,.0f} lines/s)")
        bench = Pgbench(cluster, "bench_pgbench")
        say("pgbench: initialising scale 10")
        bench.init(scale=10)
        say(f"pgbench TPC-B: 2 clients for {pgbench_seconds}s")
        result = bench.run(clients=2, jobs=2, seconds=pgbench_seconds)
        say(f"pgbench: {result.tps:,.0f} tps")
        return {
            "sales": sales,
            "lines_per_sale": LINES,
            "batch": BATCH,
            "seconds": round(elapsed, 2),
            "sales_per_second": round(rate, 1),
            "lines_per_second": round(rate * LINES, 1),
            "pgbench_tps": round(result.tps, 1),
            "pgbench_clients": 2,
            "ratio_sales_to_tpcb": round(rate / result.tps, 3),
            "cluster": "private PostgreSQL 15, fsync on, synchronous_commit on",
        }
    finally:
        cluster.stop()


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
