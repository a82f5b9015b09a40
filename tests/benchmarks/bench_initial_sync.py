"""Initial catalog sync of 200,000 products HQ -> store -> till, and barcode lookups after."""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import text

from chainpos.db import make_engine, make_session_factory, migrate, unit_of_work
from chainpos.sync.enrolment import enrol_database
from hq_server import demo_seed
from pos_terminal.models import SYNC as TILL_SYNC
from store_server.models import SYNC as STORE_SYNC
from tests.benchmarks.common import latency_summary, say
from tests.support.processes import ManagedProcess, free_port


def _wait_loaded(url: str, name: str, timeout: float = 1800) -> float:
    started = time.perf_counter()
    last = 0.0
    while time.perf_counter() - started < timeout:
        try:
            status = requests.get(url + "/api/v1/sync/status", timeout=10).json()
            if status["feed_cursor"].get("snapshot_done") and status["last_pull_ok"]:
                return time.perf_counter() - started
        except requests.RequestException:
            pass
        if time.perf_counter() - last > 15:
            say(f"  {name} still loading ({time.perf_counter() - started:.0f}s)")
            last = time.perf_counter()
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not finish its initial sync in {timeout:.0f}s")


def run(products: int = 200_000, lookups: int = 2000) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    hq_db, store_db, till_db = (f"sqlite:///{root}/{n}.db" for n in ("hq", "store", "till"))
    migrate(hq_db, "hq", quiet=True)
    factory = make_session_factory(make_engine(hq_db, durable=False))
    seeded = time.perf_counter()
    say(f"seeding HQ with {products:,} products (not part of the measure)")
    demo_seed.seed_catalog(
        factory, products, progress=lambda n: n % 50_000 == 0 and say(f"  {n:,} products")
    )
    creds = demo_seed.seed_organisation(factory, "bench-password")
    say(f"  seeded in {time.perf_counter() - seeded:.0f}s")
    ports = {name: free_port() for name in ("hq", "store", "till")}
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    for db, tables, code, upstream, secret in (
        (store_db, STORE_SYNC, "S001", url["hq"], creds.stores["S001"]),
        (till_db, TILL_SYNC, "S001-T01", url["store"], creds.tills["S001-T01"]),
    ):
        tier = "store" if tables is STORE_SYNC else "till"
        enrol_database(db, tier, tables, code, upstream, secret)

    def process(name: str, tier: str, db: str) -> ManagedProcess:
        return ManagedProcess(
            f"bench-{name}",
            [
                sys.executable,
                "-m",
                "chainpos.cli",
                tier,
                "run",
                "--db",
                db,
                "--port",
                str(ports[name]),
            ],
            env={"CHAINPOS_SECRET_KEY": "bench"},
            log_path=root / f"{name}.log",
            health_url=url[name] + "/healthz",
            startup_timeout=120,
        )

    procs = [process("hq", "hq", hq_db).start()]
    try:
        say("store loading from HQ")
        procs.append(process("store", "store", store_db).start())
        store_seconds = _wait_loaded(url["store"], "store")
        say(f"  store loaded in {store_seconds:.1f}s")
        say("till loading from the store")
        procs.append(process("till", "till", till_db).start())
        till_seconds = _wait_loaded(url["till"], "till")
        say(f"  till loaded in {till_seconds:.1f}s")
        with unit_of_work(make_session_factory(make_engine(till_db))) as session:
            count = session.execute(text("SELECT count(*) FROM catalog_products")).scalar()
            codes = [c for (c,) in session.execute(text("SELECT code FROM catalog_barcodes"))]
        if count != products:
            raise RuntimeError(f"the till holds {count} products, expected {products}")
        http = requests.Session()
        token = http.post(
            url["till"] + "/api/v1/auth/sign-in",
            json={"staff_code": "1001", "pin": "1234"},
            timeout=10,
        ).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        rng = random.Random(5)
        samples = []
        for code in rng.sample(codes, lookups):
            started = time.perf_counter()
            answer = http.get(
                url["till"] + "/api/v1/products", params={"barcode": code}, timeout=10
            )
            samples.append(time.perf_counter() - started)
            if answer.status_code != 200 or len(answer.json()) != 1:
                raise RuntimeError(f"lookup of {code} failed: {answer.text[:200]}")
    finally:
        for proc in reversed(procs):
            proc.terminate()
    return {
        "products": products,
        "store_load_seconds": round(store_seconds, 1),
        "till_load_seconds": round(till_seconds, 1),
        "total_seconds": round(store_seconds + till_seconds, 1),
        "till_barcode_lookup_http": latency_summary(samples),
    }


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000), indent=2))
