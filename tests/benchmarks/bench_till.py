"""Till latency: quote and complete a sale over HTTP with a 20,000-product catalog."""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from chainpos.db import make_engine, make_session_factory, unit_of_work
from chainpos.master_copy import apply_changes
from chainpos.sync.enrolment import enrol
from pos_terminal.models import MASTER, SYNC
from tests.benchmarks.common import latency_summary, promotion_changes, say, seed_till_copy
from tests.support.processes import ManagedProcess, free_port


def run(products: int = 20_000, sales: int = 500, promotions: int = 0) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="bench-till-"))
    db = f"sqlite:///{root}/till.db"
    say(f"seeding a till with {products:,} products and {promotions:,} promotions")
    seed_till_copy(db, MASTER, products)
    if promotions:
        with unit_of_work(make_session_factory(make_engine(db))) as session:
            apply_changes(session, MASTER, promotion_changes(promotions))
    with unit_of_work(make_session_factory(make_engine(db))) as session:
        enrol(session, SYNC, "S001-T01", "http://127.0.0.1:9", "unused")
        barcodes = [
            code
            for (code,) in session.execute(
                MASTER.barcodes.__table__.select()
                .with_only_columns(MASTER.barcodes.code)
                .where(MASTER.barcodes.code.like("69%"))
            )
        ]
    port = free_port()
    proc = ManagedProcess(
        "bench-till",
        [
            sys.executable,
            "-m",
            "chainpos.cli",
            "till",
            "run",
            "--db",
            db,
            "--port",
            str(port),
            "--no-sync",
        ],
        log_path=root / "till.log",
        health_url=f"http://127.0.0.1:{port}/healthz",
    ).start()
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        http = requests.Session()
        token = http.post(
            f"{base}/auth/sign-in", json={"staff_code": "1001", "pin": "1234"}, timeout=10
        ).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        rng = random.Random(1)
        quotes, completes, both = [], [], []
        say(f"ringing up {sales} sales of 1-8 lines")
        for i in range(sales + 20):
            lines = [
                {"barcode": code, "qty": rng.randint(1, 3)}
                for code in rng.sample(barcodes, rng.randint(1, 8))
            ]
            t0 = time.perf_counter()
            quote = http.post(f"{base}/sales/quote", json={"lines": lines}, timeout=10)
            t1 = time.perf_counter()
            total = quote.json()["total"]
            sale = http.post(
                f"{base}/sales",
                timeout=10,
                json={"lines": lines, "tenders": [{"method": "cash", "amount": total + 1000}]},
            )
            t2 = time.perf_counter()
            if sale.status_code != 201:
                raise RuntimeError(f"sale refused: {sale.text}")
            if i >= 20:  # the first sales warm caches and the connection
                quotes.append(t1 - t0)
                completes.append(t2 - t1)
                both.append(t2 - t0)
    finally:
        proc.terminate()
    return {
        "products": products,
        "promotions": promotions,
        "sales": sales,
        "quote": latency_summary(quotes),
        "complete": latency_summary(completes),
        "quote_and_complete": latency_summary(both),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
