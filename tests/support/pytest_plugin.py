"""pytest fixtures for real parts: a PostgreSQL cluster started lazily, a database per test."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresCluster, unique_database_name

POSTGRES_FIXTURES = frozenset({"postgres_cluster", "postgres_url"})


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers this plugin applies, unless the project's settings already do."""
    registered = {line.split(":", 1)[0].strip() for line in config.getini("markers")}
    if "postgres" not in registered:
        config.addinivalue_line("markers", "postgres: needs the test PostgreSQL cluster")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a PostgreSQL fixture, so `-m "not postgres"` leaves it out."""
    for item in items:
        if POSTGRES_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_cluster(pytestconfig: pytest.Config) -> Iterator[PostgresCluster]:
    """The session's PostgreSQL server, started on first use and stopped at the end."""
    cluster = PostgresCluster()
    with _uncaptured(pytestconfig):
        sys.stderr.write("\n")
        cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@contextlib.contextmanager
def _uncaptured(config: pytest.Config) -> Iterator[None]:
    """Let progress lines reach the terminal even though pytest captures output."""
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        yield
        return
    with capture.global_and_fixture_disabled():
        yield


@pytest.fixture
def postgres_url(
    postgres_cluster: PostgresCluster, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The SQLAlchemy URL of a new empty database, dropped after the test."""
    name = unique_database_name(request.node.name)
    url = postgres_cluster.create_database(name)
    try:
        yield url
    finally:
        postgres_cluster.drop_database(name)
