"""HQ's loyalty ledger on PostgreSQL: stored-value debits per second through the service
layer (idempotency record, row locks, entry, cached balance, one commit each), with 16
threads spread over 1,000 cards and with all 16 on one card, next to pgbench TPC-B on the
same cluster; and the daily points expiry over a million lots.

Run alone: `python -m tests.benchmarks.bench_loyalty`.
"""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import make_engine, make_session_factory, migrate, unit_of_work
from chainpos.ids import new_id
from hq_server.loyalty import cards, members, stored_value
from hq_server.loyalty.expiry import expire_all
from hq_server.loyalty.idempotency import run_once
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings, cheap_pin_hasher
from hq_server.loyalty.verification import verify_ledgers
from loyalty.errors import LoyaltyError
from tests.benchmarks.common import latency_summary, say
from tests.support.pgbench import Pgbench
from tests.support.postgres import PostgresCluster

THREADS = 16
CARDS = 1_000
DEBIT = 100  # fen
DAY = date(2026, 11, 26)
SETTINGS = LoyaltySettings(pin_hasher=cheap_pin_hasher())


def _origin(document: str) -> Origin:
    return Origin(document, DAY, "S001", "S001-T01", "C001")


def _seed_cards(
    factory: sessionmaker[Session], count: int, balance: int, *, registered: bool = False
) -> list[str]:
    numbers: list[str] = []
    with unit_of_work(factory) as session:
        for n in range(count):
            member_id = None
            if registered:
                member = members.register(
                    session, SETTINGS, mobile=f"139{n:08d}", name="Bench", today=DAY
                )
                member_id = member["member_id"]
            card = cards.issue_card(
                session, SETTINGS, medium="virtual", member_id=member_id, activate=True
            )
            stored_value.top_up(
                session, SETTINGS, balance, _origin(new_id()), number=card["number"]
            )
            numbers.append(card["number"])
    return numbers


def _debit(factory: sessionmaker[Session], number: str) -> None:
    key = new_id()
    run_once(
        factory,
        scope="store:S001",
        key=key,
        operation="sv.debit",
        request={"card": number, "amount": DEBIT},
        work=lambda session: stored_value.debit(
            session, SETTINGS, DEBIT, _origin(key), number=number
        ),
    )


def _hammer(factory: sessionmaker[Session], numbers: list[str], seconds: float) -> dict[str, Any]:
    """THREADS threads debiting random cards of `numbers` for `seconds`."""
    samples: list[list[float]] = [[] for _ in range(THREADS)]
    refused = [0] * THREADS
    stop = time.perf_counter() + seconds
    barrier = threading.Barrier(THREADS)

    def worker(i: int) -> None:
        rng = random.Random(i)
        barrier.wait()
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                _debit(factory, rng.choice(numbers))
            except LoyaltyError:
                refused[i] += 1  # a card ran dry: counted, not timed
                continue
            samples[i].append(time.perf_counter() - started)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = [s for per in samples for s in per]
    return {
        "debits": len(flat),
        "refused": sum(refused),
        "per_second": round(len(flat) / elapsed, 1),
        **latency_summary(flat),
    }


def _report(figures: dict[str, Any]) -> None:
    say(
        f"  {figures['per_second']:,.0f} debits/s, "
        f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms"
    )


_SEED_ACCOUNTS = """
INSERT INTO loyalty_accounts (id, member_id, sv_principal, sv_bonus, points, closed, created_at)
SELECT 'acct-' || lpad(g::text, 8, '0'), NULL, 0, 0, :points, false, now()
FROM generate_series(1, :accounts) g
"""
_SEED_LOTS = """
INSERT INTO loyalty_points_lots (id, account_id, source, points, remaining, earned_on,
    available_on, valid_until, document, lines, store_code, created_at)
SELECT 'lot-' || g, 'acct-' || lpad(((g % :accounts) + 1)::text, 8, '0'), 'sale', 10, 10,
    date '2024-06-01', date '2024-06-08', date '2025-12-31', 'sale-' || g, '[]', 'S001', now()
FROM generate_series(1, :lots) g
"""
_SEED_ENTRIES = """
INSERT INTO loyalty_points_entries (account_id, lot_id, kind, points, business_day, document,
    reason, store_code, created_at)
SELECT account_id, id, 'earn', points, earned_on, document, '', store_code, now()
FROM loyalty_points_lots WHERE id LIKE 'lot-%'
"""


