"""The test cluster starts, hands out databases and runs queries through SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.support.postgres import PostgresCluster, reap_stale_clusters, unique_database_name
from tests.support.processes import wait_until_gone

_seen_databases: list[str] = []


def _scalar(url: str, query: str) -> object:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(query)).scalar_one()
    finally:
        engine.dispose()


def test_cluster_answers_queries_through_sqlalchemy_and_psycopg(
    postgres_cluster: PostgresCluster,
) -> None:
    version = _scalar(postgres_cluster.url("postgres"), "SHOW server_version_num")

    assert isinstance(version, str)
    assert int(version) >= 150000


def test_cluster_url_names_the_psycopg_driver_on_loopback(
    postgres_cluster: PostgresCluster,
) -> None:
    url = make_url(postgres_cluster.url("shop"))

    assert url.drivername == "postgresql+psycopg"
    assert url.database == "shop"
    if not postgres_cluster.is_external:
        assert (url.host, url.port) == ("127.0.0.1", postgres_cluster.port)
        assert url.username == "postgres"


def test_private_cluster_trades_durability_for_speed(postgres_cluster: PostgresCluster) -> None:
    if postgres_cluster.is_external:
        pytest.skip("an external server keeps its own settings")

    url = postgres_cluster.url("postgres")

    assert _scalar(url, "SHOW fsync") == "off"
    assert _scalar(url, "SHOW synchronous_commit") == "off"
    assert int(str(_scalar(url, "SHOW max_connections"))) >= 200


@pytest.mark.postgres
def test_a_durable_cluster_keeps_fsync_on_for_benchmarks() -> None:
    with PostgresCluster(durable=True, external_url="") as cluster:
        url = cluster.url("postgres")

        assert _scalar(url, "SHOW fsync") == "on"
        assert _scalar(url, "SHOW synchronous_commit") == "on"
        assert _scalar(url, "SHOW full_page_writes") == "on"


def test_created_database_takes_a_table_and_is_gone_after_drop(
    postgres_cluster: PostgresCluster,
) -> None:
    name = unique_database_name("harness")
    url = postgres_cluster.create_database(name)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE till (id int PRIMARY KEY, name text)"))
            conn.execute(sa.text("INSERT INTO till VALUES (1, 'front')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT name FROM till")).scalar_one() == "front"
    finally:
        engine.dispose()
        postgres_cluster.drop_database(name)

    exists = _scalar(
        postgres_cluster.url("postgres"),
        f"SELECT count(*) FROM pg_database WHERE datname = '{name}'",
    )
    assert exists == 0


def test_drop_database_disconnects_sessions_still_open(postgres_cluster: PostgresCluster) -> None:
    name = unique_database_name("held_open")
    engine = sa.create_engine(postgres_cluster.create_database(name))
    conn = engine.connect()
    conn.execute(sa.text("SELECT 1"))
    try:
        postgres_cluster.drop_database(name)
    finally:
        conn.invalidate()
        engine.dispose()

    exists = _scalar(
        postgres_cluster.url("postgres"),
        f"SELECT count(*) FROM pg_database WHERE datname = '{name}'",
    )
    assert exists == 0


@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_gets_its_own_empty_database(postgres_url: str, run: str) -> None:
    database = make_url(postgres_url).database
    assert database is not None
    assert database not in _seen_databases
    _seen_databases.append(database)

    tables = _scalar(
        postgres_url, "SELECT count(*) FROM information_schema.tables WHERE table_schema='public'"
    )
    assert tables == 0
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            # Both runs create the same table: this only works if the databases are separate.
            conn.execute(sa.text("CREATE TABLE receipt (id int PRIMARY KEY)"))
    finally:
        engine.dispose()


def test_database_names_are_safe_identifiers_within_postgres_limits() -> None:
    name = unique_database_name("test_sale[Card-Payment: 10 €]" * 5)

    assert len(name) <= 63
    assert name == name.lower()
    assert all(ch.isalnum() or ch == "_" for ch in name)


def test_rejects_database_names_that_would_need_quoting() -> None:
    cluster = PostgresCluster(external_url="postgresql+psycopg://nobody@127.0.0.1:1/postgres")

    with pytest.raises(ValueError, match="plain database name"):
        cluster.create_database('x"; DROP DATABASE postgres; --')


def test_missing_binaries_tell_the_operator_what_to_install(tmp_path: Path) -> None:
    cluster = PostgresCluster(bin_dir=tmp_path, external_url="")  # "" ignores the env var

    with pytest.raises(RuntimeError, match="apt-get install postgresql-15"):
        cluster.start()


@pytest.mark.postgres
def test_a_cluster_left_by_a_killed_session_is_stopped_by_the_next(tmp_path: Path) -> None:
    if PostgresCluster().is_external:
        pytest.skip("only private clusters are left behind")
    orphan_maker = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_MAKER],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert orphan_maker.stdout is not None
    base = Path(orphan_maker.stdout.readline().strip())
    postmaster = int((base / "data" / "postmaster.pid").read_text().splitlines()[0])
    orphan_maker.kill()  # no finalizer, no atexit: the server outlives its session
    orphan_maker.wait()

    reap_stale_clusters()

    assert not base.exists()
    assert wait_until_gone(postmaster)


REPO_ROOT = Path(__file__).resolve().parents[3]
ORPHAN_MAKER = """
import time
from tests.support.processes import wait_until_gone
from tests.support.postgres import PostgresCluster
cluster = PostgresCluster(external_url="").start()
print(cluster.base_dir, flush=True)
time.sleep(120)
"""
