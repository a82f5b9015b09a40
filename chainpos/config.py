"""Tier configuration: a dataclass per tier, read from the environment or given by code."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"CHAINPOS_{name}", default)


@dataclass
class HqConfig:
    database_url: str = "sqlite:///var/hq.db"
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    migrate_on_start: bool = True

    @classmethod
    def from_env(cls) -> HqConfig:
        return cls(
            database_url=_env("HQ_DATABASE_URL", cls.database_url) or cls.database_url,
            secret_key=_env("SECRET_KEY") or secrets.token_urlsafe(32),
        )


@dataclass
class StoreConfig:
    database_url: str = "sqlite:///var/store.db"
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    migrate_on_start: bool = True
    #: Run the sync worker (push to HQ, pull the feed) inside this process.
    run_sync: bool = True
    sync_interval: float = 1.0
    hq_timeout: float = 5.0

    @classmethod
    def from_env(cls) -> StoreConfig:
        return cls(
            database_url=_env("STORE_DATABASE_URL", cls.database_url) or cls.database_url,
            secret_key=_env("SECRET_KEY") or secrets.token_urlsafe(32),
            run_sync=(_env("RUN_SYNC", "1") == "1"),
        )


@dataclass
class TillConfig:
    database_url: str = "sqlite:///var/till.db"
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    migrate_on_start: bool = True
    run_sync: bool = True
    sync_interval: float = 1.0
    store_timeout: float = 3.0
    #: The till's device configuration file (docs/devices.md); None: no devices.
    devices_config: str | None = None

    @classmethod
    def from_env(cls) -> TillConfig:
        return cls(
            database_url=_env("TILL_DATABASE_URL", cls.database_url) or cls.database_url,
            secret_key=_env("SECRET_KEY") or secrets.token_urlsafe(32),
            run_sync=(_env("RUN_SYNC", "1") == "1"),
            devices_config=_env("TILL_DEVICES"),
        )
