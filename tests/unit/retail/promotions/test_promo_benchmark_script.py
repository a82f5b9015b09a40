"""The promotion benchmark script runs end to end and writes its figures as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[4] / "tests" / "benchmarks" / "bench_promotions.py"


def test_benchmark_script_prints_and_writes_percentiles(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--promotions", "60", "--baskets", "5", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "p99" in done.stdout
    figures = json.loads(out.read_text())
    assert figures["baskets"] == 5
    for label in ("default_gc", "gc_frozen_after_load"):
        assert 0 < figures[label]["p50_ms"] <= figures[label]["p99_ms"]
