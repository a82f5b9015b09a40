"""Each tier's migrations build exactly the schema its models declare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect

from chainpos.db import MIGRATIONS_DIR, make_engine, migrate
from hq_server.models import Base as HqBase
from pos_terminal.models import Base as TillBase
from store_server.models import Base as StoreBase

TIERS: dict[str, MetaData] = {
    "hq": HqBase.metadata,
    "store": StoreBase.metadata,
    "till": TillBase.metadata,
}


def differences(url: str, metadata: MetaData) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def head_revision(tier: str) -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR / tier))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


@pytest.mark.parametrize("tier", sorted(TIERS))
def test_a_fresh_sqlite_database_upgraded_to_head_matches_the_models(
    tier: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / f'{tier}.db'}"
    migrate(url, tier, quiet=True)
    assert current_revision(url) == head_revision(tier)
    assert differences(url, TIERS[tier]) == []


@pytest.mark.parametrize("tier", sorted(TIERS))
def test_upgrading_twice_is_harmless(tier: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / f'{tier}.db'}"
    migrate(url, tier, quiet=True)
    migrate(url, tier, quiet=True)
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(TIERS[tier].tables) <= tables


def test_a_fresh_postgres_hq_database_upgraded_to_head_matches_the_models(
    postgres_url: str,
) -> None:
    migrate(postgres_url, "hq", quiet=True)
    assert current_revision(postgres_url) == head_revision("hq")
    assert differences(postgres_url, HqBase.metadata) == []


def test_a_fresh_postgres_store_database_upgraded_to_head_matches_the_models(
    postgres_url: str,
) -> None:
    # PostgreSQL is optional for a store (DESIGN.md §1), so its schema must hold there too.
    migrate(postgres_url, "store", quiet=True)
    assert differences(postgres_url, StoreBase.metadata) == []
