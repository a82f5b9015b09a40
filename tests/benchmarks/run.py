"""`make bench`: run every benchmark and write docs/benchmarks.md with the machine's facts.

Each benchmark is also runnable alone: `python -m tests.benchmarks.bench_till`.
Set CHAINPOS_BENCH_ONLY=till,till_promotions,ingest,sync,promotions to run a subset.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.benchmarks.common import say, write_json

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "var" / "bench" / "results.json"
REPORT = ROOT / "docs" / "benchmarks.md"


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.0f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _promotions() -> dict[str, Any]:
    script = ROOT / "tests" / "benchmarks" / "bench_promotions.py"
    out = ROOT / "var" / "bench" / "promotions.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(script), "--out", str(out)], check=True, cwd=ROOT)
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def main() -> int:
    from tests.benchmarks import (
        bench_hq_ingest,
        bench_initial_sync,
        bench_loyalty,
        bench_loyalty_api,
        bench_till,
    )

    wanted = set(filter(None, os.environ.get("CHAINPOS_BENCH_ONLY", "").split(",")))
    runs = {
        "till": bench_till.run,
        "till_promotions": lambda: bench_till.run(promotions=2000),
        "ingest": bench_hq_ingest.run,
        "sync": bench_initial_sync.run,
        "loyalty": bench_loyalty.run,
        "loyalty_api": bench_loyalty_api.run,
        "promotions": _promotions,
    }
    previous: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results: dict[str, Any] = dict(previous.get("results", {}))
    for name, run in runs.items():
        if wanted and name not in wanted:
            continue
        if name == "promotions" and not (ROOT / "tests/benchmarks/bench_promotions.py").exists():
            continue
        say(f"=== {name}")
        load_before = os.getloadavg()[0]
        results[name] = run()
        results[name]["_run"] = {
            "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2),
        }
    data = {"machine": machine(), "results": results}
    write_json(RESULTS, data)
    REPORT.write_text(render(data))
    say(f"wrote {REPORT.relative_to(ROOT)}")
    return 0


def _latency_row(label: str, summary: dict[str, Any]) -> str:
    return f"| {label} | {summary['p50_ms']:.1f} | {summary['p99_ms']:.1f} | {summary['n']} |"


def render(data: dict[str, Any]) -> str:
    m, r = data["machine"], data["results"]
    out = [
        "# Benchmarks",
        "",
        "Written by `make bench` (tests/benchmarks/run.py); raw figures in var/bench/results.json.",
        "Benchmarks are measurements, never test assertions. Figures vary with load on the",
        "machine: run `make bench` on an idle machine to compare revisions.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']} ({m['cores']} cores), memory {m['memory']}",
        f"- {m['os']}, Python {m['python']}",
        f"- run at {m['date']}",
        "",
    ]
    for key, title in (("till", "no promotions"), ("till_promotions", "2,000 promotions")):
        if key not in r:
            continue
        t = r[key]
        out += [
            f"## Till: quote and complete over HTTP ({t['products']:,} products, {title})",
            "",
            "A till process (`chainpos till run`, SQLite journal with full fsync) on loopback;",
            f"{t['sales']} sales of 1-8 random lines after 20 warm-up sales, one client.",
            "",
            "| step | p50 ms | p99 ms | n |",
            "|---|---|---|---|",
            _latency_row("quote", t["quote"]),
            _latency_row("complete (durable in the journal)", t["complete"]),
            _latency_row("quote + complete", t["quote_and_complete"]),
            "",
        ]
    if "ingest" in r:
        i = r["ingest"]
        out += [
            "## HQ ingestion on PostgreSQL, next to pgbench",
            "",
            f"{i['sales']:,} sales of {i['lines_per_sale']} lines posted as signed batches of "
            f"{i['batch']} to HQ's sync endpoint (the WSGI app in process, no network) by two "
            f"store streams at once; {i['cluster']}.",
            "pgbench TPC-B (scale 10) ran on the same cluster in the same run.",
            "",
            "| measure | figure |",
            "|---|---|",
            f"| HQ sales ingested per second | {i['sales_per_second']:,.1f} |",
            f"| HQ sale lines per second | {i['lines_per_second']:,.0f} |",
            f"| pgbench TPC-B tps ({i['pgbench_clients']} clients) | {i['pgbench_tps']:,.1f} |",
            f"| ratio: sales/s to TPC-B tps | {i['ratio_sales_to_tpcb']} |",
            "",
        ]
    if "sync" in r:
        s = r["sync"]
        out += [
            f"## Initial catalog sync of {s['products']:,} products HQ -> store -> till",
            "",
            "Real processes on loopback, SQLite at every tier. The store loads HQ's paged",
            "snapshot and republishes it for its tills; the till then loads the store's.",
            "",
            "| measure | figure |",
            "|---|---|",
            f"| store load from HQ | {s['store_load_seconds']} s |",
            f"| till load from store | {s['till_load_seconds']} s |",
            f"| HQ to till, total | {s['total_seconds']} s |",
            f"| till barcode lookup over HTTP, p50 | "
            f"{s['till_barcode_lookup_http']['p50_ms']:.1f} ms |",
            f"| till barcode lookup over HTTP, p99 | "
            f"{s['till_barcode_lookup_http']['p99_ms']:.1f} ms |",
            "",
        ]
    if "loyalty" in r:
        lo = r["loyalty"]
        spread, one = lo["spread_over_1000_cards"], lo["all_on_one_card"]
        out += [
            "## Stored-value debits on PostgreSQL, next to pgbench",
            "",
            f"{lo['threads']} threads, each with its own session, debiting {lo['debit_fen']} fen "
            "through HQ's stored-value service (row locks, ledger entry and cached balance in "
            f"one transaction); {lo['cluster']}. pgbench TPC-B with {lo['pgbench_clients']} "
            "clients on the same cluster in the same run.",
            "",
            "| case | debits/s | p50 ms | p99 ms | ratio to TPC-B |",
            "|---|---|---|---|---|",
            f"| over 1,000 cards | {spread['per_second']:,.0f} | {spread['p50_ms']:.1f} | "
            f"{spread['p99_ms']:.1f} | {lo['ratio_spread_to_tpcb']} |",
            f"| all on one card | {one['per_second']:,.0f} | {one['p50_ms']:.1f} | "
            f"{one['p99_ms']:.1f} | {lo['ratio_one_card_to_tpcb']} |",
            f"| pgbench TPC-B | {lo['pgbench_tps']:,.0f} tps | | | 1 |",
            "",
            f"Daily expiry job over {lo['expiry_lots']:,} points lots: "
            f"{lo['expiry_seconds']} s; a full `chainpos hq loyalty verify` after it: "
            f"{lo['verify_seconds_after']} s.",
            "",
        ]
    if "loyalty_api" in r:
        la = r["loyalty_api"]
        spread, one = la["spread_over_1000_cards"], la["all_on_one_card"]
        out += [
            "## Stored-value debits through HQ's API (HTTP), next to pgbench",
            "",
            f"{la['threads']} HTTP clients signed as store S001 posting "
            "`/api/v1/loyalty/store/sv/debit` (signature and nonce check, validation, "
            f"idempotency record, row locks, ledger entry) to `chainpos hq serve` "
            f"({la['server']}) on the same 2-core machine as the clients; {la['cluster']}.",
            "",
            "| case | debits/s | p50 ms | p99 ms | ratio to TPC-B |",
            "|---|---|---|---|---|",
            f"| over 1,000 cards | {spread['per_second']:,.0f} | {spread['p50_ms']:.1f} | "
            f"{spread['p99_ms']:.1f} | {la['ratio_spread_to_tpcb']} |",
            f"| all on one card | {one['per_second']:,.0f} | {one['p50_ms']:.1f} | "
            f"{one['p99_ms']:.1f} | {la['ratio_one_card_to_tpcb']} |",
            f"| pgbench TPC-B ({la['pgbench_clients']} clients) | {la['pgbench_tps']:,.0f} tps "
            "| | | 1 |",
            "",
        ]
    if "promotions" in r:
        shown = {k: v for k, v in r["promotions"].items() if k != "_run"}
        out += [
            "## Promotions engine: a 100-line basket against 2,000 promotions",
            "",
            "```json",
            json.dumps(shown, indent=2, ensure_ascii=False),
            "```",
            "",
        ]
    out += [
        "## When each figure was measured",
        "",
        "The 1-minute load average before and after each run; above 2 on this 2-core",
        "machine means other work competed with the benchmark.",
        "",
        "| benchmark | run at | load before | load after |",
        "|---|---|---|---|",
    ]
    for name, result in r.items():
        meta = result.get("_run", {})
        out.append(
            f"| {name} | {meta.get('at', '?')} | {meta.get('load_before', '?')} | "
            f"{meta.get('load_after', '?')} |"
        )
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
