"""pgbench runs TPC-B on the test cluster and its report is read back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pgbench import Pgbench, PgbenchError, parse_pgbench_output
from tests.support.postgres import PostgresCluster, unique_database_name

PG15_REPORT = """\
pgbench (15.18 (Debian 15.18-0+deb12u1))
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 1
query mode: simple
number of clients: 2
number of threads: 2
maximum number of tries: 1
duration: 2 s
number of transactions actually processed: 16234
number of failed transactions: 0 (0.000%)
latency average = 0.246 ms
initial connection time = 3.786 ms
tps = 8121.442429 (without initial connection time)
"""

PG13_REPORT = """\
number of transactions actually processed: 500
latency average = 4.000 ms
tps = 240.000000 (including connections establishing)
tps = 250.000000 (excluding connections establishing)
"""


@pytest.fixture
def pgbench(postgres_cluster: PostgresCluster) -> Iterator[Pgbench]:
    name = unique_database_name("pgbench")
    postgres_cluster.create_database(name)
    try:
        yield Pgbench(postgres_cluster, name)
    finally:
        postgres_cluster.drop_database(name)


def test_tpcb_run_reports_positive_throughput(pgbench: Pgbench) -> None:
    pgbench.init(scale=1)

    result = pgbench.run(clients=2, jobs=2, seconds=2)

    print(f"pgbench TPC-B, 2 clients: {result.tps:.0f} tps, {result.latency_avg_ms:.3f} ms")
    assert result.tps > 0
    assert result.transactions > 0
    assert result.latency_avg_ms > 0
    assert result.failed == 0


def test_reads_the_pg15_report() -> None:
    result = parse_pgbench_output(PG15_REPORT)

    assert result.tps == pytest.approx(8121.442429)
    assert result.latency_avg_ms == pytest.approx(0.246)
    assert result.transactions == 16234
    assert result.failed == 0


def test_reads_the_tps_excluding_connections_from_older_reports() -> None:
    assert parse_pgbench_output(PG13_REPORT).tps == pytest.approx(250.0)


def test_an_unreadable_report_is_an_error() -> None:
    with pytest.raises(PgbenchError, match="cannot read"):
        parse_pgbench_output("connection to server failed\n")


def test_a_failing_pgbench_shows_its_output(postgres_cluster: PostgresCluster) -> None:
    missing = Pgbench(postgres_cluster, unique_database_name("absent"))

    with pytest.raises(PgbenchError, match="does not exist"):
        missing.init(scale=1)
