"""pgbench TPC-B runs on the test cluster, a yardstick for our own benchmark figures."""

from __future__ import annotations

import dataclasses
import re
import subprocess

from tests.support.postgres import PostgresCluster

_TRANSACTIONS = re.compile(r"^number of transactions actually processed: (\d+)", re.M)
_FAILED = re.compile(r"^number of failed transactions: (\d+)", re.M)
_LATENCY = re.compile(r"^latency average = ([\d.]+) ms", re.M)
# pgbench 14+ prints one tps line "(without initial connection time)"; 13 and older print
# "including connections establishing" and "excluding ...": the latter is the comparable one.
_TPS = re.compile(r"^tps = ([\d.]+) \((without initial|excluding)", re.M)
_ANY_TPS = re.compile(r"^tps = ([\d.]+)", re.M)


class PgbenchError(RuntimeError):
    """pgbench failed or printed something we cannot read."""


@dataclasses.dataclass(frozen=True)
class PgbenchResult:
    """The figures of one pgbench run."""

    tps: float
    latency_avg_ms: float
    transactions: int
    failed: int = 0


def parse_pgbench_output(text: str) -> PgbenchResult:
    """Read tps, average latency and transaction counts from pgbench's report."""
    tps = _TPS.search(text) or _ANY_TPS.search(text)
    latency = _LATENCY.search(text)
    transactions = _TRANSACTIONS.search(text)
    if tps is None or latency is None or transactions is None:
        raise PgbenchError(f"cannot read pgbench's report:\n{text}")
    failed = _FAILED.search(text)
    return PgbenchResult(
        tps=float(tps.group(1)),
        latency_avg_ms=float(latency.group(1)),
        transactions=int(transactions.group(1)),
        failed=int(failed.group(1)) if failed else 0,
    )


class Pgbench:
    """pgbench's built-in TPC-B-like workload on one database of a cluster."""

    def __init__(self, cluster: PostgresCluster, dbname: str) -> None:
        self.cluster = cluster
        self.dbname = dbname

    def init(self, scale: int = 1) -> None:
        """Create and fill the pgbench tables (scale 1 = 100,000 accounts)."""
        if scale < 1:
            raise ValueError("scale must be at least 1")
        self._run(["--initialize", f"--scale={scale}", "--quiet"])

    def run(
        self,
        clients: int,
        jobs: int,
        seconds: int,
        *,
        builtin: str = "tpcb-like",
        protocol: str = "simple",
    ) -> PgbenchResult:
        """Run the workload for `seconds` with `clients` connections over `jobs` threads."""
        if not 1 <= jobs <= clients:
            raise ValueError("jobs must be between 1 and the number of clients")
        completed = self._run(
            [
                f"--builtin={builtin}",
                f"--client={clients}",
                f"--jobs={jobs}",
                f"--time={seconds}",
                f"--protocol={protocol}",
            ],
            timeout=seconds + 120,
        )
        return parse_pgbench_output(completed.stdout)

    def _run(self, args: list[str], *, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        completed = self.cluster.pgbench([*args, self.dbname], timeout=timeout)
        if completed.returncode != 0:
            raise PgbenchError(
                f"pgbench {' '.join(args)} exited with {completed.returncode}:\n"
                f"{completed.stdout}{completed.stderr}"
            )
        return completed