def _seed_lots(factory: sessionmaker[Session], lots: int, accounts: int) -> None:
    """`lots` expired lots over `accounts` accounts, with their earn entries, in SQL."""
    per_account = lots // accounts
    with unit_of_work(factory) as session:
        session.execute(text(_SEED_ACCOUNTS), {"points": per_account * 10, "accounts": accounts})
        session.execute(text(_SEED_LOTS), {"accounts": accounts, "lots": per_account * accounts})
        session.execute(text(_SEED_ENTRIES))
    with unit_of_work(factory) as session:
        session.execute(text("ANALYZE"))


def run(seconds: int = 15, pgbench_seconds: int = 15, lots: int = 1_000_000) -> dict[str, Any]:
    cluster = PostgresCluster(durable=True).start()
    try:
        url = cluster.create_database("bench_loyalty")
        cluster.create_database("bench_pgbench")
        migrate(url, "hq", quiet=True)
        engine = make_engine(url, pool_size=THREADS + 4)
        factory = make_session_factory(engine)
        say(f"seeding {CARDS:,} cards with 1,000 yuan each and one card with 5,000 yuan")
        spread = _seed_cards(factory, CARDS, 100_000)
        hot = _seed_cards(factory, 1, 500_000, registered=True)
        say(f"{THREADS} threads debiting {DEBIT} fen over {CARDS:,} cards for {seconds}s")
        many = _hammer(factory, spread, seconds)
        _report(many)
        say(f"{THREADS} threads debiting one card for {min(seconds, 8)}s")
        one = _hammer(factory, hot, min(seconds, 8))
        _report(one)
        bench = Pgbench(cluster, "bench_pgbench")
        say("pgbench: initialising scale 10")
        bench.init(scale=10)
        say(f"pgbench TPC-B: {THREADS} clients for {pgbench_seconds}s")
        tpcb = bench.run(clients=THREADS, jobs=4, seconds=pgbench_seconds)
        say(f"  pgbench: {tpcb.tps:,.0f} tps")
        say(f"seeding {lots:,} expired points lots over {lots // 100:,} accounts")
        _seed_lots(factory, lots, max(lots // 100, 1))
        started = time.perf_counter()
        expired = expire_all(factory, date(2026, 1, 1))
        expiry_seconds = time.perf_counter() - started
        say(f"  expired {expired:,} lots in {expiry_seconds:.1f}s")
        started = time.perf_counter()
        with unit_of_work(factory) as session:
            mismatches = verify_ledgers(session)
        verify_seconds = time.perf_counter() - started
        if mismatches:
            raise RuntimeError(f"ledger mismatches after the benchmark: {mismatches[:3]}")
        engine.dispose()
        return {
            "threads": THREADS,
            "debit_fen": DEBIT,
            "spread_over_1000_cards": many,
            "all_on_one_card": one,
            "pgbench_tps": round(tpcb.tps, 1),
            "pgbench_clients": THREADS,
            "ratio_spread_to_tpcb": round(many["per_second"] / tpcb.tps, 3),
            "ratio_one_card_to_tpcb": round(one["per_second"] / tpcb.tps, 3),
            "expiry_lots": expired,
            "expiry_seconds": round(expiry_seconds, 2),
            "verify_seconds_after": round(verify_seconds, 2),
            "cluster": "private PostgreSQL 15, fsync on, synchronous_commit on",
        }
    finally:
        cluster.stop()


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
