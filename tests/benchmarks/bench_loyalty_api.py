"""Stored-value debits through HQ's API: gunicorn on PostgreSQL, 16 signed store clients.

The same workload as bench_loyalty, but end to end over HTTP: request signing and its
nonce check, JSON validation, the idempotency record, row locks and the ledger entry,
with HQ served by `chainpos hq serve` (gunicorn, 4 workers x 4 threads).
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from chainpos.db import make_engine, make_session_factory, migrate
from chainpos.ids import new_id
from chainpos.signing import Credentials
from chainpos.sync.client import SignedClient, UpstreamError
from hq_server import demo_seed
from tests.benchmarks.bench_loyalty import CARDS, DEBIT, THREADS, _seed_cards
from tests.benchmarks.common import latency_summary, say
from tests.support.pgbench import Pgbench
from tests.support.postgres import PostgresCluster
from tests.support.processes import ManagedProcess, free_port


def _hammer(url: str, secret: str, cards: list[str], seconds: float) -> dict[str, Any]:
    samples: list[list[float]] = [[] for _ in range(THREADS)]
    refused = [0] * THREADS
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        http = SignedClient(url, Credentials("S001", secret), timeout=30)
        rng = random.Random(i)
        while time.monotonic() < stop:
            body = {
                "idempotency_key": new_id(),
                "document": new_id(),
                "business_day": "2026-11-26",
                "till": "S001-T01",
                "staff": "1001",
                "card": rng.choice(cards),
                "amount": DEBIT,
            }
            started = time.perf_counter()
            try:
                http.post("/api/v1/loyalty/store/sv/debit", body)
            except UpstreamError:
                refused[i] += 1
                continue
            samples[i].append(time.perf_counter() - started)
        http.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = [s for per in samples for s in per]
    return {
        "debits": len(flat),
        "refused": sum(refused),
        "per_second": round(len(flat) / elapsed, 1),
        **latency_summary(flat),
    }


def run(seconds: int = 15, pgbench_seconds: int = 15) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="bench-loyalty-api-"))
    cluster = PostgresCluster(durable=True).start()
    hq: ManagedProcess | None = None
    try:
        url = cluster.create_database("bench_loyalty_api")
        cluster.create_database("bench_pgbench")
        migrate(url, "hq", quiet=True)
        factory = make_session_factory(make_engine(url))
        creds = demo_seed.seed_organisation(factory, "bench-password")
        say(f"seeding {CARDS:,} cards with 1,000 yuan each and one card with 5,000 yuan")
        spread = _seed_cards(factory, CARDS, 100_000)
        hot = _seed_cards(factory, 1, 500_000, registered=True)
        port = free_port()
        hq = ManagedProcess(
            "bench-hq-gunicorn",
            [
                sys.executable,
                "-m",
                "chainpos.cli",
                "hq",
                "serve",
                "--db",
                url,
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "4",
            ],
            env={"CHAINPOS_SECRET_KEY": "bench"},
            log_path=root / "hq.log",
            health_url=f"http://127.0.0.1:{port}/healthz",
            startup_timeout=60,
        ).start()
        base = f"http://127.0.0.1:{port}"
        say(f"{THREADS} HTTP clients debiting {DEBIT} fen over {CARDS:,} cards for {seconds}s")
        many = _hammer(base, creds.stores["S001"], spread, seconds)
        say(
            f"  {many['per_second']:,.0f} debits/s, p50 {many['p50_ms']} ms, "
            f"p99 {many['p99_ms']} ms"
        )
        say(f"{THREADS} HTTP clients debiting one card for {min(seconds, 8)}s")
        one = _hammer(base, creds.stores["S001"], hot, min(seconds, 8))
        say(f"  {one['per_second']:,.0f} debits/s, p50 {one['p50_ms']} ms, p99 {one['p99_ms']} ms")
        hq.terminate()
        hq = None
        bench = Pgbench(cluster, "bench_pgbench")
        bench.init(scale=10)
        tpcb = bench.run(clients=THREADS, jobs=2, seconds=pgbench_seconds)
        say(f"pgbench TPC-B, {THREADS} clients: {tpcb.tps:,.0f} tps")
        return {
            "threads": THREADS,
            "debit_fen": DEBIT,
            "server": "gunicorn, 4 workers x 4 threads",
            "spread_over_1000_cards": many,
            "all_on_one_card": one,
            "pgbench_tps": round(tpcb.tps, 1),
            "pgbench_clients": THREADS,
            "ratio_spread_to_tpcb": round(many["per_second"] / tpcb.tps, 3),
            "ratio_one_card_to_tpcb": round(one["per_second"] / tpcb.tps, 3),
            "cluster": "private PostgreSQL 15, fsync on, synchronous_commit on",
        }
    finally:
        if hq is not None:
            hq.terminate()
        cluster.stop()


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
