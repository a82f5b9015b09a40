"""Selling through outages: HQ killed, a store cut off, a store server down."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import pytest

from tests.e2e.chain import STORES, TILLS, Chain, wait_for

pytestmark = pytest.mark.e2e

SALES = 200


def test_two_hundred_sales_reach_hq_exactly_once_through_kills_and_cuts(chain: Chain) -> None:
    barcodes = chain.barcodes(12)
    sku_of = dict(chain.query("hq", "SELECT code, sku FROM barcodes"))
    rng = random.Random(7)
    expected_count: Counter[tuple[str, str]] = Counter()
    expected_total: Counter[tuple[str, str]] = Counter()
    sold: dict[str, Counter[str]] = defaultdict(Counter)

    for i in range(SALES):
        if i == 40:
            chain.proxies["S001"].cut()  # store S001 loses HQ
        if i == 70:
            chain.process("hq").kill()  # HQ dies with SIGKILL while stores push
        if i == 90:
            chain.process("S002").kill()  # store S002's server goes down; its till sells on
        if i == 120:
            chain.process("hq").start()
        if i == 150:
            chain.process("S002").start()
        if i == 170:
            chain.proxies["S001"].restore()
        till = TILLS[i % 2]
        store = till.split("-")[0]
        lines = [
            {"barcode": code, "qty": rng.randint(1, 3)}
            for code in rng.sample(barcodes, rng.randint(1, 4))
        ]
        sale = chain.sell(till, lines)
        expected_count[(store, sale["business_day"])] += 1
        expected_total[(store, sale["business_day"])] += sale["total"]
        for line in lines:
            sold[store][sku_of[line["barcode"]]] += line["qty"]

    def delivered() -> bool:
        return all(chain.status(name)["outbox_depth"] == 0 for name in (*TILLS, *STORES))

    wait_for("every outbox to drain", delivered, timeout=180, every=0.5)

    days = sorted({day for _, day in expected_count})
    for day in days:
        report = {
            row["store"]: row
            for row in chain.hq_get("/api/v1/reports/sales", business_day=day)["stores"]
        }
        for store in STORES:
            assert report[store]["sales"] == expected_count[(store, day)]
            assert report[store]["total"] == expected_total[(store, day)]
    assert sum(expected_count.values()) == SALES
    assert chain.query("hq", "SELECT count(*) FROM sales")[0][0] == SALES
    assert chain.query("hq", "SELECT count(DISTINCT receipt_no) FROM sales")[0][0] == SALES

    for store in STORES:
        for code in barcodes:
            sku = sku_of[code]
            at_hq = {
                row["store"]: row["on_hand"]
                for row in chain.hq_get("/api/v1/stock", barcode=code)["stores"]
            }
            at_store = chain.query(store, "SELECT on_hand FROM stock_on_hand WHERE sku = ?", sku)
            assert at_hq[store] == 1000 - sold[store][sku]
            assert at_store[0][0] == 1000 - sold[store][sku]

    for name in ("hq", *STORES, *TILLS):
        status = chain.status(name)
        assert status["outbox_depth"] == 0, name
        assert status["quarantined"] == [], name
        assert status["gaps"] == {}, name
    hq_origins = chain.status("hq")["origins"]
    for till in TILLS:
        store = till.split("-")[0]
        sales_of_till = sum(n for (s, _), n in expected_count.items() if s == store)
        assert hq_origins[f"{store}/{till}"] == {
            "contiguous_seq": sales_of_till,
            "max_seq": sales_of_till,
        }
